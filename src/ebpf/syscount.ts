/**
 * syscount: per-syscall counts, errors and time, and per-process counts, all counted in kernel
 * (native/bpf/syscount.bpf.c). Also the in-kernel counter behind `trace -c --ebpf`.
 */
import { syscallName } from '../trace/syscalls.js';
import type { BpfFilter } from './config.js';
import { BpfSession } from './loader.js';

export interface SyscallCount {
  name: string;
  nr: number;
  count: number;
  errors: number;
  totalNs: number;
}

export interface ProcessCount {
  pid: number;
  comm: string;
  count: number;
}

export interface SyscountSnapshot {
  syscalls: SyscallCount[];
  processes: ProcessCount[];
}

const STAT_SIZE = 24; // struct sc_stat: count, errors, total_ns
const PROC_SIZE = 8; // struct proc_stat: count

export function cString(b: Buffer, start = 0, end = b.length): string {
  const nul = b.indexOf(0, start);
  return b.toString('utf8', start, nul >= 0 && nul < end ? nul : end);
}

export class Syscount {
  readonly session: BpfSession;

  constructor(filter: BpfFilter) {
    this.session = new BpfSession('syscount', { filter });
  }

  /** Totals since attach (the maps are cumulative; diff two snapshots for an interval). */
  snapshot(): SyscountSnapshot {
    const syscalls: SyscallCount[] = [];
    for (const { key, values } of this.session.percpuEntries('syscalls', 4, STAT_SIZE)) {
      let count = 0n,
        errors = 0n,
        totalNs = 0n;
      for (const v of values) {
        count += v.readBigUInt64LE(0);
        errors += v.readBigUInt64LE(8);
        totalNs += v.readBigUInt64LE(16);
      }
      if (count === 0n) continue;
      const nr = key.readUInt32LE(0);
      syscalls.push({
        name: syscallName(nr),
        nr,
        count: Number(count),
        errors: Number(errors),
        totalNs: Number(totalNs),
      });
    }
    syscalls.sort((a, b) => b.count - a.count || a.nr - b.nr);
    const comms = new Map(this.session.entries('comms', 4, 16).map((e) => [e.key.readUInt32LE(0), cString(e.value)]));
    const processes: ProcessCount[] = [];
    for (const { key, values } of this.session.percpuEntries('procs', 4, PROC_SIZE)) {
      let count = 0n;
      for (const v of values) count += v.readBigUInt64LE(0);
      const pid = key.readUInt32LE(0);
      if (count > 0n) processes.push({ pid, comm: comms.get(pid) ?? '?', count: Number(count) });
    }
    processes.sort((a, b) => b.count - a.count || a.pid - b.pid);
    return { syscalls, processes };
  }

  close(): void {
    this.session.close();
  }
}

/** What happened between two cumulative snapshots (for --interval). */
export function diffSnapshots(now: SyscountSnapshot, before: SyscountSnapshot): SyscountSnapshot {
  const prevS = new Map(before.syscalls.map((s) => [s.nr, s]));
  const prevP = new Map(before.processes.map((p) => [p.pid, p]));
  return {
    syscalls: now.syscalls
      .map((s) => {
        const p = prevS.get(s.nr);
        return p ? { ...s, count: s.count - p.count, errors: s.errors - p.errors, totalNs: s.totalNs - p.totalNs } : s;
      })
      .filter((s) => s.count > 0)
      .sort((a, b) => b.count - a.count || a.nr - b.nr),
    processes: now.processes
      .map((p) => ({ ...p, count: p.count - (prevP.get(p.pid)?.count ?? 0) }))
      .filter((p) => p.count > 0)
      .sort((a, b) => b.count - a.count || a.pid - b.pid),
  };
}
