/**
 * syscount: per-syscall counts, errors and time, and per-process counts, all counted in kernel
 * (native/bpf/syscount.bpf.c). Also the in-kernel counter behind `trace -c --ebpf`.
 */
import { syscallName } from '../trace/syscalls.js';
import type { BpfFilter } from './config.js';
import { BpfSession, type RingStream } from './loader.js';

export interface SyscallCount {
  name: string;
  nr: number;
  count: number;
  errors: number;
  /** Total time in the call; null unless latency is measured (-L, trace -c). */
  totalNs: number | null;
}

export interface ProcessCount {
  pid: number;
  comm: string;
  count: number;
  /** Whether it exited during the session. */
  exited: boolean;
  /** Tells two processes with one pid apart (CLOCK_MONOTONIC start, ns). */
  startNs: bigint;
}

export interface SyscountSnapshot {
  syscalls: SyscallCount[];
  processes: ProcessCount[];
  /** What the per-process table could not keep: processes and their calls (never silent). */
  unkept: { processes: number; calls: number };
}

const STAT_SIZE = 24; // struct sc_stat: count, errors, total_ns
const PROC_SIZE = 32; // struct proc_stat: count, start_ns, comm[16]
const LATENCY = 1;
const HIST = 2;
const NO_PROCS = 4;
/** Slots of a latency histogram (syscount.bpf.c): slot i counts calls of [4^i, 4^(i+1)) ns. */
export const HIST_SLOTS = 17;

export function cString(b: Buffer, start = 0, end = b.length): string {
  const nul = b.indexOf(0, start);
  return b.toString('utf8', start, nul >= 0 && nul < end ? nul : end);
}

const procKey = (p: { pid: number; startNs: bigint }) => `${p.pid}:${p.startNs}`;

export class Syscount {
  readonly session: BpfSession;
  readonly latency: boolean;
  /** Processes that exited, as the kernel handed them over (struct exited_proc). */
  private exited = new Map<string, ProcessCount>();
  private ring?: RingStream;

  /**
   * `latency`: time each call too (an entry program more). `keepExited` (default true): keep the
   * rows of processes that exit; the dashboards, which show rates of live processes over hours,
   * do not.
   */
  constructor(
    filter: BpfFilter,
    opts: { latency?: boolean; keepExited?: boolean; histograms?: boolean; perProcess?: boolean } = {},
  ) {
    // Histograms time each call: they imply latency.
    this.latency = Boolean(opts.latency || opts.histograms);
    const programs = ['syscount_exit', 'syscount_task_exit', ...(this.latency ? ['syscount_enter'] : [])];
    const flags =
      (this.latency ? LATENCY : 0) | (opts.histograms ? HIST : 0) | (opts.perProcess === false ? NO_PROCS : 0);
    this.session = new BpfSession('syscount', { filter: { ...filter, flags }, programs });
    if (opts.keepExited === false) return;
    this.ring = this.session.streamRing('exited', (b) => {
      const p: ProcessCount = {
        pid: b.readUInt32LE(0),
        count: Number(b.readBigUInt64LE(8)),
        startNs: b.readBigUInt64LE(16),
        comm: cString(b, 24, 40),
        exited: true,
      };
      this.exited.set(procKey(p), p);
    });
  }

  /** Hands over the processes that exited so far (call before the last snapshot). */
  async flush(): Promise<void> {
    await this.ring?.stop();
  }

  /** Per-syscall totals since attach, busiest first (without the per-process table). */
  syscallTotals(): SyscallCount[] {
    const syscalls: SyscallCount[] = [];
    // Straight from the batch's bytes (a scrape of `oslens export` reads this): per-CPU values
    // lie at a stride of 8-byte multiples; u64 halves summed as numbers (exact below 2^53).
    const cpus = this.session.possibleCpus;
    const stride = Math.ceil(STAT_SIZE / 8) * 8;
    const u64 = (b: Buffer, at: number) => b.readUInt32LE(at) + b.readUInt32LE(at + 4) * 2 ** 32;
    for (const { key, value } of this.session.entries('syscalls', 4, stride * cpus)) {
      let count = 0;
      for (let c = 0; c < cpus; c++) count += u64(value, c * stride);
      if (count === 0) continue;
      let errors = 0;
      let totalNs = 0;
      for (let c = 0; c < cpus; c++) {
        errors += u64(value, c * stride + 8);
        totalNs += u64(value, c * stride + 16);
      }
      const nr = key.readUInt32LE(0);
      syscalls.push({ name: syscallName(nr), nr, count, errors, totalNs: this.latency ? totalNs : null });
    }
    syscalls.sort((a, b) => b.count - a.count || a.nr - b.nr);
    return syscalls;
  }

