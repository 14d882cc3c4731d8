/** /proc/PID/stat and /proc/PID/statm: the scheduler's and the memory manager's one-line views. */
import { ParseError, int, uint } from './parse.js';

export { ParseError } from './parse.js';

/** Units the kernel reports in, injected so the parsers stay pure. */
export interface KernelUnits {
  /** Clock ticks per second (sysconf(_SC_CLK_TCK)), the unit of utime/stime. */
  clockTicks: number;
  /** Page size in bytes, the unit of rss and statm. */
  pageSize: number;
}

export const DEFAULT_UNITS: KernelUnits = { clockTicks: 100, pageSize: 4096 };

export const STATE_NAMES: Record<string, string> = {
  R: 'running',
  S: 'sleeping',
  // The kernel's own name is "disk sleep", but D is any uninterruptible wait (vfork, NFS, a lock).
  D: 'uninterruptible sleep',
  T: 'stopped',
  t: 'tracing stop',
  Z: 'zombie',
  X: 'dead',
  x: 'dead',
  I: 'idle (kernel thread)',
  K: 'wakekill',
  W: 'waking',
  P: 'parked',
};

export function stateName(state: string): string {
  return STATE_NAMES[state] ?? 'unknown';
}

/** PF_KTHREAD in the task flags: a kernel thread, with no user address space. */
const PF_KTHREAD = 0x00200000;

/** One process as /proc/PID/stat shows it. Times in seconds, sizes in bytes. */
export interface ProcessStat {
  pid: number;
  /** The command name (comm), at most 15 characters; may contain spaces and parentheses. */
  comm: string;
  state: string;
  ppid: number;
  pgrp: number;
  session: number;
  ttyNr: number;
  tpgid: number;
  flags: number;
  kernelThread: boolean;
  minflt: number;
  cminflt: number;
  majflt: number;
  cmajflt: number;
  /** CPU time in user mode, seconds. */
  utime: number;
  /** CPU time in kernel mode, seconds. */
  stime: number;
  cutime: number;
  cstime: number;
  priority: number;
  nice: number;
  threads: number;
  /** Seconds after boot the process started. */
  startTime: number;
  /** Virtual size, bytes. */
  vsize: number;
  /** Resident set, bytes. */
  rss: number;
  /** The CPU it last ran on. */
  processor: number;
  rtPriority: number;
  policy: number;
  /** Time spent waiting for block I/O (delay accounting), seconds. */
  blkioDelay: number;
  exitCode: number;
}

/**
 * Parses /proc/PID/stat (also /proc/PID/task/TID/stat). The comm field is in parentheses and can
 * itself contain ") ", so the split is at the LAST ')'.
 */
export function parseStat(text: string, units: KernelUnits = DEFAULT_UNITS): ProcessStat {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) throw new ParseError('stat: no (comm)');
  const pid = uint(text.slice(0, open).trim(), 'stat: pid');
  const comm = text.slice(open + 1, close);
  const f = text
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  if (f.length < 22) throw new ParseError('stat: too few fields');
  if (!/^[A-Za-z]$/.test(f[0] ?? '')) throw new ParseError(`stat: bad state "${(f[0] ?? '').slice(0, 8)}"`);
  // f[0] is field 3 (state) of proc(5); field N is f[N - 3]. Fields after 22 are newer than
  // some kernels: 0 when absent, but each field read must be an integer.
  const n = (field: number): number => {
    const v = f[field - 3];
    return v === undefined && field > 24 ? 0 : int(v, `stat: field ${field}`);
  };
  const ticks = (field: number) => n(field) / units.clockTicks;
  const flags = n(9);
  return {
    pid,
    comm,
    state: f[0] as string,
    ppid: n(4),
    pgrp: n(5),
    session: n(6),
    ttyNr: n(7),
    tpgid: n(8),
    flags,
    kernelThread: (flags & PF_KTHREAD) !== 0,
    minflt: n(10),
    cminflt: n(11),
    majflt: n(12),
    cmajflt: n(13),
    utime: ticks(14),
    stime: ticks(15),
    cutime: ticks(16),
    cstime: ticks(17),
    priority: n(18),
    nice: n(19),
    threads: n(20),
    startTime: ticks(22),
    vsize: n(23),
    rss: n(24) * units.pageSize,
    processor: n(39),
    rtPriority: n(40),
    policy: n(41),
    blkioDelay: ticks(42),
    exitCode: n(52),
  };
}

/** /proc/PID/statm, in bytes. */
export interface ProcessStatm {
  size: number;
  resident: number;
  shared: number;
  text: number;
  data: number;
}

export function parseStatm(text: string, units: KernelUnits = DEFAULT_UNITS): ProcessStatm {
  const f = text.trim().split(/\s+/);
  if (f.length < 7) throw new ParseError('statm: expected 7 numbers');
  const v = f.map((x) => uint(x, 'statm'));
  const b = (i: number) => (v[i] ?? 0) * units.pageSize;
  return { size: b(0), resident: b(1), shared: b(2), text: b(3), data: b(5) };
}

/** /proc/PID/cmdline: NUL-separated argv (empty for kernel threads and zombies). */
export function parseCmdline(text: string): string[] {
  if (text === '') return [];
  const parts = text.split('\0');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** /proc/PID/environ: NUL-separated NAME=value. */
export function parseEnviron(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const kv of parseCmdline(text)) {
    const i = kv.indexOf('=');
    if (i > 0) env[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return env;
}

/** /proc/PID/syscall: what the task is blocked in, when it is blocked in a syscall. */
export interface SyscallState {
  kind: 'running' | 'syscall' | 'user';
  nr?: number;
  args?: string[];
  sp?: string;
  pc?: string;
}

/** "0x7ffd..." as the kernel writes a register in /proc/PID/syscall. */
function register(text: string | undefined, what: string): string {
  if (text === undefined || !/^0x[0-9a-f]{1,16}$/.test(text)) throw new ParseError(`syscall: bad ${what}`);
  return text;
}

export function parseSyscall(text: string): SyscallState {
  const t = text.trim();
  if (t === 'running') return { kind: 'running' };
  const f = t.split(/\s+/);
  if (f[0] === '-1') {
    if (f.length !== 3) throw new ParseError('syscall: expected -1 SP PC');
    return { kind: 'user', sp: register(f[1], 'sp'), pc: register(f[2], 'pc') };
  }
  if (f.length !== 9) throw new ParseError('syscall: expected NR, 6 arguments, SP, PC');
  const nr = uint(f[0], 'syscall: number');
  const args = f.slice(1, 7).map((a) => register(a, 'argument'));
  return { kind: 'syscall', nr, args, sp: register(f[7], 'sp'), pc: register(f[8], 'pc') };
}
