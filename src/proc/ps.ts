/** The process listing behind `oslens ps`: every PID, two samples for CPU%, races tolerated. */
import { readFileSync } from 'node:fs';
import { ttyName } from './tty.js';
import { readCmdline, readProcessStat, readProcessStatus, readTids, userName } from './process.js';
import { UserError } from '../util/errors.js';
import { listPids, readField, type Pid } from './read.js';
import { stateName } from './stat.js';

/** One row of `ps` (the `ps --json` shape, plus a few extras). Bytes, counts, percent. */
export interface ProcessRow {
  pid: number;
  /** The thread id: = pid for a process row; a thread's own id with --threads. */
  tid: number;
  ppid: number;
  user: string;
  uid: number;
  state: string;
  stateName: string;
  threads: number;
  /** CPU time between the two samples over the wall time between them, percent of one core. */
  cpuPercent: number;
  rss: number;
  /** Virtual size (VSZ), bytes. */
  vsize: number;
  /** RSS as a percent of RAM (MemTotal). */
  memPercent: number;
  /** CPU time since it started (utime + stime), seconds. */
  cpuTime: number;
  /** Controlling terminal (pts/0, tty1) or '?'. */
  tty: string;
  nice: number;
  minflt: number;
  majflt: number;
  voluntaryCtxt: number;
  nonvoluntaryCtxt: number;
  command: string;
  comm: string;
  kernelThread: boolean;
}

interface Sample {
  row: ProcessRow;
  cpuSeconds: number;
  startTime: number;
}

/** One process (tid undefined) or one of its threads. */
function sampleOne(pid: Pid, tid?: number, memTotal = 0): Sample | undefined {
  try {
    const stat = readProcessStat(pid, tid);
    const status = readProcessStatus(pid, tid);
    const argv = readField(() => readCmdline(pid));
    const kernelThread = status.kthread ?? stat.kernelThread;
    let command = Array.isArray(argv) && argv.length > 0 ? argv.join(' ') : kernelThread ? `[${stat.comm}]` : stat.comm;
    // A zombie has no command line left (ps: "[name] <defunct>").
    if (stat.state === 'Z') command = `[${stat.comm}] <defunct>`;
    return {
      cpuSeconds: stat.utime + stat.stime,
      startTime: stat.startTime,
      row: {
        pid,
        tid: tid ?? pid,
        ppid: stat.ppid,
        user: userName(status.uid.real),
        uid: status.uid.real,
        state: stat.state,
        stateName: stateName(stat.state),
        threads: stat.threads,
        cpuPercent: 0,
        rss: stat.rss,
        vsize: stat.vsize,
        memPercent: memTotal > 0 ? Math.round((stat.rss / memTotal) * 1000) / 10 : 0,
        cpuTime: stat.utime + stat.stime,
        tty: ttyName(stat.ttyNr),
        nice: stat.nice,
        minflt: stat.minflt,
        majflt: stat.majflt,
        voluntaryCtxt: status.voluntaryCtxt,
        nonvoluntaryCtxt: status.nonvoluntaryCtxt,
        command,
        comm: stat.comm,
        kernelThread,
      },
    };
  } catch (err) {
    // Exited between listing and reading (or hidden from us): dropped from the listing.
    if (err instanceof UserError) return undefined;
    throw err;
  }
}

export interface ListOptions {
  /** Only these pids (ps -p); all when absent. */
  pids?: readonly Pid[];
  /** A row per thread (ps -L). */
  threads?: boolean;
}

function memTotalBytes(): number {
  try {
    const kb = /^MemTotal:\s+(\d+)/m.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1];
    return kb ? Number(kb) * 1024 : 0;
  } catch {
    return 0;
  }
}

function sampleAll(opts: ListOptions): Map<string, Sample> {
  const out = new Map<string, Sample>();
  const memTotal = memTotalBytes();
  for (const pid of opts.pids ?? listPids()) {
    if (!opts.threads) {
      const s = sampleOne(pid, undefined, memTotal);
      if (s) out.set(String(pid), s);
      continue;
    }
    let tids: number[];
    try {
      tids = readTids(pid);
    } catch {
      continue; // gone
    }
    for (const tid of tids) {
      const s = sampleOne(pid, tid, memTotal);
      if (s) out.set(`${pid}/${tid}`, s);
    }
  }
  return out;
}

