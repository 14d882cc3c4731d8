/**
 * Constant tables of the file, stat, xattr and memory syscalls, in strace 6's print order (read off
 * strace's own output for values with every bit set: test/trace/decode-fs.test.ts checks them).
 * strace keeps one table per syscall family, not one per bit: 0x200 is AT_REMOVEDIR for unlinkat
 * and AT_EACCESS for faccessat2.
 */
import { renderFlags, type FlagTable } from './flags.js';

/** faccessat2's flags. */
export const FACCESSAT_FLAGS: FlagTable = [
  [0x100, 'AT_SYMLINK_NOFOLLOW'],
  [0x200, 'AT_EACCESS'],
  [0x1000, 'AT_EMPTY_PATH'],
];

export const AT_STATX_SYNC_TYPES: FlagTable = [
  [0x2000, 'AT_STATX_FORCE_SYNC'],
  [0x4000, 'AT_STATX_DONT_SYNC'],
];

export const STATX_MASK: FlagTable = [
  [0xfff, 'STATX_ALL'],
  [0x7ff, 'STATX_BASIC_STATS'],
  [0x1, 'STATX_TYPE'],
  [0x2, 'STATX_MODE'],
  [0x4, 'STATX_NLINK'],
  [0x8, 'STATX_UID'],
  [0x10, 'STATX_GID'],
  [0x20, 'STATX_ATIME'],
  [0x40, 'STATX_MTIME'],
  [0x80, 'STATX_CTIME'],
  [0x100, 'STATX_INO'],
  [0x200, 'STATX_SIZE'],
  [0x400, 'STATX_BLOCKS'],
  [0x800, 'STATX_BTIME'],
  [0x1000, 'STATX_MNT_ID'],
  [0x2000, 'STATX_DIOALIGN'],
];

export const STATX_ATTRS: FlagTable = [
  [0x4, 'STATX_ATTR_COMPRESSED'],
  [0x10, 'STATX_ATTR_IMMUTABLE'],
  [0x20, 'STATX_ATTR_APPEND'],
  [0x40, 'STATX_ATTR_NODUMP'],
  [0x800, 'STATX_ATTR_ENCRYPTED'],
  [0x1000, 'STATX_ATTR_AUTOMOUNT'],
  [0x2000, 'STATX_ATTR_MOUNT_ROOT'],
  [0x100000, 'STATX_ATTR_VERITY'],
  [0x200000, 'STATX_ATTR_DAX'],
];

export const STATFS_FLAGS: FlagTable = [
  [0x20, 'ST_VALID'],
  [0x1, 'ST_RDONLY'],
  [0x2, 'ST_NOSUID'],
  [0x4, 'ST_NODEV'],
  [0x8, 'ST_NOEXEC'],
  [0x10, 'ST_SYNCHRONOUS'],
  [0x40, 'ST_MANDLOCK'],
  [0x400, 'ST_NOATIME'],
  [0x800, 'ST_NODIRATIME'],
  [0x1000, 'ST_RELATIME'],
  [0x2000, 'ST_NOSYMFOLLOW'],
];

