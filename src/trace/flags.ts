/** Flag and constant tables of the x86_64 ABI, and the helpers that render them strace-style. */

export type FlagTable = ReadonlyArray<readonly [number, string]>;

/** The names of the table's flags set in value, in table order, and the bits no name covers. */
export function splitFlags(value: number | bigint, table: FlagTable): { names: string[]; rest: bigint } {
  let rest = BigInt.asUintN(64, BigInt(value));
  const names: string[] = [];
  for (const [bit, name] of table) {
    const b = BigInt(bit);
    if (b !== 0n && (rest & b) === b) {
      names.push(name);
      rest &= ~b;
    }
  }
  return { names, rest };
}

/** `A|B|0x40` for the set bits of value; `zero` when value is 0. */
export function renderFlags(value: number | bigint, table: FlagTable, zero = '0'): string {
  if (BigInt.asUintN(64, BigInt(value)) === 0n) return zero;
  const { names, rest } = splitFlags(value, table);
  if (rest !== 0n) names.push(`0x${rest.toString(16)}`);
  return names.join('|');
}

/** The name of a value, or its decimal text. */
export function renderEnum(value: number, table: FlagTable, fallback?: string): string {
  for (const [v, name] of table) if (v === value) return name;
  return fallback ?? String(value);
}

/** In strace's print order (checked against strace 6 on a program opening with every flag). */
export const OPEN_FLAGS: FlagTable = [
  [0o100, 'O_CREAT'],
  [0o200, 'O_EXCL'],
  [0o400, 'O_NOCTTY'],
  [0o1000, 'O_TRUNC'],
  [0o2000, 'O_APPEND'],
  [0o4000, 'O_NONBLOCK'],
  [0o4010000, 'O_SYNC'],
  [0o10000, 'O_DSYNC'],
  [0o40000, 'O_DIRECT'],
  [0o100000, 'O_LARGEFILE'],
  [0o400000, 'O_NOFOLLOW'],
  [0o1000000, 'O_NOATIME'],
  [0o2000000, 'O_CLOEXEC'],
  [0o10000000, 'O_PATH'],
  [0o20200000, 'O_TMPFILE'],
  [0o200000, 'O_DIRECTORY'],
  [0o20000, 'FASYNC'],
];

export function renderOpenFlags(v: number): string {
  const acc = ['O_RDONLY', 'O_WRONLY', 'O_RDWR', 'O_ACCMODE'][v & 3]!;
  const rest = renderFlags(v & ~3, OPEN_FLAGS, '');
  return rest ? `${acc}|${rest}` : acc;
}

export const AT_FLAGS: FlagTable = [
  [0x100, 'AT_SYMLINK_NOFOLLOW'],
  [0x200, 'AT_REMOVEDIR'],
  [0x400, 'AT_SYMLINK_FOLLOW'],
  [0x800, 'AT_NO_AUTOMOUNT'],
  [0x1000, 'AT_EMPTY_PATH'],
  [0x8000, 'AT_RECURSIVE'],
];

export const PROT_FLAGS: FlagTable = [
  [1, 'PROT_READ'],
  [2, 'PROT_WRITE'],
  [4, 'PROT_EXEC'],
  [8, 'PROT_SEM'],
  [0x01000000, 'PROT_GROWSDOWN'],
  [0x02000000, 'PROT_GROWSUP'],
];

export const MAP_FLAGS: FlagTable = [
  [0x10, 'MAP_FIXED'],
  [0x20, 'MAP_ANONYMOUS'],
  [0x40, 'MAP_32BIT'],
  [0x4000, 'MAP_NORESERVE'],
  [0x8000, 'MAP_POPULATE'],
  [0x10000, 'MAP_NONBLOCK'],
  [0x100, 'MAP_GROWSDOWN'],
  [0x800, 'MAP_DENYWRITE'],
  [0x1000, 'MAP_EXECUTABLE'],
  [0x2000, 'MAP_LOCKED'],
  [0x20000, 'MAP_STACK'],
  [0x40000, 'MAP_HUGETLB'],
  [0x80000, 'MAP_SYNC'],
  [0x100000, 'MAP_FIXED_NOREPLACE'],
];

