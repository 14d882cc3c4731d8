/**
 * Clocks, timers and time structs as strace 6 prints them: timespec, timeval, itimerval,
 * itimerspec, struct tms, struct sigevent, clock ids, TIMER_ABSTIME, time()'s ISO comment.
 */
import * as F from '../../flags.js';
import { Cap } from '../../records.js';
import { signalName } from '../../signals.js';
import { hex, i32, i64, pack, ptr, type ArgCtx, type ArgType, type RetPrinter } from '../types.js';

/** `{tv_sec=1, tv_nsec=500}`: tv_nsec unsigned (strace's %llu), as a bad value shows. */
export function timespecText(d: Buffer, at = 0): string {
  return `{tv_sec=${d.readBigInt64LE(at)}, tv_nsec=${d.readBigUInt64LE(at + 8)}}`;
}

export function timevalText(d: Buffer, at = 0): string {
  return `{tv_sec=${d.readBigInt64LE(at)}, tv_usec=${d.readBigUInt64LE(at + 8)}}`;
}

const timespec: ArgType['render'] = (a) => (a.c!.data.length >= 16 ? timespecText(a.c!.data) : hex(a.v));

const ITIMERS: F.FlagTable = [
  [0, 'ITIMER_REAL'],
  [1, 'ITIMER_VIRTUAL'],
  [2, 'ITIMER_PROF'],
];

const TIMER_FLAGS: F.FlagTable = [[1, 'TIMER_ABSTIME']];

const SIGEV_NOTIFY: F.FlagTable = [
  [0, 'SIGEV_SIGNAL'],
  [1, 'SIGEV_NONE'],
  [2, 'SIGEV_THREAD'],
  [4, 'SIGEV_THREAD_ID'],
];

/** strace's printclockname: CLOCK_* or `0x63 /* CLOCK_??? *\/`. */
export const clockText = (v: bigint): string => F.renderXlat(Number(v & 0xffffffffn), F.CLOCKS, 'CLOCK_???');

/** ERESTARTSYS .. ERESTART_RESTARTBLOCK: the call was interrupted and will be restarted. */
const isRestart = (ret: bigint | null) => ret !== null && i64(ret) <= -512n && i64(ret) >= -516n;

/**
 * nanosleep's and clock_nanosleep's remaining time: the kernel writes it only when a signal
 * interrupted the sleep (and not for TIMER_ABSTIME); otherwise strace prints the address.
 */
function remaining(a: ArgCtx): string {
  if (a.name === 'clock_nanosleep' && a.raw[1] !== 0n) return hex(a.v);
  if (!isRestart(a.ret) || a.c!.data.length < 16) return hex(a.v);
  return timespecText(a.c!.data);
}

/** struct sigevent: sigev_value (union), sigev_signo, sigev_notify, then the notify's fields. */
function sigeventText(a: ArgCtx): string {
  const d = a.c!.data;
  if (d.length < 64) return hex(a.v);
  const notify = d.readInt32LE(12);
  // strace prints the value only when it is set.
  const value = d.readBigUInt64LE(0);
  const parts = value ? [`sigev_value={sival_int=${d.readInt32LE(0)}, sival_ptr=${ptr(value)}}`] : [];
  const signo = d.readInt32LE(8);
  if (notify === 0 || notify === 2 || notify === 4)
    parts.push(`sigev_signo=${signo > 0 && signo <= 64 ? signalName(signo) : signo}`);
  parts.push(`sigev_notify=${F.renderXlat(notify, SIGEV_NOTIFY, 'SIGEV_???')}`);
  let s = `{${parts.join(', ')}`;
  if (notify === 4) s += `, sigev_notify_thread_id=${d.readInt32LE(16)}`;
  if (notify === 2)
    s += `, sigev_notify_function=${ptr(d.readBigUInt64LE(16))}, sigev_notify_attributes=${ptr(d.readBigUInt64LE(24))}`;
  return s + '}';
}

/** USER_HZ: the unit of clock_t values (times, siginfo's si_utime) on every Linux ABI. */
const CLOCK_TICKS = 100n;

/** strace's print_clock_t: ticks, with their seconds in a comment when not 0 (`2 /* 0.02 s *\/`). */
export function clockTicksText(v: bigint): string {
  if (v === 0n) return '0';
  return `${v} /* ${v / CLOCK_TICKS}.${String(v % CLOCK_TICKS).padStart(2, '0')} s */`;
}

