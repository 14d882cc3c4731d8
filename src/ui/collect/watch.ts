/**
 * `oslens watch PID`'s collector: the process's stat/status and its smaps regions each tick (smaps
 * only for this one process: it walks page tables), per-region RSS deltas, rates, histories.
 */
import { readFileSync } from 'node:fs';
import { mappedBss } from '../../proc/elf.js';
import { classifyRegions, parseSmaps, type Region, type RegionKind } from '../../proc/maps.js';
import { kernelUnits, readProcessStat, readProcessStatus } from '../../proc/process.js';
import { ProcessGoneError, readProcText, type Pid } from '../../proc/read.js';
import { stateName, type ProcessStat } from '../../proc/stat.js';
import type { ProcessStatus } from '../../proc/status.js';
import { pushHistory } from './history.js';
import type { SyscallRateSource } from './syscall-rates.js';

export const WATCH_HISTORY = 60;

export interface RegionRow {
  /** Start address in hex (a region growing down gets a new one: deltas match by identity, see matchRegions). */
  key: string;
  start: number;
  end: number;
  kind: RegionKind;
  path: string;
  perms: string;
  size: number;
  rss: number;
  /** RSS change since the previous sample, bytes (a new region: its whole RSS). */
  rssDelta: number;
  sizeDelta: number;
  dirty: number;
  swap: number;
  /** New, or its size or RSS changed in the last sample. */
  changed: boolean;
  isNew: boolean;
}

export interface WatchHistory {
  rss: number[];
  minorFaults: number[];
  majorFaults: number[];
  voluntary: number[];
  nonvoluntary: number[];
}

export interface WatchModel {
  time: string;
  pid: Pid;
  comm: string;
  command: string;
  state: string;
  stateName: string;
  threads: number;
  /** The process is gone (or a zombie): the figures are the last ones seen. */
  exited: boolean;
  exitNote: string;
  cpuPercent: number;
  /** Sum of the regions' RSS (smaps), bytes. */
  rss: number;
  rssDelta: number;
  virtualSize: number;
  minorFaultsPerSec: number;
  majorFaultsPerSec: number;
  voluntaryPerSec: number;
  nonvoluntaryPerSec: number;
  /** Largest RSS first. */
  regions: RegionRow[];
  /** Top syscalls/s of this process (eBPF), or null with syscallsNote saying why. */
  syscalls: { name: string; perSec: number }[] | null;
  syscallsNote: string;
  history: WatchHistory;
}

export function regionKey(r: Pick<Region, 'start'>): string {
  return r.start.toString(16);
}

/** The pid exists and is not a zombie (a failed read of it was not its exit). */
function stillRunning(pid: Pid): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/\) [ZX] /.test(stat);
  } catch {
    return false;
  }
}

/**
 * Which region of `prev` each region of `cur` is (pure). A region keeps its start as it grows up
 * (the heap); one that grows down (a stack, an anonymous mapping the kernel merged with a new one
 * just below it) keeps its end; one split or merged otherwise still overlaps its old self. So:
 * the same start first, then the same end, then the largest overlap, always with the same file
 * (or both anonymous), each previous region taken once.
 */
export function matchRegions(prev: readonly Region[], cur: readonly Region[]): (Region | undefined)[] {
  const taken = new Set<Region>();
  const out: (Region | undefined)[] = new Array(cur.length).fill(undefined);
  const byStart = new Map(prev.map((r) => [r.start, r]));
  const byEnd = new Map(prev.map((r) => [r.end, r]));
  const same = (a: Region, b: Region) => a.path === b.path;
  const pass = (find: (r: Region) => Region | undefined) =>
    cur.forEach((r, i) => {
      if (out[i]) return;
      const p = find(r);
      if (p && !taken.has(p) && same(p, r)) {
        out[i] = p;
        taken.add(p);
      }
    });
  pass((r) => byStart.get(r.start));
  pass((r) => byEnd.get(r.end));
  // Overlaps: both lists are sorted by address (smaps order), so a sweep would do; the lists are
  // a few hundred regions and this runs for the leftovers only.
  pass((r) => {
    let best: Region | undefined;
    let bestOverlap = 0;
    for (const p of prev) {
      if (taken.has(p) || !same(p, r)) continue;
      const overlap = Math.min(p.end, r.end) - Math.max(p.start, r.start);
      if (overlap > bestOverlap) [best, bestOverlap] = [p, overlap];
    }
    return best;
  });
  return out;
}

/** Per-region deltas against the previous sample (pure); regions matched by identity (matchRegions). */
export function regionDeltas(prev: readonly Region[] | null, cur: readonly Region[]): RegionRow[] {
  const matched = prev === null ? [] : matchRegions(prev, cur);
  return cur.map((r, i) => {
    const key = regionKey(r);
    const p = matched[i];
    const rssDelta = prev === null ? 0 : r.rss - (p?.rss ?? 0);
    const sizeDelta = prev === null ? 0 : r.size - (p?.size ?? 0);
    const isNew = prev !== null && p === undefined;
    return {
      key,
      start: r.start,
      end: r.end,
      kind: r.kind,
      path: r.path,
      perms: r.perms,
      size: r.size,
      rss: r.rss,
      rssDelta,
      sizeDelta,
      dirty: r.dirty,
      swap: r.swap,
      changed: isNew || rssDelta !== 0 || sizeDelta !== 0,
      isNew,
    };
  });
}

