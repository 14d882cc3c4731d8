/**
 * The process table of `oslens top`: one sample per process from src/proc's readers, rates from
 * two samples, sorting. Cost matters (top must stay below htop): every tick reads only stat and
 * schedstat; status (for the user) and cmdline are read once per process, when it is first seen —
 * the kernel builds /proc/PID/status at several times the cost of stat.
 */
import { existsSync } from 'node:fs';
import { ttyName } from '../../proc/tty.js';
import { OpenProcFiles, parseStatBytes, schedstatField } from '../../proc/open-files.js';
import { kernelUnits, readCmdline, readProcessStat, readSchedstat, userName } from '../../proc/process.js';
import { ProcessGoneError, listPids, readField, readProcText, type Pid } from '../../proc/read.js';

export interface ProcessSample {
  /** The task id: the process's pid, or a thread's tid (top's H). */
  pid: Pid;
  /** The process a thread belongs to (= pid for a process). */
  tgid: Pid;
  ppid: Pid;
  nice: number;
  /** Virtual size, bytes. */
  vsize: number;
  /** The controlling terminal's device number (stat tty_nr), 0 for none. */
  ttyNr: number;
  /** Seconds after boot: with pid, identifies the process across samples (pids are reused). */
  startTime: number;
  comm: string;
  command: string;
  user: string;
  state: string;
  threads: number;
  kernelThread: boolean;
  /** utime + stime, seconds. */
  cpuSeconds: number;
  rss: number;
  minflt: number;
  majflt: number;
  /** Times the scheduler put it on a CPU (schedstat timeslices): one per switch in. */
  timeslices: number;
  /** top's per-tick path: the stat bytes this was parsed from (unchanged next tick: no parse). */
  statBytes?: Buffer;
  /** top's per-tick path: ns on CPU (schedstat), and ticks since stat was last read. */
  runNs?: number;
  statAge?: number;
}

export interface ProcessRateRow {
  /** The task id: the pid, or a thread's tid when top shows threads (then tgid is its process). */
  pid: Pid;
  tgid: Pid;
  ppid: Pid;
  nice: number;
  /** Virtual size, bytes. */
  vsize: number;
  /** Controlling terminal (pts/3, tty1) or '?' when none. */
  tty: string;
  /** CPU time since it started (utime + stime), seconds. */
  cpuSeconds: number;
  /** RSS as a percent of RAM (MemTotal). */
  memPercent: number;
  user: string;
  state: string;
  comm: string;
  command: string;
  threads: number;
  kernelThread: boolean;
  /** Percent of one CPU over the interval. */
  cpuPercent: number;
  rss: number;
  minorFaultsPerSec: number;
  majorFaultsPerSec: number;
  contextSwitchesPerSec: number;
  /** From eBPF when available; null otherwise (the view says why). */
  syscallsPerSec: number | null;
}

export const PROCESS_SORT_KEYS = [
  'pid',
  'user',
  'nice',
  'virt',
  'rss',
  'state',
  'cpu',
  'mem',
  'time',
  'faults',
  'ctxsw',
  'syscalls',
  'tty',
  'command',
] as const;
export type ProcessSortKey = (typeof PROCESS_SORT_KEYS)[number];

export type ProcessSampleSet = Map<Pid, ProcessSample>;

/** Reads one process; undefined when it exited meanwhile. cmdline is reused from `known`. */
export function sampleProcess(pid: Pid, known?: ProcessSample): ProcessSample | undefined {
  try {
    const stat = readProcessStat(pid);
    const sched = readField(() => readSchedstat(pid));
    const kernelThread = stat.kernelThread;
    const same = known && known.startTime === stat.startTime && known.comm === stat.comm ? known : undefined;
    const { command, user } = same ?? identity(pid, stat.comm, kernelThread);
    return {
      pid,
      tgid: pid,
      ppid: stat.ppid,
      nice: stat.nice,
      vsize: stat.vsize,
      ttyNr: stat.ttyNr,
      startTime: stat.startTime,
      comm: stat.comm,
      command,
      user,
      state: stat.state,
      threads: stat.threads,
      kernelThread,
      cpuSeconds: stat.utime + stat.stime,
      rss: stat.rss,
      minflt: stat.minflt,
      majflt: stat.majflt,
      timeslices: 'timeslices' in sched ? sched.timeslices : 0,
    };
  } catch (err) {
    if (err instanceof ProcessGoneError) return undefined;
    // A process we may not read (another user's status under hidepid): leave it out.
    if (err instanceof Error && err.name === 'ProcPermissionError') return undefined;
    throw err;
  }
}

