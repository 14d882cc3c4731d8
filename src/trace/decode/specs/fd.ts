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
  flock: S('fd lockop'),
  fadvise64: S('fd off64 uint fadvice'),
  fallocate: S('fd fallocmode off64 off64'),
  sendfile: S('fd fd offptr_upd uint'),
  copy_file_range: S('fd offptr fd offptr uint u32'),
  splice: S('fd offptr fd offptr uint spliceflags'),
  tee: S('fd fd uint spliceflags'),
  vmsplice: S('fd iovin:2 uint spliceflags'),
  close_range: S('u32 u32 closerangeflags'),
};