/** Largest RSS first; ties by address. */
export function sortRegions(rows: readonly RegionRow[]): RegionRow[] {
  return [...rows].sort((a, b) => b.rss - a.rss || a.start - b.start);
}

/** The name a person knows a region by: its file's base name, [heap], or anon@address. */
export function regionName(r: Pick<RegionRow, 'path' | 'start'>): string {
  if (r.path === '') return `anon@${r.start.toString(16)}`;
  if (r.path.startsWith('[')) return r.path;
  return r.path.slice(r.path.lastIndexOf('/') + 1);
}

interface Sample {
  t: number;
  stat: ProcessStat;
  status: ProcessStatus;
  regions: Region[];
}

export class WatchCollector {
  private prev: Sample | null = null;
  private last: WatchModel | null = null;
  readonly history: WatchHistory = { rss: [], minorFaults: [], majorFaults: [], voluntary: [], nonvoluntary: [] };

  constructor(
    readonly pid: Pid,
    private readonly command: string,
    private readonly syscalls: SyscallRateSource,
  ) {}

  /**
   * One sample. A process in the middle of execve can refuse a read for an instant (ESRCH while
   * its memory is swapped) although it is still there: such a read is retried, and only a pid
   * that is really gone (or a zombie) counts as exited.
   */
  private sample(): Sample {
    for (let attempt = 0; ; attempt++) {
      try {
        return this.sampleOnce();
      } catch (err) {
        if (!(err instanceof ProcessGoneError) || attempt >= 20 || !stillRunning(this.pid)) throw err;
      }
    }
  }

  private sampleOnce(): Sample {
    const stat = readProcessStat(this.pid);
    const status = readProcessStatus(this.pid);
    const regions = stat.kernelThread ? [] : parseSmaps(readProcText(this.pid, 'smaps'));
    const page = kernelUnits().pageSize;
    classifyRegions(regions, { pageSize: page, bss: mappedBss(this.pid, regions, page) });
    return { t: performance.now() / 1000, stat, status, regions };
  }

  /** The first sample (rates start from it); throws ProcessGoneError if the pid does not exist. */
  start(): void {
    this.prev = this.sample();
    this.syscalls.take();
  }

  tick(): WatchModel {
    if (this.last?.exited) return this.last;
    let cur: Sample;
    let gone = false;
    try {
      cur = this.sample();
    } catch (err) {
      if (!(err instanceof ProcessGoneError)) throw err;
      if (this.last) {
        this.last = { ...this.last, exited: true, exitNote: `process ${this.pid} exited; last figures kept` };
        return this.last;
      }
      if (!this.prev) throw err;
      // Gone before the first tick: the first sample's figures are the last ones.
      cur = this.prev;
      gone = true;
    }
    const prev = this.prev ?? cur;
    const dt = Math.max(1e-3, cur.t - prev.t);
    const rate = (a: number, b: number) => Math.max(0, (b - a) / dt);
    const rows = sortRegions(regionDeltas(this.prev === null ? null : prev.regions, cur.regions));
    const rss = rows.reduce((s, r) => s + r.rss, 0);
    const prevRss = prev.regions.reduce((s, r) => s + r.rss, 0);
    const h = this.history;
    const model: WatchModel = {
      time: new Date().toISOString(),
      pid: this.pid,
      comm: cur.stat.comm,
      command: this.command || cur.stat.comm,
      state: cur.stat.state,
      stateName: stateName(cur.stat.state),
      threads: cur.stat.threads,
      exited: cur.stat.state === 'Z' || cur.stat.state === 'X',
      exitNote: cur.stat.state === 'Z' ? `process ${this.pid} exited (zombie, not yet reaped); last figures kept` : '',
      cpuPercent: rate(prev.stat.utime + prev.stat.stime, cur.stat.utime + cur.stat.stime) * 100,
      rss,
      rssDelta: rss - prevRss,
      virtualSize: cur.stat.vsize,
      minorFaultsPerSec: rate(prev.stat.minflt, cur.stat.minflt),
      majorFaultsPerSec: rate(prev.stat.majflt, cur.stat.majflt),
      voluntaryPerSec: rate(prev.status.voluntaryCtxt, cur.status.voluntaryCtxt),
      nonvoluntaryPerSec: rate(prev.status.nonvoluntaryCtxt, cur.status.nonvoluntaryCtxt),
      regions: rows,
      syscalls: null,
      syscallsNote: this.syscalls.available ? '' : this.syscalls.reason,
      history: h,
    };
    const counts = this.syscalls.take();
    if (counts) {
      model.syscalls = [...counts.byName.entries()]
        .map(([name, n]) => ({ name, perSec: n / dt }))
        .sort((a, b) => b.perSec - a.perSec)
        .slice(0, 10);
    }
    pushHistory(h.rss, rss, WATCH_HISTORY);
    pushHistory(h.minorFaults, model.minorFaultsPerSec, WATCH_HISTORY);
    pushHistory(h.majorFaults, model.majorFaultsPerSec, WATCH_HISTORY);
    pushHistory(h.voluntary, model.voluntaryPerSec, WATCH_HISTORY);
    pushHistory(h.nonvoluntary, model.nonvoluntaryPerSec, WATCH_HISTORY);
    if (gone) {
      model.exited = true;
      model.exitNote = `process ${this.pid} exited; last figures kept`;
    }
    this.prev = cur;
    this.last = model;
    return model;
  }
}