/** cmdline and user, read once per process (when first seen, or when its pid was reused). */
function identity(pid: Pid, comm: string, kernelThread: boolean): { command: string; user: string } {
  const argv = readField(() => readCmdline(pid));
  const command = Array.isArray(argv) && argv.length > 0 ? argv.join(' ') : kernelThread ? `[${comm}]` : comm;
  // Only the real uid of status (the first number of its Uid: line), without parsing every line.
  const status = readField(() => readProcText(pid, 'status'));
  const uid = typeof status === 'string' ? /\nUid:\s+(\d+)/.exec(status)?.[1] : undefined;
  return { command, user: uid === undefined ? '?' : userName(Number(uid)) };
}

const PF_KTHREAD = 0x00200000;

/**
 * A sleeping process's stat is read again at least this often (ticks): its RSS can shrink while
 * it sleeps (reclaim, swap). Kernel threads have no memory of their own: never.
 */
const STAT_REFRESH_TICKS = 10;

const HAS_SCHEDSTAT = existsSync('/proc/self/schedstat');

const sameBytes = (a: Buffer | undefined, buf: Buffer, at: number, n: number) =>
  a !== undefined && a.length === n && buf.compare(a, 0, n, at, at + n) === 0;

/**
 * The per-tick path of `top`, in two batches of one native call each (OpenProcFiles.readAll)
 * through files kept open. First every process's schedstat (ns on CPU, switches in; the kernel
 * builds it at a third of stat's cost): a single-threaded process whose figures there have not
 * moved has not run, so its stat (times, faults, state) cannot have changed either, and its
 * sample is kept (most processes sleep through a tick). Then stat for the rest, and for each
 * sleeping user process every few ticks. Multi-threaded processes always get their stat read:
 * schedstat is the main thread's only.
 */
