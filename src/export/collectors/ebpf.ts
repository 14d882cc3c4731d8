/**
 * `syscalls` and `runqlat`: the eBPF tools' cumulative kernel maps (src/ebpf/syscount.ts,
 * runqlat.ts) read at each scrape. Attached once at start; without the capability the collector
 * is off and says why (the others keep serving).
 */
import { requireBpf } from '../../ebpf/caps.js';
import { NO_FILTER } from '../../ebpf/config.js';
import { Runqlat } from '../../ebpf/runqlat.js';
import { HIST_SLOTS, Syscount, type SyscallCount } from '../../ebpf/syscount.js';
import { modelForSyscall } from '../../trace/syscall-models.js';
import type { HistogramSample, MetricFamily } from '../format.js';
import type { Collector } from './types.js';

/** Why eBPF cannot run here, or null (the same check as the eBPF commands). */
function bpfUnavailable(tool: string): string | null {
  try {
    requireBpf(tool);
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** Opens a BPF tool, or returns why it could not be. */
function open<T>(tool: string, make: () => T): { tool?: T; why: string | null } {
  const why = bpfUnavailable(tool);
  if (why) return { why };
  try {
    return { tool: make(), why: null };
  } catch (err) {
    return { why: `${tool}: ${err instanceof Error ? err.message : String(err)}` };
  }
}

export class SyscallsCollector implements Collector {
  readonly name = 'syscalls';
  readonly disabled: string | null;
  private readonly sc?: Syscount;
  /** One label set per syscall (a few hundred at most), kept: the encoder caches their text. */
  private readonly labelSets = new Map<string, Record<string, string>>();

  private labels(name: string): Record<string, string> {
    let l = this.labelSets.get(name);
    if (!l) this.labelSets.set(name, (l = { syscall: name, model: modelForSyscall(name) ?? 'unknown' }));
    return l;
  }

  constructor() {
    // Exited processes are not kept: only per-syscall totals are exported.
    // Totals and latency histograms per syscall, no per-process table (not exported, and a hash
    // lookup on every syscall of the host saved).
    const { tool, why } = open(
      'export --collectors syscalls',
      () => new Syscount(NO_FILTER, { keepExited: false, histograms: true, perProcess: false }),
    );
    this.sc = tool;
    this.disabled = why;
  }

  collect(): MetricFamily[] {
    if (!this.sc) return [];
    // Only the per-syscall map: the per-process table is not exported (and costs a scrape).
    const syscalls = this.sc.syscallTotals();
    return [
      {
        name: 'oslens_syscalls',
        type: 'counter',
        help: 'System calls made on this host, counted in kernel by eBPF since the exporter started (label model: the mental model of the call)',
        samples: syscalls.map((s) => ({ labels: this.labels(s.name), value: s.count })),
      },
      {
        name: 'oslens_syscall_errors',
        type: 'counter',
        help: 'System calls that returned an error (-errno), counted in kernel by eBPF (model: syscall-boundary)',
        samples: syscalls.map((s) => ({ labels: this.labels(s.name), value: s.errors })),
      },
      {
        name: 'oslens_syscall_latency_seconds',
        type: 'histogram',
        unit: 'seconds',
        help: 'Time from entering a system call to its return, eBPF, since the exporter started; buckets at powers of 4 ns (label model: the mental model of the call)',
        histograms: syscalls.map((s) => this.histogram(s)),
      },
    ];
  }

  /** Slots 0..3 (< 256 ns) fold into the first bucket; the last slot (>= 4.3 s) is only in +Inf. */
  private histogram(s: SyscallCount): HistogramSample {
    // A syscall not called since the last scrape has the same histogram: no map lookup.
    const known = this.histograms.get(s.nr);
    if (known && known.calls === s.count) return known.sample;
    const slots = this.sc!.latencyHistogram(s.nr);
    const buckets: HistogramSample['buckets'] = [];
    let cumulative = 0;
    for (let i = 0; i < HIST_SLOTS - 1; i++) {
      cumulative += slots[i] ?? 0;
      if (i >= FIRST_BUCKET_SLOT)
        buckets.push({ le: BUCKET_BOUNDS[i - FIRST_BUCKET_SLOT] as number, count: cumulative });
    }
    const count = cumulative + (slots[HIST_SLOTS - 1] ?? 0);
    const sample = { labels: this.labels(s.name), buckets, count, sum: (s.totalNs ?? 0) / 1e9 };
    this.histograms.set(s.nr, { calls: s.count, sample });
    return sample;
  }

  /** The last histogram of each syscall, and its call count then. */
  private readonly histograms = new Map<number, { calls: number; sample: HistogramSample }>();

  close(): void {
    this.sc?.close();
  }
}

/** The first slot that is a bucket of its own, and the buckets' bounds (4^(i+1) ns, in seconds). */
const FIRST_BUCKET_SLOT = 3;
const BUCKET_BOUNDS = Array.from(
  { length: HIST_SLOTS - 1 - FIRST_BUCKET_SLOT },
  (_, k) => 4 ** (k + FIRST_BUCKET_SLOT + 1) / 1e9,
);

export class RunqlatCollector implements Collector {
  readonly name = 'runqlat';
  readonly disabled: string | null;
  private readonly rq?: Runqlat;

  constructor() {
    const { tool, why } = open('export --collectors runqlat', () => new Runqlat(NO_FILTER, false));
    this.rq = tool;
    this.disabled = why;
  }

  collect(): MetricFamily[] {
    if (!this.rq) return [];
    // Log2 slots in µs; a slot [2^i, 2^(i+1)-1] µs ends below 2^(i+1) µs, the bucket's bound.
    const slots: number[] = [];
    for (const h of this.rq.snapshot()) h.buckets.forEach((b, i) => (slots[i] = (slots[i] ?? 0) + b.count));
    const SLOTS = 26; // up to 2^26 µs = 67 s: fixed bounds, so series do not appear and vanish
    let cumulative = 0;
    let sum = 0;
    const buckets: HistogramSample['buckets'] = [];
    let total = 0;
    for (let i = 0; i < slots.length; i++) total += slots[i] ?? 0;
    for (let i = 0; i < SLOTS; i++) {
      const c = slots[i] ?? 0;
      cumulative += c;
      // The sum is estimated from bucket midpoints (the kernel keeps counts only).
      sum += c * ((i === 0 ? 0.5 : 1.5 * 2 ** i) / 1e6);
      buckets.push({ le: 2 ** (i + 1) / 1e6, count: cumulative });
    }
    for (let i = SLOTS; i < slots.length; i++) sum += (slots[i] ?? 0) * ((1.5 * 2 ** i) / 1e6);
    return [
      {
        name: 'oslens_runqueue_latency_seconds',
        type: 'histogram',
        help: 'Run-queue latency: time from wakeup or preemption to running on a CPU, eBPF, since the exporter started; _sum estimated from log2 bucket midpoints (model: scheduling)',
        unit: 'seconds',
        histograms: [{ labels: {}, buckets, count: total, sum: Math.round(sum * 1e6) / 1e6 }],
      },
    ];
  }

  close(): void {
    this.rq?.close();
  }
}
