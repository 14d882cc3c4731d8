/**
 * The flags of calls that make or move descriptors, each from its own family as strace prints
 * them (EFD_CLOEXEC, not O_CLOEXEC): pipe2/dup3 (O_*), eventfd2, epoll_create1, timerfd_*,
 * signalfd4; and timerfd's struct itimerspec. Orders: strace 6.1 with every bit set.
 */
import type { FlagTable } from '../../flags.js';
import * as F from '../../flags.js';
import { Cap } from '../../records.js';
import { hex, pack, type ArgType } from '../types.js';
import { flags, xval } from '../xlat.js';

const O_CLOEXEC = 0o2000000;
const O_NONBLOCK = 0o4000;
const EFD_FLAGS: FlagTable = [
  [1, 'EFD_SEMAPHORE'],
  [O_CLOEXEC, 'EFD_CLOEXEC'],
  [O_NONBLOCK, 'EFD_NONBLOCK'],
];
const EPOLL_FLAGS: FlagTable = [[O_CLOEXEC, 'EPOLL_CLOEXEC']];
/** timerfd_create's and timerfd_settime's flags share one table in strace. */
const TFD_FLAGS: FlagTable = [
  [1, 'TFD_TIMER_ABSTIME'],
  [2, 'TFD_TIMER_CANCEL_ON_SET'],
  [O_CLOEXEC, 'TFD_CLOEXEC'],
  [O_NONBLOCK, 'TFD_NONBLOCK'],
];
const SFD_FLAGS: FlagTable = [
  [O_CLOEXEC, 'SFD_CLOEXEC'],
  [O_NONBLOCK, 'SFD_NONBLOCK'],
];

const u32 = (v: bigint): number => Number(v & 0xffffffffn);

const itimerspecText = (d: Buffer): string =>
  `{it_interval={tv_sec=${d.readBigInt64LE(0)}, tv_nsec=${d.readBigInt64LE(8)}}, it_value={tv_sec=${d.readBigInt64LE(16)}, tv_nsec=${d.readBigInt64LE(24)}}}`;
const itimerspec: ArgType['render'] = (a) => (a.c!.data.length >= 32 ? itimerspecText(a.c!.data) : hex(a.v));

export const FDFLAG_TYPES: Record<string, ArgType> = {
  /** pipe2's and dup3's O_* flags (no access mode). */
  fdoflags: { render: (a) => flags(u32(a.v), F.OPEN_FLAGS, 'O_???') },
  efdflags: { render: (a) => flags(u32(a.v), EFD_FLAGS, 'EFD_???') },
  epollflags: { render: (a) => flags(u32(a.v), EPOLL_FLAGS, 'EPOLL_???') },
  tfdflags: { render: (a) => flags(u32(a.v), TFD_FLAGS, 'TFD_???') },
  sfdflags: { render: (a) => flags(u32(a.v), SFD_FLAGS, 'SFD_???') },
  tfd_itimerspec: { capture: () => pack(Cap.structIn, 0, 32), memory: true, render: itimerspec },
  tfd_itimerspec_out: { capture: () => pack(Cap.structOut, 0, 32), output: true, memory: true, render: itimerspec },
};

const FADVICE: FlagTable = [
  [0, 'POSIX_FADV_NORMAL'],
  [1, 'POSIX_FADV_RANDOM'],
  [2, 'POSIX_FADV_SEQUENTIAL'],
  [3, 'POSIX_FADV_WILLNEED'],
  [4, 'POSIX_FADV_DONTNEED'],
  [5, 'POSIX_FADV_NOREUSE'],
];
const FALLOC_FLAGS: FlagTable = [
  [0x1, 'FALLOC_FL_KEEP_SIZE'],
  [0x2, 'FALLOC_FL_PUNCH_HOLE'],
  [0x4, 'FALLOC_FL_NO_HIDE_STALE'],
  [0x8, 'FALLOC_FL_COLLAPSE_RANGE'],
  [0x10, 'FALLOC_FL_ZERO_RANGE'],
  [0x20, 'FALLOC_FL_INSERT_RANGE'],
  [0x40, 'FALLOC_FL_UNSHARE_RANGE'],
];
const LOCK_OPS: FlagTable = [
  [0x1, 'LOCK_SH'],
  [0x2, 'LOCK_EX'],
  [0x4, 'LOCK_NB'],
  [0x8, 'LOCK_UN'],
  [0x20, 'LOCK_MAND'],
  [0xc0, 'LOCK_RW'],
  [0x40, 'LOCK_READ'],
  [0x80, 'LOCK_WRITE'],
];
const SPLICE_FLAGS: FlagTable = [
  [0x1, 'SPLICE_F_MOVE'],
  [0x2, 'SPLICE_F_NONBLOCK'],
  [0x4, 'SPLICE_F_MORE'],
  [0x8, 'SPLICE_F_GIFT'],
];
const CLOSE_RANGE_FLAGS: FlagTable = [
  [0x2, 'CLOSE_RANGE_UNSHARE'],
  [0x4, 'CLOSE_RANGE_CLOEXEC'],
];

/** A pointer to a loff_t: `[5]`; sendfile's is updated: `[2] => [7]` once it succeeded. */
function offsetText(a: Parameters<ArgType['render']>[0], updated: boolean): string {
  const at = (phase: 0 | 1) =>
    a.captures.find((c) => c.arg === a.i && c.phase === phase && c.kind === Cap.structInOut && c.data.length >= 8);
  const entry = at(0);
  if (!entry) return hex(a.v);
  const exit = updated && !a.failed ? at(1) : undefined;
  const before = `[${entry.data.readBigInt64LE(0)}]`;
  return exit ? `${before} => [${exit.data.readBigInt64LE(0)}]` : before;
}

export const FDIO_TYPES: Record<string, ArgType> = {
  /** A 64-bit signed offset or length (loff_t). */
  off64: { render: (a) => String(BigInt.asIntN(64, a.v)) },
  fadvice: { render: (a) => xval(u32(a.v), FADVICE, 'POSIX_FADV_???') },
  fallocmode: { render: (a) => flags(u32(a.v), FALLOC_FLAGS, 'FALLOC_FL_???') },
  lockop: { render: (a) => flags(u32(a.v), LOCK_OPS, 'LOCK_???') },
  spliceflags: { render: (a) => flags(u32(a.v), SPLICE_FLAGS, 'SPLICE_F_???') },
  closerangeflags: { render: (a) => flags(u32(a.v), CLOSE_RANGE_FLAGS, 'CLOSE_RANGE_???') },
  /** An unsigned int printed in decimal (close_range's fds, copy_file_range's flags). */
  u32: { render: (a) => String(u32(a.v)) },
  offptr: { capture: () => pack(Cap.structInOut, 0, 8), memory: true, render: (a) => offsetText(a, false) },
  offptr_upd: { capture: () => pack(Cap.structInOut, 0, 8), memory: true, render: (a) => offsetText(a, true) },
};