/** statfs's f_type (the names strace 6.1 knows; an unknown magic prints as hex). */
export const FS_MAGIC: FlagTable = (
  [
    ['QNX4_SUPER_MAGIC', 0x2f],
    ['Z3FOLD_MAGIC', 0x33],
    ['AUTOFS_SUPER_MAGIC', 0x187],
    ['DEVFS_SUPER_MAGIC', 0x1373],
    ['EXT_SUPER_MAGIC', 0x137d],
    ['MINIX_SUPER_MAGIC', 0x137f],
    ['MINIX_SUPER_MAGIC2', 0x138f],
    ['DEVPTS_SUPER_MAGIC', 0x1cd1],
    ['MINIX2_SUPER_MAGIC', 0x2468],
    ['MINIX2_SUPER_MAGIC2', 0x2478],
    ['NILFS_SUPER_MAGIC', 0x3434],
    ['HFS_SUPER_MAGIC', 0x4244],
    ['HFSPLUS_SUPER_MAGIC', 0x482b],
    ['MSDOS_SUPER_MAGIC', 0x4d44],
    ['MINIX3_SUPER_MAGIC', 0x4d5a],
    ['SMB_SUPER_MAGIC', 0x517b],
    ['NCP_SUPER_MAGIC', 0x564c],
    ['EXOFS_SUPER_MAGIC', 0x5df5],
    ['NFS_SUPER_MAGIC', 0x6969],
    ['ROMFS_MAGIC', 0x7275],
    ['JFFS2_SUPER_MAGIC', 0x72b6],
    ['ISOFS_SUPER_MAGIC', 0x9660],
    ['PROC_SUPER_MAGIC', 0x9fa0],
    ['OPENPROM_SUPER_MAGIC', 0x9fa1],
    ['USBDEVICE_SUPER_MAGIC', 0x9fa2],
    ['ADFS_SUPER_MAGIC', 0xadf5],
    ['AFFS_SUPER_MAGIC', 0xadff],
    ['EXT2_OLD_SUPER_MAGIC', 0xef51],
    ['EXT2_SUPER_MAGIC', 0xef53],
    ['ECRYPTFS_SUPER_MAGIC', 0xf15f],
    ['UFS_MAGIC', 0x11954],
    ['CGROUP_SUPER_MAGIC', 0x27e0eb],
    ['EFS_SUPER_MAGIC', 0x414a53],
    ['HOSTFS_SUPER_MAGIC', 0xc0ffee],
    ['CEPH_SUPER_MAGIC', 0xc36400],
    ['TMPFS_MAGIC', 0x1021994],
    ['V9FS_MAGIC', 0x1021997],
    ['GFS2_MAGIC', 0x1161970],
    ['XIAFS_SUPER_MAGIC', 0x12fd16d],
    ['XENIX_SUPER_MAGIC', 0x12ff7b4],
    ['SYSV4_SUPER_MAGIC', 0x12ff7b5],
    ['SYSV2_SUPER_MAGIC', 0x12ff7b6],
    ['COH_SUPER_MAGIC', 0x12ff7b7],
    ['SHMFS_SUPER_MAGIC', 0x2011994],
    ['ANON_INODE_FS_MAGIC', 0x9041934],
    ['FUTEXFS_SUPER_MAGIC', 0xbad1dea],
    ['LL_SUPER_MAGIC', 0xbd00bd0],
    ['LUSTRE_SUPER_MAGIC', 0xbd00bd1],
    ['MTD_INODE_FS_MAGIC', 0x11307854],
    ['BALLOON_KVM_MAGIC', 0x13661366],
    ['UDF_SUPER_MAGIC', 0x15013346],
    ['BFS_MAGIC', 0x1badface],
    ['EXFAT_SUPER_MAGIC', 0x2011bab0],
    ['UBIFS_SUPER_MAGIC', 0x24051905],
    ['CRAMFS_MAGIC', 0x28cd3d45],
    ['ZFS_SUPER_MAGIC', 0x2fc12fc1],
    ['JFS_SUPER_MAGIC', 0x3153464a],
    ['BEFS_SUPER_MAGIC', 0x42465331],
    ['BINFMTFS_MAGIC', 0x42494e4d],
    ['SMACK_MAGIC', 0x43415d53],
    ['DMA_BUF_MAGIC', 0x444d4142],
    ['CRAMFS_MAGIC_WEND', 0x453dcd28],
    ['DEVMEM_MAGIC', 0x454d444d],
    ['GPFS_SUPER_MAGIC', 0x47504653],
    ['PIPEFS_MAGIC', 0x50495045],
    ['REISERFS_SUPER_MAGIC', 0x52654973],
    ['SECRETMEM_MAGIC', 0x5345434d],
    ['AFS_SUPER_MAGIC', 0x5346414f],
    ['NTFS_SB_MAGIC', 0x5346544e],
    ['SOCKFS_MAGIC', 0x534f434b],
    ['UFS_CIGAM', 0x54190100],
    ['VZFS_SUPER_MAGIC', 0x565a4653],
    ['STACK_END_MAGIC', 0x57ac6e9d],
    ['ZSMALLOC_MAGIC', 0x58295829],
    ['XFS_SUPER_MAGIC', 0x58465342],
    ['AAFS_MAGIC', 0x5a3c69f0],
    ['ZONEFS_MAGIC', 0x5a4f4653],
    ['PSTOREFS_MAGIC', 0x6165676c],
    ['AUFS_SUPER_MAGIC', 0x61756673],
    ['BDEVFS_MAGIC', 0x62646576],
    ['CONFIGFS_MAGIC', 0x62656570],
    ['SYSFS_MAGIC', 0x62656572],
    ['CGROUP2_SUPER_MAGIC', 0x63677270],
    ['DEBUGFS_MAGIC', 0x64626720],
    ['DAXFS_MAGIC', 0x64646178],
    ['FUSE_CTL_SUPER_MAGIC', 0x65735543],
    ['FUSE_SUPER_MAGIC', 0x65735546],
    ['QNX6_SUPER_MAGIC', 0x68191122],
    ['AFS_FS_MAGIC', 0x6b414653],
    ['BINDERFS_SUPER_MAGIC', 0x6c6f6f70],
    ['NSFS_MAGIC', 0x6e736673],
    ['SECURITYFS_MAGIC', 0x73636673],
    ['SQUASHFS_MAGIC', 0x73717368],
    ['BTRFS_TEST_MAGIC', 0x73727279],
    ['CODA_SUPER_MAGIC', 0x73757245],
    ['OCFS2_SUPER_MAGIC', 0x7461636f],
    ['TRACEFS_MAGIC', 0x74726163],
    ['OVERLAYFS_SUPER_MAGIC', 0x794c7630],
    ['RAMFS_MAGIC', 0x858458f6],
    ['BTRFS_SUPER_MAGIC', 0x9123683e],
    ['HUGETLBFS_MAGIC', 0x958458f6],
    ['VXFS_SUPER_MAGIC', 0xa501fcf5],
    ['XENFS_SUPER_MAGIC', 0xabba1974],
    ['PPC_CMM_MAGIC', 0xc7571590],
    ['LOGFS_MAGIC', 0xc97e8168],
    ['BPF_FS_MAGIC', 0xcafe4a11],
    ['EFIVARFS_MAGIC', 0xde5e81e4],
    ['EROFS_SUPER_MAGIC_V1', 0xe0f5e1e2],
    ['F2FS_SUPER_MAGIC', 0xf2f52010],
    ['SELINUX_MAGIC', 0xf97cff8c],
    ['HPFS_SUPER_MAGIC', 0xf995e849],
    ['SMB2_SUPER_MAGIC', 0xfe534d42],
    ['CIFS_SUPER_MAGIC', 0xff534d42],
  ] as const
).map(([name, v]) => [v, name] as const);

