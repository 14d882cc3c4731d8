/**
 * The flags of calls that make or move descriptors, each from its own family as strace prints
 * them (EFD_CLOEXEC, not O_CLOEXEC): pipe2/dup3 (O_*), eventfd2, epoll_create1, timerfd_*,
 * signalfd4; and timerfd's struct itimerspec. Orders: strace 6.1 with every bit set.
 */
import type { FlagTable } from '../../flags.js';
import * as F from '../../flags.js';
import { Cap } from '../../records.js';
import { hex, pack, type ArgType } from '../types.js';
import { flags } from '../xlat.js';

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
