/**
 * `oslens top`'s collector: samples the system and every process each tick (src/proc readers),
 * keeps short histories, and builds the TopModel the views draw. Reading only: no drawing here.
 */
import { OpenProcFiles } from '../../proc/open-files.js';
import { kernelUnits } from '../../proc/process.js';
import { pushHistory } from './history.js';
import {
  processRates,
  sampleProcesses,
  sortProcessRows,
  type ProcessRateRow,
  type ProcessSampleSet,
  type ProcessSortKey,
} from './processes.js';
import type { Pid } from '../../proc/read.js';
import type { SyscallRateSource } from './syscall-rates.js';
import { sampleSystem, systemView, type SystemSample, type SystemView } from './system.js';

export const HISTORY = 60;

export interface TopHistory {
  /** Busy percent per core, one array per core. */
  cpuBusy: number[][];
  minorFaults: number[];
  majorFaults: number[];
  contextSwitches: number[];
  interrupts: number[];
}

export interface TopModel {
  /** Wall-clock time of the sample, ISO. */
  time: string;
  system: SystemView;
  /** Sorted by `sort`. */
  processes: ProcessRateRow[];
  sort: ProcessSortKey;
  /** Why syscalls/s is empty, or '' when eBPF counts it. */
  syscallsNote: string;
  history: TopHistory;
}

export class TopCollector {
  private prevSystem: SystemSample;
  private prevProcs: ProcessSampleSet;
  private prevT: number;
  readonly history: TopHistory = { cpuBusy: [], minorFaults: [], majorFaults: [], contextSwitches: [], interrupts: [] };
  sort: ProcessSortKey = 'cpu';
  /**
   * The processes on screen (the dashboard sets it after each draw), or null for all. A process
   * whose stat did not change is only read again (schedstat: its switches in) when it is on
   * screen, sorted by switches, or eBPF counts syscalls (which needs them for every process).
   */
  visible: ReadonlySet<Pid> | null = null;
  /** When each process's schedstat was last read (its switches/s are over that span). */
  private slicesAt = new Map<Pid, number>();
  /** stat/schedstat and the system files, kept open between ticks (one pread each per tick). */
  private readonly files = new OpenProcFiles();

  constructor(private readonly syscalls: SyscallRateSource) {
    const units = kernelUnits();
    this.prevT = performance.now() / 1000;
    this.prevSystem = sampleSystem(units, this.prevT, this.files);
    this.prevProcs = sampleProcesses(undefined, this.files);
    for (const pid of this.prevProcs.keys()) this.slicesAt.set(pid, this.prevT);
    syscalls.take(this.prevProcs.keys());
  }

  tick(): TopModel {
    const t = performance.now() / 1000;
    const sys = sampleSystem(kernelUnits(), t, this.files);
    // /proc/stat's "processes" counts every fork and clone since boot: unchanged since the last
    // tick, no process was created (nor a pid reused), so last tick's pids are all there can be
    // (those gone drop out when their stat cannot be read): no readdir of /proc.
    const forks = sys.stat.processes;
    const unchanged = forks > 0 && forks === this.prevSystem.stat.processes;
    const slicesOf = this.syscalls.available || this.sort === 'ctxsw' ? null : this.visible;
    const procs = sampleProcesses(
      this.prevProcs,
      this.files,
      unchanged ? this.prevProcs.keys() : undefined,
      slicesOf ?? undefined,
    );
    // schedstat was read for every process, except those kept as they were (same stat) off screen.
    const slicesAt = new Map<Pid, number>();
    for (const [pid, s] of procs) {
      const at = slicesOf && !slicesOf.has(pid) && this.prevProcs.get(pid) === s ? this.slicesAt.get(pid) : t;
      if (at !== undefined) slicesAt.set(pid, at);
    }
    // A single-threaded process with the same stat and schedstat as last tick (its sample was
    // kept: see sampleProcessFast) was not switched in, so it made no syscall: no lookup.
    const looked: Pid[] = [];
    const idle: Pid[] = [];
    for (const [pid, s] of procs) {
      if (this.prevProcs.get(pid) === s && s.threads === 1 && s.timeslices > 0) idle.push(pid);
      else looked.push(pid);
    }
    const counts = this.syscalls.take(looked, idle);
    const system = systemView(this.prevSystem, sys);
    const prevAt = this.slicesAt;
    const dt = t - this.prevT;
    const rows = processRates(this.prevProcs, procs, dt, counts?.byPid ?? null, (pid) => {
      const now = slicesAt.get(pid);
      if (now !== t) return Infinity;
      const before = prevAt.get(pid);
      return before === undefined ? dt : t - before;
    });
    this.slicesAt = slicesAt;
    this.prevSystem = sys;
    this.prevProcs = procs;
    this.prevT = t;
    const h = this.history;
    system.cpus.forEach((c, i) => pushHistory((h.cpuBusy[i] ??= []), c.busy, HISTORY));
    pushHistory(h.minorFaults, system.minorFaultsPerSec, HISTORY);
    pushHistory(h.majorFaults, system.majorFaultsPerSec, HISTORY);
    pushHistory(h.contextSwitches, system.contextSwitchesPerSec, HISTORY);
    pushHistory(h.interrupts, system.interruptsPerSec, HISTORY);
    return {
      time: new Date().toISOString(),
      system,
      processes: sortProcessRows(rows, this.sort),
      sort: this.sort,
      syscallsNote: this.syscalls.available ? '' : this.syscalls.reason,
      history: h,
    };
  }

  /** Closes the files kept open. */
  close(): void {
    this.files.close();
  }

  /** Re-sorts a model already taken (a key press between ticks). */
  resort(model: TopModel, sort: ProcessSortKey): TopModel {
    this.sort = sort;
    return { ...model, sort, processes: sortProcessRows(model.processes, sort) };
  }
}
