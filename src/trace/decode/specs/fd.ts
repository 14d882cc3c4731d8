/** Operations on descriptors: fcntl, ioctl, duplicating, pipes, locks, copies between fds. */
import { fcntlShown } from '../printers/fcntl.js';
import { ioctlShown } from '../printers/ioctl.js';
import { S, type Spec } from '../types.js';

export const FD_SPECS: Record<string, Spec> = {
  fcntl: S('fd fcntlcmd fcntlarg', 'fcntl', fcntlShown),
  ioctl: S('fd ioctlreq ioctlarg', 'int', ioctlShown),
  pipe: S('pipefds'),
  pipe2: S('pipefds fdoflags'),
  dup: S('fd', 'fd'),
  dup2: S('fd fd', 'fd'),
  dup3: S('fd fd fdoflags', 'fd'),
};