export const XATTR_FLAGS: FlagTable = [
  [1, 'XATTR_CREATE'],
  [2, 'XATTR_REPLACE'],
];

export const RENAME_FLAGS: FlagTable = [
  [1, 'RENAME_NOREPLACE'],
  [2, 'RENAME_EXCHANGE'],
  [4, 'RENAME_WHITEOUT'],
];

export const RESOLVE_FLAGS: FlagTable = [
  [0x1, 'RESOLVE_NO_XDEV'],
  [0x2, 'RESOLVE_NO_MAGICLINKS'],
  [0x4, 'RESOLVE_NO_SYMLINKS'],
  [0x8, 'RESOLVE_BENEATH'],
  [0x10, 'RESOLVE_IN_ROOT'],
  [0x20, 'RESOLVE_CACHED'],
];

export const MEMFD_FLAGS: FlagTable = [
  [1, 'MFD_CLOEXEC'],
  [2, 'MFD_ALLOW_SEALING'],
  [4, 'MFD_HUGETLB'],
];

export const INOTIFY_INIT_FLAGS: FlagTable = [
  [0o4000, 'IN_NONBLOCK'],
  [0o2000000, 'IN_CLOEXEC'],
];

export const INOTIFY_MASK: FlagTable = [
  [0x1, 'IN_ACCESS'],
  [0x2, 'IN_MODIFY'],
  [0x4, 'IN_ATTRIB'],
  [0x8, 'IN_CLOSE_WRITE'],
  [0x10, 'IN_CLOSE_NOWRITE'],
  [0x20, 'IN_OPEN'],
  [0x40, 'IN_MOVED_FROM'],
  [0x80, 'IN_MOVED_TO'],
  [0x100, 'IN_CREATE'],
  [0x200, 'IN_DELETE'],
  [0x400, 'IN_DELETE_SELF'],
  [0x800, 'IN_MOVE_SELF'],
  [0x2000, 'IN_UNMOUNT'],
  [0x4000, 'IN_Q_OVERFLOW'],
  [0x8000, 'IN_IGNORED'],
  [0x1000000, 'IN_ONLYDIR'],
  [0x2000000, 'IN_DONT_FOLLOW'],
  [0x4000000, 'IN_EXCL_UNLINK'],
  [0x10000000, 'IN_MASK_CREATE'],
  [0x20000000, 'IN_MASK_ADD'],
  [0x40000000, 'IN_ISDIR'],
  [0x80000000, 'IN_ONESHOT'],
];

