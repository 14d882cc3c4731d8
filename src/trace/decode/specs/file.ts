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

/** mknod's dev argument is shown only for character and block devices. */
const devShown =
  (modeArg: number) =>
  (raw: bigint[]): number => {
    const type = Number((raw[modeArg] ?? 0n) & 0o170000n);
    return type === 0o20000 || type === 0o60000 ? modeArg + 2 : modeArg + 1;
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
  statx: S('dirfd path statxflags statxmask statx_out'),
  statfs: S('path statfs_out'),
  ustat: S('dev ptr'),
  fstatfs: S('fd statfs_out'),
  lseek: S('fd int whence'),
  access: S('path accessmode'),
  faccessat: S('dirfd path accessmode'),
  faccessat2: S('dirfd path accessmode faccessflags'),
  unlink: S('path'),
  unlinkat: S('dirfd path atflags'),
  mkdir: S('path mode'),
  mkdirat: S('dirfd path mode'),
  rmdir: S('path'),
  rename: S('path path'),
  renameat: S('dirfd path dirfd path'),
  renameat2: S('dirfd path dirfd path renameflags'),
  chdir: S('path'),
  fchdir: S('fd'),
  readlink: S('path bufout uint'),
  readlinkat: S('dirfd path bufout uint'),
  getcwd: S('cwd uint'),
  getdents64: S('fd dirents uint'),
  getdents: S('fd dirents uint'),
  fsync: S('fd'),
  fdatasync: S('fd'),
  ftruncate: S('fd uint'),
  truncate: S('path uint'),
  umask: S('mode', 'octal'),
  chmod: S('path mode'),
  fchmod: S('fd mode'),
  fchmodat: S('dirfd path mode'),
  chown: S('path id id'),
  lchown: S('path id id'),
  fchown: S('fd id id'),
  fchownat: S('dirfd path id id atflags'),
  symlink: S('path path'),
  symlinkat: S('path dirfd path'),
  link: S('path path'),
  linkat: S('dirfd path dirfd path atflags'),
  mknod: S('path modetype dev', undefined, devShown(1)),
  mknodat: S('dirfd path modetype dev', undefined, devShown(2)),
  utimensat: S('dirfd path timespec_utime atflags'),
  utimes: S('path timeval_pair'),
  futimesat: S('dirfd path timeval_pair'),
  utime: S('path utimbuf'),
  setxattr: S('path str xattr_value:3 uint xattr_flags'),
  lsetxattr: S('path str xattr_value:3 uint xattr_flags'),
  fsetxattr: S('fd str xattr_value:3 uint xattr_flags'),
  getxattr: S('path str xattr_value_out uint'),
  lgetxattr: S('path str xattr_value_out uint'),
  fgetxattr: S('fd str xattr_value_out uint'),
  listxattr: S('path xattr_list:2 uint'),
  llistxattr: S('path xattr_list:2 uint'),
  flistxattr: S('fd xattr_list:2 uint'),
  removexattr: S('path str'),
  lremovexattr: S('path str'),
  fremovexattr: S('fd str'),
  sync: S(''),
  mount: S('path path mount_fstype mount_flags mount_data'),
  umount2: S('path umount_flags'),
  swapon: S('path swap_flags'),
  swapoff: S('path'),
  pivot_root: S('path path'),
  acct: S('path'),
  fsopen: S('str fsopen_flags', 'fd'),
  fsconfig: S('fd fsconfig_cmd fsconfig_key fsconfig_value fsconfig_aux'),
  fsmount: S('fd fsmount_flags fsmount_attrs', 'fd'),
  move_mount: S('dirfd path dirfd path move_mount_flags'),
  open_tree: S('dirfd path open_tree_flags', 'fd'),
  fspick: S('dirfd path fspick_flags', 'fd'),
  uselib: S('path'),
  readahead: S('fd offset uint'),
  syncfs: S('fd'),
  chroot: S('path'),
  openat2: S('dirfd path open_how:3 uint', 'fd'),
  memfd_create: S('str memfdflags', 'fd'),
  inotify_init: S('', 'fd'),
  inotify_init1: S('inotify_init_flags', 'fd'),
  inotify_add_watch: S('fd path inotify_mask'),
  inotify_rm_watch: S('fd int'),
};
