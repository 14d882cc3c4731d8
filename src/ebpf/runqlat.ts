/**
 * runqlat: run-queue latency histograms (native/bpf/runqlat.bpf.c), log2 buckets in µs, printed
 * as BCC's runqlat prints them.
 */
import type { BpfFilter } from './config.js';
import { BpfSession } from './loader.js';
import { cString } from './syscount.js';

export interface Bucket {
  lowUs: number;
  highUs: number;
  count: number;
}

export interface RunqHistogram {
  /** 0 for the system-wide histogram. */
  pid: number;
  comm: string;
  buckets: Bucket[];
}

const SLOTS = 32;
const HIST_SIZE = SLOTS * 4 + 16;

/** Slot i holds [2^i, 2^(i+1)-1] µs, slot 0 is 0–1 (BCC's and libbpf-tools' convention). */
export function slotRange(i: number): { lowUs: number; highUs: number } {
  const high = 2 ** (i + 1) - 1;
  const low = i === 0 ? 0 : 2 ** i;
  return { lowUs: low, highUs: high };
}

/** Buckets from the first to the last non-empty slot (as BCC prints them). */
export function toBuckets(slots: number[]): Bucket[] {
  let last = -1;
  slots.forEach((c, i) => {
    if (c > 0) last = i;
  });
  return slots.slice(0, last + 1).map((count, i) => ({ ...slotRange(i), count }));
}

/** BCC's print_log2_hist: `  lowUs -> highUs : count |****  |`. */
export function renderLog2Hist(buckets: Bucket[], unit = 'usecs'): string {
  const max = Math.max(0, ...buckets.map((b) => b.count));
  const width = 40;
  const lines = [`${unit.padStart(23)}${' '.repeat(10)}: count    distribution`];
  for (const b of buckets) {
    const stars = max > 0 ? Math.round((b.count * width) / max) : 0;
    lines.push(
      `${String(b.lowUs).padStart(10)} -> ${String(b.highUs).padEnd(10)} : ${String(b.count).padEnd(8)} |${'*'.repeat(stars).padEnd(width)}|`,
    );
  }
  return lines.join('\n');
}

export class Runqlat {
  readonly session: BpfSession;

  constructor(filter: BpfFilter, perProcess: boolean) {
    this.session = new BpfSession('runqlat', { filter: { ...filter, flags: perProcess ? 1 : 0 } });
  }

  snapshot(): RunqHistogram[] {
    return this.session
      .entries('hists', 4, HIST_SIZE)
      .map(({ key, value }) => {
        const slots = Array.from({ length: SLOTS }, (_, i) => value.readUInt32LE(i * 4));
        return { pid: key.readUInt32LE(0), comm: cString(value, SLOTS * 4), buckets: toBuckets(slots) };
      })
      .filter((h) => h.buckets.length > 0)
      .sort((a, b) => a.pid - b.pid);
  }

  close(): void {
    this.session.close();
  }
}