  /**
   * The latency histogram of syscall `nr` since attach (with `histograms`): HIST_SLOTS counts,
   * summed over CPUs; slot i is [4^i, 4^(i+1)) ns, the last one everything longer. One map
   * lookup per syscall asked for: the whole map is 136 bytes x 1024 syscalls x every CPU.
   */
  latencyHistogram(nr: number): number[] {
    const cpus = this.session.possibleCpus;
    const stride = HIST_SLOTS * 8;
    if (!this.histKey) {
      this.histKey = Buffer.alloc(4);
      this.histValue = Buffer.alloc(stride * cpus);
    }
    this.histKey.writeUInt32LE(nr);
    const slots = new Array<number>(HIST_SLOTS).fill(0);
    if (!this.session.lookup('hists', this.histKey, this.histValue!)) return slots;
    const v = this.histValue!;
    for (let c = 0; c < cpus; c++) {
      for (let i = 0; i < HIST_SLOTS; i++) {
        const at = c * stride + i * 8;
        slots[i]! += v.readUInt32LE(at) + v.readUInt32LE(at + 4) * 2 ** 32;
      }
    }
    return slots;
  }

  private histKey?: Buffer;
  private histValue?: Buffer;

  /** Totals since attach (the maps are cumulative; diff two snapshots for an interval). */
  snapshot(): SyscountSnapshot {
    const syscalls = this.syscallTotals();
    const live = new Map<string, ProcessCount>();
    for (const { key, value } of this.session.entries('procs', 4, PROC_SIZE)) {
      const p: ProcessCount = {
        pid: key.readUInt32LE(0),
        count: Number(value.readBigUInt64LE(0)),
        startNs: value.readBigUInt64LE(8),
        comm: cString(value, 16, 32),
        exited: false,
      };
      live.set(procKey(p), p);
    }
    // A row can be in both for an instant (handed over, not yet deleted): the exited one wins.
    for (const [k, p] of this.exited) live.set(k, p);
    const processes = [...live.values()].filter((p) => p.count > 0);
    processes.sort((a, b) => b.count - a.count || a.pid - b.pid);
    let unkeptProcs = 0n,
      unkeptCalls = 0n;
    for (const { values } of this.session.percpuEntries('unkept', 4, 16)) {
      for (const v of values) {
        unkeptProcs += v.readBigUInt64LE(0);
        unkeptCalls += v.readBigUInt64LE(8);
      }
    }
    return { syscalls, processes, unkept: { processes: Number(unkeptProcs), calls: Number(unkeptCalls) } };
  }

  close(): void {
    this.session.close();
  }
}

/** What happened between two cumulative snapshots (for --interval). */
export function diffSnapshots(now: SyscountSnapshot, before: SyscountSnapshot): SyscountSnapshot {
  const prevS = new Map(before.syscalls.map((s) => [s.nr, s]));
  const prevP = new Map(before.processes.map((p) => [procKey(p), p]));
  return {
    unkept: {
      processes: now.unkept.processes - before.unkept.processes,
      calls: now.unkept.calls - before.unkept.calls,
    },
    syscalls: now.syscalls
      .map((s) => {
        const p = prevS.get(s.nr);
        const totalNs = s.totalNs === null ? null : s.totalNs - (p?.totalNs ?? 0);
        return p ? { ...s, count: s.count - p.count, errors: s.errors - p.errors, totalNs } : s;
      })
      .filter((s) => s.count > 0)
      .sort((a, b) => b.count - a.count || a.nr - b.nr),
    processes: now.processes
      .map((p) => ({ ...p, count: p.count - (prevP.get(procKey(p))?.count ?? 0) }))
      .filter((p) => p.count > 0)
      .sort((a, b) => b.count - a.count || a.pid - b.pid),
  };
}