/**
 * Lists processes. With intervalMs > 0, CPU% is measured between two samples; a process that
 * appears in the second sample only is measured since its start.
 */
export async function listProcesses(intervalMs: number, opts: ListOptions = {}): Promise<ProcessRow[]> {
  const first = intervalMs > 0 ? sampleAll(opts) : new Map<string, Sample>();
  const t0 = process.hrtime.bigint();
  if (intervalMs > 0) await new Promise((r) => setTimeout(r, intervalMs));
  const second = sampleAll(opts);
  const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  const uptime = readUptime();
  const rows: ProcessRow[] = [];
  for (const [key, s] of second) {
    const before = first.get(key);
    let pct: number;
    if (before && before.startTime === s.startTime && elapsed > 0) {
      pct = ((s.cpuSeconds - before.cpuSeconds) / elapsed) * 100;
    } else {
      // New process (or no interval): average over its lifetime.
      const life = uptime - s.startTime;
      pct = life > 0 ? (s.cpuSeconds / life) * 100 : 0;
    }
    s.row.cpuPercent = Math.max(0, Math.round(pct * 10) / 10);
    rows.push(s.row);
  }
  return rows;
}

/** Seconds since boot (the clock of stat's starttime). */
function readUptime(): number {
  try {
    return Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
  } catch {
    return 0;
  }
}

export const SORT_KEYS = [
  'pid',
  'tid',
  'ppid',
  'user',
  'state',
  'threads',
  'cpu',
  'rss',
  'vsz',
  'mem',
  'time',
  'tty',
  'nice',
  'minflt',
  'majflt',
  'vcsw',
  'nvcsw',
  'command',
] as const;
export type SortKey = (typeof SORT_KEYS)[number];

const SORT_FIELD: Record<SortKey, keyof ProcessRow> = {
  pid: 'pid',
  tid: 'tid',
  ppid: 'ppid',
  user: 'user',
  state: 'state',
  threads: 'threads',
  cpu: 'cpuPercent',
  rss: 'rss',
  vsz: 'vsize',
  mem: 'memPercent',
  time: 'cpuTime',
  tty: 'tty',
  nice: 'nice',
  minflt: 'minflt',
  majflt: 'majflt',
  vcsw: 'voluntaryCtxt',
  nvcsw: 'nonvoluntaryCtxt',
  command: 'command',
};

/** Sorts rows: counters and sizes biggest first, ids and text ascending (reverse: the other way); ties by pid, tid. */
export function sortRows(rows: ProcessRow[], key: SortKey, reverse = false): ProcessRow[] {
  const field = SORT_FIELD[key];
  const descending = !['pid', 'tid', 'ppid', 'user', 'state', 'tty', 'nice', 'command'].includes(key) !== reverse;
  return [...rows].sort((a, b) => {
    const x = a[field];
    const y = b[field];
    let c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
    if (descending) c = -c;
    return c !== 0 ? c : a.pid - b.pid || a.tid - b.tid;
  });
}

/** Orders rows as a fork tree (parents before children) with a drawing prefix per row. */
export function treeOrder(rows: ProcessRow[]): { row: ProcessRow; prefix: string }[] {
  const byPid = new Map(rows.map((r) => [r.pid, r]));
  const children = new Map<number, ProcessRow[]>();
  const roots: ProcessRow[] = [];
  for (const r of rows) {
    if (r.ppid !== r.pid && byPid.has(r.ppid)) {
      const list = children.get(r.ppid) ?? [];
      list.push(r);
      children.set(r.ppid, list);
    } else roots.push(r);
  }
  const out: { row: ProcessRow; prefix: string }[] = [];
  const seen = new Set<number>();
  const walk = (r: ProcessRow, indent: string, last: boolean, top: boolean) => {
    if (seen.has(r.pid)) return;
    seen.add(r.pid);
    out.push({ row: r, prefix: top ? '' : `${indent}${last ? '└─ ' : '├─ '}` });
    const kids = (children.get(r.pid) ?? []).sort((a, b) => a.pid - b.pid);
    const next = top ? '' : indent + (last ? '   ' : '│  ');
    kids.forEach((k, i) => walk(k, next, i === kids.length - 1, false));
  };
  for (const r of roots.sort((a, b) => a.pid - b.pid)) walk(r, '', true, true);
  return out;
}
