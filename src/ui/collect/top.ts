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
    const procs = sampleProcesses(this.prevProcs, this.files);
    const counts = this.syscalls.take(procs.keys());
    const system = systemView(this.prevSystem, sys);
    const rows = processRates(this.prevProcs, procs, t - this.prevT, counts?.byPid ?? null);
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