/** `A|B|0x40|21<<SHIFT_NAME`: flags whose bits 26..31 hold a page-size shift (mmap, memfd_create). */
export function renderHugeFlags(v: number, table: FlagTable, shiftName: string, zero = '0'): string {
  const huge = (v >>> 26) & 63;
  const rest = renderFlags(v & 0x3ffffff, table, '');
  const parts = [rest, huge ? `${huge}<<${shiftName}` : ''].filter(Boolean);
  return parts.length ? parts.join('|') : zero;
}

export const MREMAP_FLAGS: FlagTable = [
  [1, 'MREMAP_MAYMOVE'],
  [2, 'MREMAP_FIXED'],
  [4, 'MREMAP_DONTUNMAP'],
];

export const MSYNC_FLAGS: FlagTable = [
  [4, 'MS_SYNC'],
  [1, 'MS_ASYNC'],
  [2, 'MS_INVALIDATE'],
];

export const MLOCK_FLAGS: FlagTable = [[1, 'MLOCK_ONFAULT']];

export const MLOCKALL_FLAGS: FlagTable = [
  [1, 'MCL_CURRENT'],
  [2, 'MCL_FUTURE'],
  [4, 'MCL_ONFAULT'],
];

export const MEMBARRIER_CMDS: FlagTable = [
  [0, 'MEMBARRIER_CMD_QUERY'],
  [1, 'MEMBARRIER_CMD_GLOBAL'],
  [2, 'MEMBARRIER_CMD_GLOBAL_EXPEDITED'],
  [4, 'MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED'],
  [8, 'MEMBARRIER_CMD_PRIVATE_EXPEDITED'],
  [16, 'MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED'],
  [32, 'MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE'],
  [64, 'MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE'],
  [128, 'MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ'],
  [256, 'MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_RSEQ'],
];

export const PKEY_ACCESS: FlagTable = [
  [1, 'PKEY_DISABLE_ACCESS'],
  [2, 'PKEY_DISABLE_WRITE'],
  [4, 'PKEY_DISABLE_EXECUTE'],
];

export const MEMBARRIER_FLAGS: FlagTable = [[1, 'MEMBARRIER_CMD_FLAG_CPU']];

/**
 * strace's printflags: names in table order, then the unknown rest in hex; a value where no name
 * matched prints as `0x10 /* PROT_??? *\/` (the table's default comment); 0 prints `zero`.
 */
export function renderFlagsDflt(value: number | bigint, table: FlagTable, dflt: string, zero = '0'): string {
  const v = BigInt.asUintN(64, BigInt(value));
  if (v === 0n) return zero;
  const text = renderFlags(v, table, zero);
  return text.startsWith('0x') ? `${text} /* ${dflt} */` : text;
}

/** strace's printxval: the name, or `0x5 /* MADV_??? *\/`. */
export function renderEnumDflt(value: number, table: FlagTable, dflt: string): string {
  for (const [v, name] of table) if (v === value) return name;
  return `0x${(value >>> 0).toString(16)} /* ${dflt} */`;
}

export const MOUNT_FLAGS: FlagTable =
  [
  'MS_RDONLY', 'MS_NOSUID', 'MS_NODEV', 'MS_NOEXEC', 'MS_SYNCHRONOUS', 'MS_REMOUNT', 'MS_MANDLOCK',
  'MS_DIRSYNC', 'MS_NOSYMFOLLOW', '', 'MS_NOATIME', 'MS_NODIRATIME', 'MS_BIND', 'MS_MOVE', 'MS_REC',
  'MS_SILENT', 'MS_POSIXACL', 'MS_UNBINDABLE', 'MS_PRIVATE', 'MS_SLAVE', 'MS_SHARED', 'MS_RELATIME',
  'MS_KERNMOUNT', 'MS_I_VERSION', 'MS_STRICTATIME', 'MS_LAZYTIME', 'MS_SUBMOUNT', 'MS_NOREMOTELOCK',
  'MS_NOSEC', 'MS_BORN', 'MS_ACTIVE', 'MS_NOUSER',
] // prettier-ignore
    .map((name, bit) => [2 ** bit, name] as const)
    .filter(([, name]) => name !== '');

export const UMOUNT_FLAGS: FlagTable = [
  [1, 'MNT_FORCE'],
  [2, 'MNT_DETACH'],
  [4, 'MNT_EXPIRE'],
  [8, 'UMOUNT_NOFOLLOW'],
];

