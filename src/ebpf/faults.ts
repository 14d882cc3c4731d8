/**
 * faults: page faults per process (minor/major) and per region of its address space, counted in
 * kernel by native/bpf/faults.bpf.c. The kernel names the region (file basename, heap, stack,
 * anonymous); a live process's /proc/PID/maps upgrades that to the full path.
 */
import { readFileSync } from 'node:fs';
import type { BpfFilter } from './config.js';
import { BpfSession, type RingStream } from './loader.js';
import { cString } from './syscount.js';

export type FaultRegionKind = 'anon' | 'file' | 'heap' | 'stack' | 'vdso' | 'unknown';
const KINDS: FaultRegionKind[] = ['anon', 'file', 'heap', 'stack', 'unknown'];

export interface FaultRegion {
  path: string;
  kind: FaultRegionKind;
  faults: number;
  /** Start address of the region (hex), to tell two regions of one file apart. */
  start: string;
}

export interface FaultProcess {
  pid: number;
  comm: string;
  faults: number;
  minor: number;
  major: number;
  regions: FaultRegion[];
}

/** Region start → path, from /proc/PID/maps (empty when the process is gone). */
export function mapsPaths(pid: number): Map<bigint, string> {
  const out = new Map<bigint, string>();
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/maps`, 'utf8');
  } catch {
    return out; // exited (ENOENT/ESRCH): the kernel's names stand
  }
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]+)-[0-9a-f]+\s+\S+\s+\S+\s+\S+\s+\S+\s*(.*)$/.exec(line);
    if (m?.[1] && m[2]) out.set(BigInt(`0x${m[1]}`), m[2]);
  }
  return out;
}

const REGION_KEY = 16; // struct region_key: tgid, pad, start
const REGION_VAL = 88; // struct region_val: faults, end, kind, pad, name[64]
const PROC_VAL = 32; // struct proc_val: faults, major, comm[16]

/** /proc/PID/maps reads per snapshot at most: a fork loop must not make an interval cost more. */
const MAPS_READS_PER_SNAPSHOT = 32;
const MAPS_CACHE = 4096;
/** Exited processes whose rows are kept (those with the most faults); the rest are folded. */
const KEEP_EXITED = 4096;

export interface FaultsSnapshot {
  processes: FaultProcess[];
  /**
   * What is in no row: faults of the regions table when full, of the process table when full,
   * and the exited processes folded away (beyond the 4096 with most faults) with their faults.
   */
  unkept: { regionFaults: number; processFaults: number; foldedProcesses: number; foldedFaults: number };
}

export class Faults {
  readonly session: BpfSession;
  /** Region start → full path of the processes read so far (their maps as first seen). */
  private maps = new Map<number, Map<bigint, string>>();
  /** Processes that exited since the last snapshot (the kernel's `exited` ring). */
  private dead: number[] = [];
  /** Rows of exited processes, moved out of the kernel tables. */
  private gone: FaultProcess[] = [];
  private folded = { processes: 0, faults: 0 };
  private ring: RingStream;

  constructor(filter: BpfFilter) {
    this.session = new BpfSession('faults', { filter });
    this.ring = this.session.streamRing('exited', (b) => this.dead.push(b.readUInt32LE(0)));
  }

  /** Hands over the last exits (call before the final snapshot). */
  async flush(): Promise<void> {
    await this.ring.stop();
  }

  /** The full path of a file region (the kernel gives its basename), read once per process. */
  private livePath(pid: number, start: bigint, budget: { reads: number }): string | undefined {
    let m = this.maps.get(pid);
    if ((!m || !m.has(start)) && budget.reads > 0) {
      budget.reads--;
      m = mapsPaths(pid);
      this.maps.delete(pid);
      this.maps.set(pid, m);
      // Oldest first: a bounded cache, whatever the number of processes.
      for (const old of this.maps.keys()) {
        if (this.maps.size <= MAPS_CACHE) break;
        this.maps.delete(old);
      }
    }
    return m?.get(start);
  }

  /**
   * Totals since the start: live processes from the kernel tables, exited ones from the rows
   * moved out of them. Work and memory are bounded by the tables' sizes and KEEP_EXITED.
   */
  snapshot(): FaultsSnapshot {
    const dead = new Set(this.dead);
    this.dead = [];
    const procs = new Map<number, FaultProcess>();
    const deadProcKeys: Buffer[] = [];
    for (const { key, value } of this.session.entries('procs', 4, PROC_VAL)) {
      const pid = key.readUInt32LE(0);
      const faults = Number(value.readBigUInt64LE(0));
      const major = Math.min(faults, Number(value.readBigUInt64LE(8)));
      procs.set(pid, { pid, comm: cString(value, 16, 32), faults, minor: faults - major, major, regions: [] });
      if (dead.has(pid)) deadProcKeys.push(key);
    }
    const budget = { reads: MAPS_READS_PER_SNAPSHOT };
    const deadRegionKeys: Buffer[] = [];
    for (const { key, value } of this.session.entries('regions', REGION_KEY, REGION_VAL)) {
      const pid = key.readUInt32LE(0);
      const p = procs.get(pid);
      if (dead.has(pid)) deadRegionKeys.push(key);
      if (!p) continue;
      const start = key.readBigUInt64LE(8);
      let kind = KINDS[value.readUInt32LE(16)] ?? 'unknown';
      const name = cString(value, 24, 88);
      // Only file and anonymous regions gain from /proc (a full path; [vdso]); the stack is keyed
      // by its fixed top, not a mapping start.
      const live = kind === 'file' || kind === 'anon' ? this.livePath(pid, start, budget) : undefined;
      const path = live ?? (kind === 'file' ? name : `[${kind}]`);
      if (live === '[vdso]' || live === '[vvar]') kind = 'vdso';
      if (live?.startsWith('[stack')) kind = 'stack';
      p.regions.push({ path, kind, faults: Number(value.readBigUInt64LE(0)), start: `0x${start.toString(16)}` });
    }
    for (const p of procs.values()) p.regions.sort((a, b) => b.faults - a.faults);
    // The exited leave the kernel tables (their pids may come back as other processes).
    for (const pid of dead) {
      const p = procs.get(pid);
      if (!p) continue;
      procs.delete(pid);
      this.gone.push(p);
      this.maps.delete(pid);
    }
    this.session.deleteKeys('regions', deadRegionKeys, REGION_KEY);
    this.session.deleteKeys('procs', deadProcKeys, 4);
    if (this.gone.length > KEEP_EXITED) {
      this.gone.sort((a, b) => b.faults - a.faults);
      for (const p of this.gone.splice(KEEP_EXITED)) {
        this.folded.processes++;
        this.folded.faults += p.faults;
      }
    }
    const processes = [...procs.values(), ...this.gone].filter((p) => p.faults > 0);
    processes.sort((a, b) => b.faults - a.faults || a.pid - b.pid);
    let regionFaults = 0n,
      processFaults = 0n;
    for (const { values } of this.session.percpuEntries('unkept', 4, 16)) {
      for (const v of values) {
        regionFaults += v.readBigUInt64LE(0);
        processFaults += v.readBigUInt64LE(8);
      }
    }
    return {
      processes,
      unkept: {
        regionFaults: Number(regionFaults),
        processFaults: Number(processFaults),
        foldedProcesses: this.folded.processes,
        foldedFaults: this.folded.faults,
      },
    };
  }

  close(): void {
    this.session.close();
  }
}
