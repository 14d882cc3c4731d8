/** The process listing behind `oslens ps`: every PID, two samples for CPU%, races tolerated. */
import { readFileSync } from 'node:fs';
import { readCmdline, readProcessStat, readProcessStatus, userName } from './process.js';
import { UserError } from '../util/errors.js';
import { listPids, readField, type Pid } from './read.js';
import { stateName } from './stat.js';

/** One row of `ps` (the `ps --json` shape, plus a few extras). Bytes, counts, percent. */
export interface ProcessRow {
  pid: number;
  ppid: number;
  user: string;
  uid: number;
  state: string;
  stateName: string;
  threads: number;
  /** CPU time between the two samples over the wall time between them, percent of one core. */
  cpuPercent: number;
  rss: number;
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

function sampleOne(pid: Pid): Sample | undefined {
  try {
    const stat = readProcessStat(pid);
    const status = readProcessStatus(pid);
    const argv = readField(() => readCmdline(pid));
    const kernelThread = status.kthread ?? stat.kernelThread;
    const command =
      Array.isArray(argv) && argv.length > 0 ? argv.join(' ') : kernelThread ? `[${stat.comm}]` : stat.comm;
    return {
      cpuSeconds: stat.utime + stat.stime,
      startTime: stat.startTime,
      row: {
        pid,
        ppid: stat.ppid,
        user: userName(status.uid.real),
        uid: status.uid.real,
        state: stat.state,
        stateName: stateName(stat.state),
        threads: stat.threads,
        cpuPercent: 0,
        rss: stat.rss,
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

function sampleAll(): Map<Pid, Sample> {
  const out = new Map<Pid, Sample>();
  for (const pid of listPids()) {
    const s = sampleOne(pid);
    if (s) out.set(pid, s);
  }
  return out;
}

/**
 * Lists processes. With intervalMs > 0, CPU% is measured between two samples; a process that
 * appears in the second sample only is measured since its start.
 */
export async function listProcesses(intervalMs: number): Promise<ProcessRow[]> {
  const first = intervalMs > 0 ? sampleAll() : new Map<Pid, Sample>();
  const t0 = process.hrtime.bigint();
  if (intervalMs > 0) await new Promise((r) => setTimeout(r, intervalMs));
  const second = sampleAll();
  const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  const uptime = readUptime();
  const rows: ProcessRow[] = [];
  for (const [pid, s] of second) {
    const before = first.get(pid);
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
  'ppid',
  'user',
  'state',
  'threads',
  'cpu',
  'rss',
  'minflt',
  'majflt',
  'vcsw',
  'nvcsw',
  'command',
] as const;
export type SortKey = (typeof SORT_KEYS)[number];

const SORT_FIELD: Record<SortKey, keyof ProcessRow> = {
  pid: 'pid',
  ppid: 'ppid',
  user: 'user',
  state: 'state',
  threads: 'threads',
  cpu: 'cpuPercent',
  rss: 'rss',
  minflt: 'minflt',
  majflt: 'majflt',
  vcsw: 'voluntaryCtxt',
  nvcsw: 'nonvoluntaryCtxt',
  command: 'command',
};

/** Sorts rows: counters and sizes biggest first, ids and text ascending; ties by pid. */
export function sortRows(rows: ProcessRow[], key: SortKey): ProcessRow[] {
  const field = SORT_FIELD[key];
  const descending = !['pid', 'ppid', 'user', 'state', 'command'].includes(key);
  return [...rows].sort((a, b) => {
    const x = a[field];
    const y = b[field];
    let c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
    if (descending) c = -c;
    return c !== 0 ? c : a.pid - b.pid;
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
