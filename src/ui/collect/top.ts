/**
 * `oslens top`'s collector: samples the system and every process each tick (src/proc readers),
 * keeps short histories, and builds the TopModel the views draw. Reading only: no drawing here.
 */
import { OpenProcFiles } from '../../proc/open-files.js';
import { kernelUnits, readTids } from '../../proc/process.js';
import { pushHistory } from './history.js';
import {
  processRates,
  countInState,
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
  /** True when sorted the other way round (smallest figures first). */
  reverse: boolean;
  /** True when `processes` also holds one row per thread (tgid = its process). */
  threads: boolean;
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
  reverse = false;
  /** Also sample every thread (top's H): costs a task/ listing per multi-threaded process. */
  showThreads = false;
  private prevThreads: ProcessSampleSet = new Map();
  /** stat/schedstat and the system files, kept open between ticks (one pread each per tick). */
  private readonly files = new OpenProcFiles();

  constructor(private readonly syscalls: SyscallRateSource) {
    const units = kernelUnits();
    this.prevT = performance.now() / 1000;
    this.prevSystem = sampleSystem(units, this.prevT, this.files);
    this.prevProcs = sampleProcesses(undefined, this.files);
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
    const procs = sampleProcesses(this.prevProcs, this.files, unchanged ? this.prevProcs.keys() : undefined);
    // A single-threaded process whose schedstat has not moved since last tick (its sample was
    // kept: see sampleProcesses) has not run, so it made no syscall: no lookup.
    const looked: Pid[] = [];
    const idle: Pid[] = [];
    for (const [pid, s] of procs) {
      if (this.prevProcs.get(pid) === s && s.threads === 1) idle.push(pid);
      else looked.push(pid);
    }
    const counts = this.syscalls.take(looked, idle);
    const system = systemView(this.prevSystem, sys);
    system.blocked = countInState(procs, 'D');
    const memTotal = system.memory.total;
    const rows = processRates(this.prevProcs, procs, t - this.prevT, counts?.byPid ?? null, memTotal);
    if (this.showThreads) {
      const threads = this.sampleThreads(procs);
      rows.push(...processRates(this.prevThreads, threads, t - this.prevT, counts?.byPid ?? null, memTotal));
      this.prevThreads = threads;
    } else this.prevThreads = new Map();
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
      processes: sortProcessRows(rows, this.sort, this.reverse),
      sort: this.sort,
      reverse: this.reverse,
      threads: this.showThreads,
      syscallsNote: this.syscalls.available ? '' : this.syscalls.reason,
      history: h,
    };
  }

  /** Closes the files kept open. */
  close(): void {
    this.files.close();
    this.threadFiles.close();
  }

  /**
   * The threads other than the main one of every multi-threaded process, as samples of their
   * own (/proc/TID/stat is the thread's: its own times, faults and state).
   */
  private sampleThreads(procs: ProcessSampleSet): ProcessSampleSet {
    const owner = new Map<Pid, Pid>();
    for (const p of procs.values()) {
      if (p.threads <= 1 || p.kernelThread) continue;
      let tids: number[];
      try {
        tids = readTids(p.pid);
      } catch {
        continue; // exited meanwhile
      }
      for (const tid of tids) if (tid !== p.pid) owner.set(tid, p.pid);
    }
    const threads = sampleProcesses(this.prevThreads, this.threadFiles, owner.keys());
    for (const [tid, s] of threads) s.tgid = owner.get(tid) ?? tid;
    return threads;
  }

  private readonly threadFiles = new OpenProcFiles(256);

  /** Re-sorts a model already taken (a key press between ticks). */
  resort(model: TopModel, sort: ProcessSortKey, reverse = this.reverse): TopModel {
    this.sort = sort;
    this.reverse = reverse;
    return { ...model, sort, reverse, processes: sortProcessRows(model.processes, sort, reverse) };
  }
}