export const SWAP_FLAGS: FlagTable = [
  [0x8000, 'SWAP_FLAG_PREFER'],
  [0x10000, 'SWAP_FLAG_DISCARD'],
  [0x20000, 'SWAP_FLAG_DISCARD_ONCE'],
  [0x40000, 'SWAP_FLAG_DISCARD_PAGES'],
];

export const USERFAULTFD_FLAGS: FlagTable = [
  [1, 'UFFD_USER_MODE_ONLY'],
  [0o4000, 'O_NONBLOCK'],
  [0o2000000, 'O_CLOEXEC'],
];

export const MPOL_MODES: FlagTable = [
  [0, 'MPOL_DEFAULT'],
  [1, 'MPOL_PREFERRED'],
  [2, 'MPOL_BIND'],
  [3, 'MPOL_INTERLEAVE'],
  [4, 'MPOL_LOCAL'],
  [5, 'MPOL_PREFERRED_MANY'],
];

export const MPOL_MODE_FLAGS: FlagTable = [
  [1 << 15, 'MPOL_F_STATIC_NODES'],
  [1 << 14, 'MPOL_F_RELATIVE_NODES'],
  [1 << 13, 'MPOL_F_NUMA_BALANCING'],
];

export const MBIND_FLAGS: FlagTable = [
  [1, 'MPOL_MF_STRICT'],
  [2, 'MPOL_MF_MOVE'],
  [4, 'MPOL_MF_MOVE_ALL'],
];

export const GET_MEMPOLICY_FLAGS: FlagTable = [
  [1, 'MPOL_F_NODE'],
  [2, 'MPOL_F_ADDR'],
  [4, 'MPOL_F_MEMS_ALLOWED'],
];

/** The new mount API (fsopen, fsconfig, fsmount, move_mount, open_tree, fspick). */
export const FSOPEN_FLAGS: FlagTable = [[1, 'FSOPEN_CLOEXEC']];
export const FSMOUNT_FLAGS: FlagTable = [[1, 'FSMOUNT_CLOEXEC']];
export const FSPICK_FLAGS: FlagTable = [
  [1, 'FSPICK_CLOEXEC'],
  [2, 'FSPICK_SYMLINK_NOFOLLOW'],
  [4, 'FSPICK_NO_AUTOMOUNT'],
  [8, 'FSPICK_EMPTY_PATH'],
];
/** fsmount's attr_flags (strace 6.1's table has no IDMAP/NOSYMFOLLOW here). */
export const FSMOUNT_ATTRS: FlagTable = [
  [0x1, 'MOUNT_ATTR_RDONLY'],
  [0x2, 'MOUNT_ATTR_NOSUID'],
  [0x4, 'MOUNT_ATTR_NODEV'],
  [0x8, 'MOUNT_ATTR_NOEXEC'],
  [0x10, 'MOUNT_ATTR_NOATIME'],
  [0x20, 'MOUNT_ATTR_STRICTATIME'],
  [0x80, 'MOUNT_ATTR_NODIRATIME'],
];
export const MOVE_MOUNT_FLAGS: FlagTable = [
  [0x1, 'MOVE_MOUNT_F_SYMLINKS'],
  [0x2, 'MOVE_MOUNT_F_AUTOMOUNTS'],
  [0x4, 'MOVE_MOUNT_F_EMPTY_PATH'],
  [0x10, 'MOVE_MOUNT_T_SYMLINKS'],
  [0x20, 'MOVE_MOUNT_T_AUTOMOUNTS'],
  [0x40, 'MOVE_MOUNT_T_EMPTY_PATH'],
  [0x100, 'MOVE_MOUNT_SET_GROUP'],
];
export const OPEN_TREE_FLAGS: FlagTable = [
  [1, 'OPEN_TREE_CLONE'],
  [0o2000000, 'OPEN_TREE_CLOEXEC'],
];
export const FSCONFIG_CMDS: FlagTable = [
  [0, 'FSCONFIG_SET_FLAG'],
  [1, 'FSCONFIG_SET_STRING'],
  [2, 'FSCONFIG_SET_BINARY'],
  [3, 'FSCONFIG_SET_PATH'],
  [4, 'FSCONFIG_SET_PATH_EMPTY'],
  [5, 'FSCONFIG_SET_FD'],
  [6, 'FSCONFIG_CMD_CREATE'],
  [7, 'FSCONFIG_CMD_RECONFIGURE'],
];