/**
 * mmap's flags as strace prints them: the mapping type (MAP_FILE for 0, hex and a MAP_??? comment for
 * an unknown one), the flag bits, then the page-size field of bits 26..31 as `21<<MAP_HUGE_SHIFT`.
 */
export function renderMapFlags(v: number): string {
  const t = v & 0xf;
  const type =
    ['MAP_FILE', 'MAP_SHARED', 'MAP_PRIVATE', 'MAP_SHARED_VALIDATE'][t] ?? `0x${t.toString(16)} /* MAP_??? */`;
  const rest = renderFlags(v & ~0xf & 0x3ffffff, MAP_FLAGS, '');
  const huge = (v >>> 26) & 63;
  return [type, rest, huge ? `${huge}<<MAP_HUGE_SHIFT` : ''].filter(Boolean).join('|');
}

export const CLONE_FLAGS: FlagTable = [
  [0x100, 'CLONE_VM'],
  [0x200, 'CLONE_FS'],
  [0x400, 'CLONE_FILES'],
  [0x800, 'CLONE_SIGHAND'],
  [0x1000, 'CLONE_PIDFD'],
  [0x2000, 'CLONE_PTRACE'],
  [0x4000, 'CLONE_VFORK'],
  [0x8000, 'CLONE_PARENT'],
  [0x10000, 'CLONE_THREAD'],
  [0x20000, 'CLONE_NEWNS'],
  [0x40000, 'CLONE_SYSVSEM'],
  [0x80000, 'CLONE_SETTLS'],
  [0x100000, 'CLONE_PARENT_SETTID'],
  [0x200000, 'CLONE_CHILD_CLEARTID'],
  [0x400000, 'CLONE_DETACHED'],
  [0x800000, 'CLONE_UNTRACED'],
  [0x1000000, 'CLONE_CHILD_SETTID'],
  [0x2000000, 'CLONE_NEWCGROUP'],
  [0x4000000, 'CLONE_NEWUTS'],
  [0x8000000, 'CLONE_NEWIPC'],
  [0x10000000, 'CLONE_NEWUSER'],
  [0x20000000, 'CLONE_NEWPID'],
  [0x40000000, 'CLONE_NEWNET'],
  [0x80000000, 'CLONE_IO'],
];

/** In strace's print order (strace 6 on a sigaction with every bit set). */
export const SA_FLAGS: FlagTable = [
  [0x04000000, 'SA_RESTORER'],
  [0x08000000, 'SA_ONSTACK'],
  [0x10000000, 'SA_RESTART'],
  [0x20000000, 'SA_INTERRUPT'],
  [0x40000000, 'SA_NODEFER'],
  [0x80000000, 'SA_RESETHAND'],
  [4, 'SA_SIGINFO'],
  [1, 'SA_NOCLDSTOP'],
  [2, 'SA_NOCLDWAIT'],
];

export const FUTEX_OPS: FlagTable = [
  [0, 'FUTEX_WAIT'],
  [1, 'FUTEX_WAKE'],
  [2, 'FUTEX_FD'],
  [3, 'FUTEX_REQUEUE'],
  [4, 'FUTEX_CMP_REQUEUE'],
  [5, 'FUTEX_WAKE_OP'],
  [6, 'FUTEX_LOCK_PI'],
  [7, 'FUTEX_UNLOCK_PI'],
  [8, 'FUTEX_TRYLOCK_PI'],
  [9, 'FUTEX_WAIT_BITSET'],
  [10, 'FUTEX_WAKE_BITSET'],
  [11, 'FUTEX_WAIT_REQUEUE_PI'],
  [12, 'FUTEX_CMP_REQUEUE_PI'],
  [13, 'FUTEX_LOCK_PI2'],
];