/** `%Y-%m-%dT%H:%M:%S%z` in local time, as strace's sprinttime. */
export function isoTime(sec: bigint): string {
  const d = new Date(Number(sec) * 1000);
  if (Number.isNaN(d.getTime())) return String(sec);
  const p = (n: number) => String(n).padStart(2, '0');
  const off = -d.getTimezoneOffset();
  const tz = `${off < 0 ? '-' : '+'}${p(Math.floor(Math.abs(off) / 60))}${p(Math.abs(off) % 60)}`;
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}${tz}`;
}

export const TIME_TYPES: Record<string, ArgType> = {
  clockid: { render: (a) => clockText(a.v) },
  timerflags: { render: (a) => F.renderFlagsX(Number(a.v & 0xffffffffn), TIMER_FLAGS, 'TIMER_???') },
  itimer: { render: (a) => F.renderXlat(i32(a.v), ITIMERS, 'ITIMER_???') },
  timespec: { capture: () => pack(Cap.structIn, 0, 16), memory: true, render: timespec },
  timespec_out: { capture: () => pack(Cap.structOut, 0, 16), output: true, memory: true, render: timespec },
  /** nanosleep's rem: read at exit even when the call failed (interrupted). */
  timespec_rem: { capture: () => pack(Cap.structOutAny, 0, 16), output: true, memory: true, render: remaining },
  timeval: {
    capture: () => pack(Cap.structIn, 0, 16),
    memory: true,
    render: (a) => (a.c!.data.length >= 16 ? timevalText(a.c!.data) : hex(a.v)),
  },
  timeval_out: {
    capture: () => pack(Cap.structOut, 0, 16),
    output: true,
    memory: true,
    render: (a) => (a.c!.data.length >= 16 ? timevalText(a.c!.data) : hex(a.v)),
  },
  /** struct timezone (gettimeofday's second argument). */
  timezone_out: {
    capture: () => pack(Cap.structOut, 0, 8),
    output: true,
    memory: true,
    render: (a) =>
      a.c!.data.length >= 8
        ? `{tz_minuteswest=${a.c!.data.readInt32LE(0)}, tz_dsttime=${a.c!.data.readInt32LE(4)}}`
        : hex(a.v),
  },
  itimerval: {
    capture: () => pack(Cap.structIn, 0, 32),
    memory: true,
    render: (a) => (a.c!.data.length >= 32 ? itimervalText(a.c!.data) : hex(a.v)),
  },
  itimerval_out: {
    capture: () => pack(Cap.structOut, 0, 32),
    output: true,
    memory: true,
    render: (a) => (a.c!.data.length >= 32 ? itimervalText(a.c!.data) : hex(a.v)),
  },
  itimerspec: {
    capture: () => pack(Cap.structIn, 0, 32),
    memory: true,
    render: (a) => (a.c!.data.length >= 32 ? itimerspecText(a.c!.data) : hex(a.v)),
  },
  itimerspec_out: {
    capture: () => pack(Cap.structOut, 0, 32),
    output: true,
    memory: true,
    render: (a) => (a.c!.data.length >= 32 ? itimerspecText(a.c!.data) : hex(a.v)),
  },
  sigevent: { capture: () => pack(Cap.structIn, 0, 64), memory: true, render: sigeventText },
  /** timer_create's timer id: `[1]`. */
  timerid_out: {
    capture: () => pack(Cap.structOut, 0, 4),
    output: true,
    memory: true,
    render: (a) => (a.c!.data.length >= 4 ? `[${a.c!.data.readInt32LE(0)}]` : hex(a.v)),
  },
  /** time()'s out pointer: `[1796124142 /* 2026-12-01T11:22:22+0000 *\/]`. */
  time_out: {
    capture: () => pack(Cap.structOut, 0, 8),
    output: true,
    memory: true,
    render: (a) => {
      if (a.c!.data.length < 8) return hex(a.v);
      const t = a.c!.data.readBigInt64LE(0);
      return `[${t} /* ${isoTime(t)} */]`;
    },
  },
  tms_out: {
    capture: () => pack(Cap.structOut, 0, 32),
    output: true,
    memory: true,
    render: (a) => {
      const d = a.c!.data;
      if (d.length < 32) return hex(a.v);
      const f = (i: number) => clockTicksText(d.readBigUInt64LE(8 * i));
      return `{tms_utime=${f(0)}, tms_stime=${f(1)}, tms_cutime=${f(2)}, tms_cstime=${f(3)}}`;
    },
  },
};

function itimervalText(d: Buffer): string {
  return `{it_interval=${timevalText(d, 0)}, it_value=${timevalText(d, 16)}}`;
}

function itimerspecText(d: Buffer): string {
  return `{it_interval=${timespecText(d, 0)}, it_value=${timespecText(d, 16)}}`;
}

export const TIME_RET: Record<string, RetPrinter> = {
  /** time(): `1796124142 (2026-12-01T11:22:22+0000)`. */
  time: (ret) => `${ret} (${isoTime(ret)})`,
  /** times(): clock ticks since boot, unsigned. */
  ulong: (ret) => String(BigInt.asUintN(64, ret)),
};
