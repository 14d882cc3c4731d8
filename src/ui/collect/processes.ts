/**
 * The process table of `oslens top`: one sample per process from src/proc's readers, rates from
 * two samples, sorting. Cost matters (top must stay below htop): every tick reads only stat and
 * schedstat; status (for the user) and cmdline are read once per process, when it is first seen —
 * the kernel builds /proc/PID/status at several times the cost of stat.
 */
import { OpenProcFiles, parseSchedstatSlices, parseStatBytes } from '../../proc/open-files.js';
import {
  kernelUnits,
  readCmdline,
  readProcessStat,
  readProcessStatus,
  readSchedstat,
  userName,
} from '../../proc/process.js';
import { ProcessGoneError, listPids, readField, readProcText, type Pid } from '../../proc/read.js';

export interface ProcessSample {
  pid: Pid;
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
}

export interface ProcessRateRow {
  pid: Pid;
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

export const PROCESS_SORT_KEYS = ['cpu', 'rss', 'faults', 'ctxsw', 'syscalls', 'pid'] as const;
export type ProcessSortKey = (typeof PROCESS_SORT_KEYS)[number];

export type ProcessSampleSet = Map<Pid, ProcessSample>;

/** Reads one process; undefined when it exited meanwhile. cmdline is reused from `known`. */
export function sampleProcess(pid: Pid, known?: ProcessSample): ProcessSample | undefined {
  try {
    const stat = readProcessStat(pid);
    const sched = readField(() => readSchedstat(pid));
    const kernelThread = stat.kernelThread;
    const same = known && known.startTime === stat.startTime ? known : undefined;
    let command = same?.command;
    let user = same?.user;
    if (command === undefined || user === undefined) {
      const argv = readField(() => readCmdline(pid));
      command = Array.isArray(argv) && argv.length > 0 ? argv.join(' ') : kernelThread ? `[${stat.comm}]` : stat.comm;
      const status = readField(() => readProcessStatus(pid));
      user = 'uid' in status ? userName(status.uid.real) : '?';
    }
    return {
      pid,
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
 * The per-tick path of `top`: stat and schedstat through files kept open (one pread each, parsed
 * from the bytes). Same record as sampleProcess; undefined when the process has gone.
 */
export function sampleProcessFast(
  pid: Pid,
  files: OpenProcFiles,
  known?: ProcessSample,
  readSlices = true,
): ProcessSample | undefined {
  const dir = `/proc/${pid}/`;
  const n = files.read(dir + 'stat');
  if (n < 0) return undefined;
  const prevBytes = known?.statBytes;
  if (known && prevBytes && prevBytes.length === n && files.buf.compare(prevBytes, 0, n, 0, n) === 0) {
    // Most processes sleep through a tick: the same stat bytes (times, faults, RSS, state...) as
    // last time, so the same figures, without parsing. Switches in are counted apart (when
    // `readSlices`: the dashboard skips them for rows off screen).
    if (!readSlices) return known;
    const m = files.read(dir + 'schedstat');
    const timeslices = m < 0 ? 0 : parseSchedstatSlices(files.buf, m);
    return timeslices === known.timeslices ? known : { ...known, timeslices };
  }
  const statBytes = Buffer.from(files.buf.subarray(0, n));
  const st = parseStatBytes(files.buf, n, kernelUnits());
  if (!st) return undefined;
  const m = files.read(dir + 'schedstat');
  const timeslices = m < 0 ? 0 : parseSchedstatSlices(files.buf, m);
  const kernelThread = (st.flags & PF_KTHREAD) !== 0;
  const same = known && known.startTime === st.startTime ? known : undefined;
  let command: string, user: string;
  if (same) ({ command, user } = same);
  else {
    try {
      ({ command, user } = identity(pid, st.comm, kernelThread));
    } catch (err) {
      if (err instanceof ProcessGoneError) return undefined;
      throw err;
    }
  }
  return {
    pid,
    startTime: st.startTime,
    comm: same && same.comm === st.comm ? same.comm : st.comm,
    command,
    user,
    state: st.state,
    threads: st.threads,
    kernelThread,
    cpuSeconds: st.cpuSeconds,
    rss: st.rss,
    minflt: st.minflt,
    majflt: st.majflt,
    timeslices,
    statBytes,
  };
}

/**
 * Every process now. With `files` (top's per-tick path), stat and schedstat are read through
 * files kept open, and the files of processes gone are closed. `pids`: the pids to read instead
 * of listing /proc (the caller knows no process was created since `previous`). `slicesOf`: the
 * only processes whose schedstat is read when their stat is unchanged (the rest keep theirs).
 */
export function sampleProcesses(
  previous?: ProcessSampleSet,
  files?: OpenProcFiles,
  pids?: Iterable<Pid>,
  slicesOf?: ReadonlySet<Pid>,
): ProcessSampleSet {
  const out: ProcessSampleSet = new Map();
  for (const pid of pids ?? listPids()) {
    const known = previous?.get(pid);
    const s = files ? sampleProcessFast(pid, files, known, !slicesOf || slicesOf.has(pid)) : sampleProcess(pid, known);
    if (s) out.set(pid, s);
  }
  if (files && previous && previous.size > 0) {
    // Close the files of the processes seen last tick that are gone now.
    let gone = false;
    for (const pid of previous.keys()) if (!out.has(pid)) gone = true;
    if (gone) files.prune(new Set(out.keys()));
  }
  return out;
}

/**
 * Rates between two samples. A process new in `cur` (or a reused pid) is measured from zero over
 * the interval, which is right for processes born during it and close enough for the rest.
 * `slicesSpan`: seconds between the two schedstat reads of a process, when not the interval
 * (Infinity when it was not read this time: no rate).
 */
export function processRates(
  prev: ProcessSampleSet,
  cur: ProcessSampleSet,
  dtSeconds: number,
  syscalls?: ReadonlyMap<Pid, number> | null,
  slicesSpan?: (pid: Pid) => number,
): ProcessRateRow[] {
  const dt = Math.max(1e-3, dtSeconds);
  const rows: ProcessRateRow[] = [];
  for (const s of cur.values()) {
    const p0 = prev.get(s.pid);
    const p = p0 && p0.startTime === s.startTime ? p0 : undefined;
    const delta = (k: 'cpuSeconds' | 'minflt' | 'majflt' | 'timeslices') => (p ? Math.max(0, s[k] - p[k]) : 0);
    rows.push({
      pid: s.pid,
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
      contextSwitchesPerSec: delta('timeslices') / (slicesSpan ? Math.max(1e-3, slicesSpan(s.pid)) : dt),
      syscallsPerSec: syscalls ? (syscalls.get(s.pid) ?? 0) / dt : null,
    });
  }
  return rows;
}

const SORT_VALUE: Record<ProcessSortKey, (r: ProcessRateRow) => number> = {
  cpu: (r) => r.cpuPercent,
  rss: (r) => r.rss,
  faults: (r) => r.minorFaultsPerSec + r.majorFaultsPerSec,
  ctxsw: (r) => r.contextSwitchesPerSec,
  syscalls: (r) => r.syscallsPerSec ?? 0,
  pid: (r) => -r.pid,
};

/** Biggest first (pid: ascending); ties broken by CPU, then pid, so the order is stable. */
export function sortProcessRows(rows: readonly ProcessRateRow[], key: ProcessSortKey): ProcessRateRow[] {
  const v = SORT_VALUE[key];
  return [...rows].sort((a, b) => v(b) - v(a) || b.cpuPercent - a.cpuPercent || a.pid - b.pid);
}