/** `FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME`, or `0x63 /* FUTEX_??? *\/`. */
export function renderFutexOp(v: number): string {
  const cmd = v & 0x7f;
  const name = FUTEX_OPS.find(([c]) => c === cmd)?.[1];
  const rest = v & ~(0x7f | 128 | 256);
  if (!name || rest) return renderXlat(v & ~256, [], 'FUTEX_???') + (v & 256 ? '|FUTEX_CLOCK_REALTIME' : '');
  return `${name}${v & 128 ? '_PRIVATE' : ''}${v & 256 ? '|FUTEX_CLOCK_REALTIME' : ''}`;
}

export const EPOLL_EVENTS: FlagTable = [
  [0x1, 'EPOLLIN'],
  [0x2, 'EPOLLPRI'],
  [0x4, 'EPOLLOUT'],
  [0x8, 'EPOLLERR'],
  [0x10, 'EPOLLHUP'],
  [0x20, 'EPOLLNVAL'],
  [0x40, 'EPOLLRDNORM'],
  [0x80, 'EPOLLRDBAND'],
  [0x100, 'EPOLLWRNORM'],
  [0x200, 'EPOLLWRBAND'],
  [0x400, 'EPOLLMSG'],
  [0x2000, 'EPOLLRDHUP'],
  [1 << 28, 'EPOLLEXCLUSIVE'],
  [1 << 29, 'EPOLLWAKEUP'],
  [1 << 30, 'EPOLLONESHOT'],
  [2 ** 31, 'EPOLLET'],
];

export const POLL_EVENTS: FlagTable = EPOLL_EVENTS.slice(0, 11).map(([v, n]) => [v, n.replace('EPOLL', 'POLL')]);

export const EPOLL_CTL_OPS: FlagTable = [
  [1, 'EPOLL_CTL_ADD'],
  [2, 'EPOLL_CTL_DEL'],
  [3, 'EPOLL_CTL_MOD'],
];

export const SIGPROCMASK_HOW: FlagTable = [
  [0, 'SIG_BLOCK'],
  [1, 'SIG_UNBLOCK'],
  [2, 'SIG_SETMASK'],
];

export const SEEK_WHENCE: FlagTable = [
  [0, 'SEEK_SET'],
  [1, 'SEEK_CUR'],
  [2, 'SEEK_END'],
  [3, 'SEEK_DATA'],
  [4, 'SEEK_HOLE'],
];

export const ACCESS_MODES: FlagTable = [
  [4, 'R_OK'],
  [2, 'W_OK'],
  [1, 'X_OK'],
];

export const ARCH_PRCTL: FlagTable = [
  [0x1001, 'ARCH_SET_GS'],
  [0x1002, 'ARCH_SET_FS'],
  [0x1003, 'ARCH_GET_FS'],
  [0x1004, 'ARCH_GET_GS'],
  [0x1011, 'ARCH_GET_CPUID'],
  [0x1012, 'ARCH_SET_CPUID'],
  [0x3001, 'ARCH_CET_STATUS'],
  [0x5001, 'ARCH_SHSTK_ENABLE'],
];

export const MADVISE: FlagTable = [
  [0, 'MADV_NORMAL'],
  [1, 'MADV_RANDOM'],
  [2, 'MADV_SEQUENTIAL'],
  [3, 'MADV_WILLNEED'],
  [4, 'MADV_DONTNEED'],
  [8, 'MADV_FREE'],
  [9, 'MADV_REMOVE'],
  [10, 'MADV_DONTFORK'],
  [11, 'MADV_DOFORK'],
  [12, 'MADV_MERGEABLE'],
  [13, 'MADV_UNMERGEABLE'],
  [14, 'MADV_HUGEPAGE'],
  [15, 'MADV_NOHUGEPAGE'],
  [16, 'MADV_DONTDUMP'],
  [17, 'MADV_DODUMP'],
  [18, 'MADV_WIPEONFORK'],
  [19, 'MADV_KEEPONFORK'],
  [20, 'MADV_COLD'],
  [21, 'MADV_PAGEOUT'],
  [22, 'MADV_POPULATE_READ'],
  [23, 'MADV_POPULATE_WRITE'],
  [24, 'MADV_DONTNEED_LOCKED'],
  [25, 'MADV_COLLAPSE'],
  [100, 'MADV_HWPOISON'],
  [101, 'MADV_SOFT_OFFLINE'],
];

