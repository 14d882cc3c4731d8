/** Files, directories and file descriptors. */
import { S, type Spec } from '../types.js';

const O_CREAT = 0o100n;
const O_TMPFILE = 0o20200000n;

/** strace shows open's mode only when it matters: O_CREAT, or O_TMPFILE (which includes O_DIRECTORY). */
const modeShown =
  (flagsArg: number) =>
  (raw: bigint[]): number => {
    const flags = raw[flagsArg] ?? 0n;
    return (flags & O_CREAT) !== 0n || (flags & O_TMPFILE) === O_TMPFILE ? flagsArg + 2 : flagsArg + 1;
  };

export const FILE_SPECS: Record<string, Spec> = {
  read: S('fd bufout uint'),
  write: S('fd bufin:2 uint'),
  pread64: S('fd bufout uint int'),
  pwrite64: S('fd bufin:2 uint int'),
  readv: S('fd iovout:2 int'),
  writev: S('fd iovin:2 int'),
  open: S('path oflags mode', 'fd', modeShown(1)),
  openat: S('dirfd path oflags mode', 'fd', modeShown(2)),
  creat: S('path mode', 'fd'),
  close: S('fd'),
  stat: S('path stat_out'),
  lstat: S('path stat_out'),
  fstat: S('fd stat_out'),
  newfstatat: S('dirfd path stat_out atflags'),
  lseek: S('fd int whence'),
  access: S('path accessmode'),
  faccessat: S('dirfd path accessmode'),
  faccessat2: S('dirfd path accessmode atflags'),
  ioctl: S('fd hex hex'),
  pipe: S('pipefds'),
  pipe2: S('pipefds oflags'),
  dup: S('fd', 'fd'),
  dup2: S('fd fd', 'fd'),
  dup3: S('fd fd oflags', 'fd'),
  fcntl: S('fd fcntlcmd hex'),
  unlink: S('path'),
  unlinkat: S('dirfd path atflags'),
  mkdir: S('path mode'),
  mkdirat: S('dirfd path mode'),
  rmdir: S('path'),
  rename: S('path path'),
  renameat: S('dirfd path dirfd path'),
  renameat2: S('dirfd path dirfd path hex'),
  chdir: S('path'),
  fchdir: S('fd'),
  readlink: S('path bufout uint'),
  readlinkat: S('dirfd path bufout uint'),
  getcwd: S('bufout uint'),
  getdents64: S('fd ptr uint'),
  fsync: S('fd'),
  fdatasync: S('fd'),
  ftruncate: S('fd int'),
  truncate: S('path int'),
  umask: S('mode', 'mode'),
  chmod: S('path mode'),
  fchmod: S('fd mode'),
  fchmodat: S('dirfd path mode'),
};