function sampleProcessesFast(pids: Iterable<Pid>, files: OpenProcFiles, previous?: ProcessSampleSet): ProcessSampleSet {
  const list = [...pids];
  // Without schedstat in this kernel (no CONFIG_SCHED_INFO), every stat is read.
  const sched = HAS_SCHEDSTAT ? files.readAll(list.map((pid) => `/proc/${pid}/schedstat`)) : null;
  const out: ProcessSampleSet = new Map();
  const stale: Array<{ pid: Pid; known?: ProcessSample; runNs?: number; timeslices: number }> = [];
  list.forEach((pid, i) => {
    const m = sched ? sched.len(i) : -1;
    const at = sched ? sched.start(i) : 0;
    const runNs = sched && m > 0 ? schedstatField(sched.buf(i), m, 0, at) : undefined;
    const timeslices = sched && m > 0 ? schedstatField(sched.buf(i), m, 2, at) : 0;
    const known = previous?.get(pid);
    // runNs 0: a kernel that leaves schedstat at zero (no schedstats, no delay accounting)
    // cannot tell who ran: stat is read.
    if (
      known &&
      known.threads === 1 &&
      runNs !== undefined &&
      runNs > 0 &&
      known.runNs === runNs &&
      known.timeslices === timeslices
    ) {
      known.statAge = (known.statAge ?? 0) + 1;
      if (known.kernelThread || known.statAge < STAT_REFRESH_TICKS) {
        out.set(pid, known);
        return;
      }
    }
    stale.push({ pid, known, runNs, timeslices });
  });
  const stats = files.readAll(stale.map((p) => `/proc/${p.pid}/stat`));
  const units = kernelUnits();
  stale.forEach(({ pid, known, runNs, timeslices }, i) => {
    const n = stats.len(i);
    if (n <= 0) return;
    const at = stats.start(i);
    if (known && sameBytes(known.statBytes, stats.buf(i), at, n)) {
      out.set(pid, { ...known, timeslices, runNs, statAge: 0 });
      return;
    }
    const stat = parseStatBytes(stats.buf(i), n, units, at);
    if (!stat) return;
    const kernelThread = (stat.flags & PF_KTHREAD) !== 0;
    // The same process (pid and start time) under the same name: its command line and user
    // are known. A new name means an exec (or prctl): read them again.
    const kept = known && known.startTime === stat.startTime && known.comm === stat.comm ? known : undefined;
    let id: { command: string; user: string };
    try {
      id = kept ?? identity(pid, stat.comm, kernelThread);
    } catch (err) {
      if (err instanceof ProcessGoneError) return;
      // Anything else (EMFILE...) must not stop the dashboard: the name from stat, user unknown.
      id = { command: kernelThread ? `[${stat.comm}]` : stat.comm, user: '?' };
    }
    out.set(pid, {
      pid,
      tgid: known?.tgid ?? pid,
      ppid: stat.ppid,
      nice: stat.nice,
      vsize: stat.vsize,
      ttyNr: stat.ttyNr,
      startTime: stat.startTime,
      comm: kept ? kept.comm : stat.comm,
      command: id.command,
      user: id.user,
      state: stat.state,
      threads: stat.threads,
      kernelThread,
      cpuSeconds: stat.cpuSeconds,
      rss: stat.rss,
      minflt: stat.minflt,
      majflt: stat.majflt,
      timeslices,
      statBytes: Buffer.from(stats.buf(i).subarray(at, at + n)),
      runNs,
      // Staggered by pid: the sleepers' stat refreshes spread over the ticks, not all in one.
      statAge: kept ? 0 : pid % STAT_REFRESH_TICKS,
    });
  });
  return out;
}

/**
 * Every process now. With `files` (top's per-tick path), stat and schedstat are read through
 * files kept open (see sampleProcessesFast), and the files of processes gone are closed; a
 * process that has not run since `previous` keeps the very same ProcessSample object (callers
 * may test identity: TopCollector skips its syscall count). `pids`:
 * the pids to read instead of listing /proc (the caller knows no process was created since
 * `previous`).
 */
export function sampleProcesses(
  previous?: ProcessSampleSet,
  files?: OpenProcFiles,
  pids?: Iterable<Pid>,
): ProcessSampleSet {
  if (!files) {
    const out: ProcessSampleSet = new Map();
    for (const pid of pids ?? listPids()) {
      const s = sampleProcess(pid, previous?.get(pid));
      if (s) out.set(pid, s);
    }
    return out;
  }
  const list = [...(pids ?? listPids())];
  const out = sampleProcessesFast(list, files, previous);
  // Close the files of processes gone: seen last tick, or listed now and already unreadable.
  let gone = list.length !== out.size;
  if (!gone && previous) for (const pid of previous.keys()) if (!out.has(pid)) gone = true;
  if (gone) files.prune(new Set(out.keys()));
  return out;
}

/**
 * Rates between two samples. A process new in `cur` (or a reused pid) is measured from zero over
 * the interval, which is right for processes born during it and close enough for the rest.
 */