export const RLIMITS: FlagTable = [
  [0, 'RLIMIT_CPU'],
  [1, 'RLIMIT_FSIZE'],
  [2, 'RLIMIT_DATA'],
  [3, 'RLIMIT_STACK'],
  [4, 'RLIMIT_CORE'],
  [5, 'RLIMIT_RSS'],
  [6, 'RLIMIT_NPROC'],
  [7, 'RLIMIT_NOFILE'],
  [8, 'RLIMIT_MEMLOCK'],
  [9, 'RLIMIT_AS'],
  [10, 'RLIMIT_LOCKS'],
  [11, 'RLIMIT_SIGPENDING'],
  [12, 'RLIMIT_MSGQUEUE'],
  [13, 'RLIMIT_NICE'],
  [14, 'RLIMIT_RTPRIO'],
  [15, 'RLIMIT_RTTIME'],
];

export const CLOCKS: FlagTable = [
  [0, 'CLOCK_REALTIME'],
  [1, 'CLOCK_MONOTONIC'],
  [2, 'CLOCK_PROCESS_CPUTIME_ID'],
  [3, 'CLOCK_THREAD_CPUTIME_ID'],
  [4, 'CLOCK_MONOTONIC_RAW'],
  [5, 'CLOCK_REALTIME_COARSE'],
  [6, 'CLOCK_MONOTONIC_COARSE'],
  [7, 'CLOCK_BOOTTIME'],
  [8, 'CLOCK_REALTIME_ALARM'],
  [9, 'CLOCK_BOOTTIME_ALARM'],
  [10, 'CLOCK_SGI_CYCLE'],
  [11, 'CLOCK_TAI'],
];

export const S_IFMT: FlagTable = [
  [0o140000, 'S_IFSOCK'],
  [0o120000, 'S_IFLNK'],
  [0o100000, 'S_IFREG'],
  [0o60000, 'S_IFBLK'],
  [0o40000, 'S_IFDIR'],
  [0o20000, 'S_IFCHR'],
  [0o10000, 'S_IFIFO'],
];

/**
 * A mode: without the type, strace's %#03o of the whole value (chmod's 07755); with it, strace's
 * symbolic form S_IFREG|S_ISUID|0755 (a type it does not know: the whole value in octal).
 */
export function renderMode(mode: number, withType: boolean): string {
  const octal = (v: number) => (v === 0 ? '000' : `0${v.toString(8)}`.padStart(3, '0'));
  if (!withType) return octal(mode >>> 0);
  const ifmt = mode & 0o170000;
  const type = ifmt ? S_IFMT.find(([v]) => ifmt === v)?.[1] : '';
  if (type === undefined) return octal(mode >>> 0);
  const parts = [type];
  if (mode & 0o4000) parts.push('S_ISUID');
  if (mode & 0o2000) parts.push('S_ISGID');
  if (mode & 0o1000) parts.push('S_ISVTX');
  parts.push(octal(mode & 0o777));
  return parts.filter(Boolean).join('|');
}

/** strace's printxval: the name, or `0x63 /* RLIMIT_??? *\/` (the value as a 32-bit hex). */
export function renderXlat(value: number, table: FlagTable, tag: string): string {
  for (const [v, name] of table) if (v === value) return name;
  return `${value === 0 ? '0' : `0x${(value >>> 0).toString(16)}`} /* ${tag} */`;
}

/**
 * strace's printflags: known bits in table order, then the rest in hex; a value with no known
 * bit is `0x8 /* GRND_??? *\/`.
 */
export function renderFlagsX(value: number | bigint, table: FlagTable, tag: string, zero = '0'): string {
  const text = renderFlags(value, table, zero);
  return /^0x[0-9a-f]+$/.test(text) ? `${text} /* ${tag} */` : text;
}
