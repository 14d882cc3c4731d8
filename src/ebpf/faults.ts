/**
 * faults: page faults per process (minor/major) and per region of its address space, counted in
 * kernel by native/bpf/faults.bpf.c. The kernel names the region (file basename, heap, stack,
 * anonymous); a live process's /proc/PID/maps upgrades that to the full path.
 */
import { readFileSync } from 'node:fs';
import type { BpfFilter } from './config.js';
import { BpfSession } from './loader.js';
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

export class Faults {
  readonly session: BpfSession;

  constructor(filter: BpfFilter) {
    this.session = new BpfSession('faults', { filter });
  }

  snapshot(): FaultProcess[] {
    const procs = new Map<number, FaultProcess>();
    for (const { key, value } of this.session.entries('procs', 4, PROC_VAL)) {
      const pid = key.readUInt32LE(0);
      const faults = Number(value.readBigUInt64LE(0));
      const major = Math.min(faults, Number(value.readBigUInt64LE(8)));
      procs.set(pid, { pid, comm: cString(value, 16, 32), faults, minor: faults - major, major, regions: [] });
    }
    const maps = new Map<number, Map<bigint, string>>();
    for (const { key, value } of this.session.entries('regions', REGION_KEY, REGION_VAL)) {
      const pid = key.readUInt32LE(0);
      const p = procs.get(pid);
      if (!p) continue;
      const start = key.readBigUInt64LE(8);
      let kind = KINDS[value.readUInt32LE(16)] ?? 'unknown';
      const name = cString(value, 24, 88);
      if (!maps.has(pid)) maps.set(pid, mapsPaths(pid));
      const live = maps.get(pid)?.get(start);
      let path = live ?? (kind === 'file' ? name : kind === 'anon' || kind === 'unknown' ? `[${kind}]` : `[${kind}]`);
      if (live === '[vdso]' || live === '[vvar]') kind = 'vdso';
      if (live?.startsWith('[stack')) kind = 'stack';
      if (kind === 'anon' && live === undefined) path = '[anon]';
      p.regions.push({ path, kind, faults: Number(value.readBigUInt64LE(0)), start: `0x${start.toString(16)}` });
    }
    const out = [...procs.values()].filter((p) => p.faults > 0);
    for (const p of out) p.regions.sort((a, b) => b.faults - a.faults);
    return out.sort((a, b) => b.faults - a.faults || a.pid - b.pid);
  }

  close(): void {
    this.session.close();
  }
}