export function processRates(
  prev: ProcessSampleSet,
  cur: ProcessSampleSet,
  dtSeconds: number,
  syscalls?: ReadonlyMap<Pid, number> | null,
  memTotal = 0,
): ProcessRateRow[] {
  const dt = Math.max(1e-3, dtSeconds);
  const rows: ProcessRateRow[] = [];
  for (const s of cur.values()) {
    const p0 = prev.get(s.pid);
    const p = p0 && p0.startTime === s.startTime ? p0 : undefined;
    const delta = (k: 'cpuSeconds' | 'minflt' | 'majflt' | 'timeslices') => (p ? Math.max(0, s[k] - p[k]) : 0);
    rows.push({
      pid: s.pid,
      tgid: s.tgid,
      ppid: s.ppid,
      nice: s.nice,
      vsize: s.vsize,
      tty: ttyName(s.ttyNr),
      cpuSeconds: s.cpuSeconds,
      memPercent: memTotal > 0 ? (s.rss / memTotal) * 100 : 0,
      user: s.user,
      state: s.state,
      comm: s.comm,
      command: s.command,
      threads: s.threads,
      kernelThread: s.kernelThread,
      cpuPercent: (delta('cpuSeconds') / dt) * 100,
      rss: s.rss,
      minorFaultsPerSec: delta('minflt') / dt,
      majorFaultsPerSec: delta('majflt') / dt,
      contextSwitchesPerSec: delta('timeslices') / dt,
      syscallsPerSec: syscalls ? (syscalls.get(s.pid) ?? 0) / dt : null,
    });
  }
  return rows;
}

export { ttyName };

type SortValue = (r: ProcessRateRow) => number | string;

const SORT_VALUE: Record<ProcessSortKey, SortValue> = {
  pid: (r) => r.pid,
  user: (r) => r.user,
  nice: (r) => r.nice,
  virt: (r) => r.vsize,
  rss: (r) => r.rss,
  state: (r) => r.state,
  cpu: (r) => r.cpuPercent,
  mem: (r) => r.rss,
  time: (r) => r.cpuSeconds,
  faults: (r) => r.minorFaultsPerSec + r.majorFaultsPerSec,
  ctxsw: (r) => r.contextSwitchesPerSec,
  syscalls: (r) => r.syscallsPerSec ?? 0,
  tty: (r) => r.tty,
  command: (r) => r.command,
};

/** Keys sorted smallest first by default (ids and text); the figures go biggest first. */
const ASCENDING: ReadonlySet<ProcessSortKey> = new Set(['pid', 'user', 'nice', 'state', 'tty', 'command']);

const TEXT_KEYS: ReadonlySet<ProcessSortKey> = new Set(['user', 'state', 'tty', 'command']);

/** A comparator for `key` (reverse: the other way round); ties by CPU, then pid, so the order is stable. */
export function processComparator(
  key: ProcessSortKey,
  reverse = false,
): (a: ProcessRateRow, b: ProcessRateRow) => number {
  const v = SORT_VALUE[key];
  const sign = (ASCENDING.has(key) ? 1 : -1) * (reverse ? -1 : 1);
  // The figures (most sorts, every tick): numbers only, no type test per comparison.
  if (!TEXT_KEYS.has(key)) {
    const n = v as (r: ProcessRateRow) => number;
    return (a, b) => sign * (n(a) - n(b)) || b.cpuPercent - a.cpuPercent || a.pid - b.pid;
  }
  return (a, b) => {
    const x = v(a);
    const y = v(b);
    const c = typeof x === 'number' && typeof y === 'number' ? x - y : x < y ? -1 : x > y ? 1 : 0;
    return sign * c || b.cpuPercent - a.cpuPercent || a.pid - b.pid;
  };
}

/** Sorted by `key`: figures biggest first, ids and text smallest first (`reverse`: the other way). */
export function sortProcessRows(
  rows: readonly ProcessRateRow[],
  key: ProcessSortKey,
  reverse = false,
): ProcessRateRow[] {
  return [...rows].sort(processComparator(key, reverse));
}

/** Processes of a sample whose state is `state` (e.g. "D", which /proc/stat's procs_blocked undercounts). */
export function countInState(samples: ProcessSampleSet, state: string): number {
  let n = 0;
  for (const s of samples.values()) if (s.state === state) n++;
  return n;
}
