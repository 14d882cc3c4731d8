/**
 * Runs benchmarks through the native harness and turns raw batches into BenchResults.
 * JS only schedules and summarises: every timed loop is in native/bench.
 */
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { resolve } from 'node:path';
import { findLatencyRow, loadLatencyTable } from '../lessons/load.js';
import { BUILD_DIR, loadAddon, type RawBenchResult } from '../native/addon.js';
import { BENCHMARKS, findBench, type BenchSpec } from './catalog.js';
import { computeRatios, folkloreNotes, verdictFor, type FolkloreFacts } from './compare.js';
import { allowedCpus, diskTempDir, readHostInfo, type HostInfo } from './host.js';
import { readDiskFacts } from './host-facts.js';
import { summarize } from './stats.js';
import { assessNoise, systemSnapshot, type ProbeSample } from './noise.js';
import { packageVersion } from '../util/package.js';
import type { BenchResult, BenchRun } from './types.js';

export interface RunOptions {
  quick: boolean;
  heapBytes: number;
  /** Batches per benchmark; default 7 with --quick, 31 otherwise. */
  batches?: number;
  /**
   * Rounds: the list runs this many times, interleaved, and each benchmark's batches are split
   * across them, so a load that comes and goes hits every benchmark alike instead of one of them;
   * the rounds' disagreement is one of the noise signs. Default 2 with --quick, 3 otherwise.
   */
  rounds?: number;
  /** Pin to one CPU where the method wants it (default true). */
  pin: boolean;
  onProgress?: (done: number, total: number, id: string) => void;
  /** Set to true (e.g. on SIGINT) to stop after the current batch. */
  cancelled?: () => boolean;
}

/** Turns one raw harness result into the record every view and exporter uses. */
export function toResult(spec: BenchSpec, raw: RawBenchResult | null, roundMedians: number[] = []): BenchResult {
  const row = findLatencyRow(spec.row);
  const measured = raw !== null && raw.skipped === null && raw.nsPerOp.length > 0;
  const s = measured ? summarize(raw.nsPerOp) : null;
  const aux = measured ? summarize(raw.auxPerOp).median : null;
  const nsPerOp = s ? s.median : null;
  return {
    id: spec.id,
    title: spec.title,
    model: spec.model,
    row: spec.row,
    nsPerOp,
    p10: s ? s.p10 : null,
    p90: s ? s.p90 : null,
    batches: measured ? raw.nsPerOp.length : 0,
    opsPerBatch: raw?.opsPerBatch ?? 0,
    overheadNsPerOp: aux !== null && aux > 0 ? aux : null,
    reference: row.reference,
    verdict: verdictFor(spec, nsPerOp, row.reference),
    method: spec.method,
    op: spec.op,
    pinnedCpu: raw && raw.pinnedCpu >= 0 ? raw.pinnedCpu : null,
    status: spec.compare === 'reference-only' ? 'reference-only' : measured ? 'measured' : 'skipped',
    skipped: spec.compare === 'reference-only' ? null : measured ? null : (raw?.skipped ?? 'not run'),
    note: raw?.note ?? null,
    roundMedians: measured ? roundMedians : [],
    noise: null,
  };
}

/** Batches of every round of one benchmark, merged. */
interface Collected {
  raw: RawBenchResult;
  roundMedians: number[];
  /** Per measured batch: the share of its time the thread waited runnable for the CPU. */
  waitShares: number[];
  /** Not run again: it skipped (in its first round: a skip; later: the rounds it measured stand). */
  done: boolean;
}

/** Per batch: the share of its time the thread waited runnable for the CPU (none without schedstat). */
function waitShares(raw: RawBenchResult): number[] {
  const out: number[] = [];
  raw.nsPerOp.forEach((ns, i) => {
    const waited = raw.waitedNs[i] ?? -1;
    const batchNs = ns * raw.opsPerBatch;
    if (waited >= 0 && batchNs > 0) out.push(Math.min(1, waited / batchNs));
  });
  return out;
}

function collect(into: Collected | undefined, raw: RawBenchResult): Collected {
  const measured = raw.skipped === null && raw.nsPerOp.length > 0;
  if (!into || !measured) {
    if (into && into.raw.nsPerOp.length > 0) return { ...into, done: true };
    return {
      raw: { ...raw },
      roundMedians: measured ? [summarize(raw.nsPerOp).median] : [],
      waitShares: measured ? waitShares(raw) : [],
      done: !measured,
    };
  }
  return {
    raw: { ...raw, nsPerOp: [...into.raw.nsPerOp, ...raw.nsPerOp], auxPerOp: [...into.raw.auxPerOp, ...raw.auxPerOp] },
    roundMedians: [...into.roundMedians, summarize(raw.nsPerOp).median],
    waitShares: [...into.waitShares, ...waitShares(raw)],
    done: false,
  };
}

export async function runBenchmarks(ids: readonly string[], opts: RunOptions): Promise<BenchRun> {
  const specs = ids.map((id) => findBench(id) as BenchSpec);
  const host = readHostInfo();
  // The O_DIRECT read benchmark writes 256 MiB (32 MiB with --quick), plus room to spare.
  const tmpdir = diskTempDir(process.env, (opts.quick ? 48 : 320) << 20);
  host.disk = readDiskFacts(tmpdir);
  const cpus = allowedCpus();
  const batches = opts.batches ?? (opts.quick ? 7 : 31);
  const rounds = Math.max(1, Math.min(opts.rounds ?? (opts.quick ? 2 : 3), batches));
  const perRound = Math.ceil(batches / rounds);
  const helperPath = resolve(BUILD_DIR, 'oslens-forkhelper');
  const addon = specs.some((s) => s.compare !== 'reference-only') ? loadAddon() : null;
  const measuring = specs.filter((s) => s.compare !== 'reference-only' && addon);
  const collected = new Map<string, Collected>();
  const cpu = opts.pin && cpus.length > 0 ? (cpus[cpus.length - 1] as number) : -1;
  const options = (batchCount: number) => ({
    // The last allowed CPU: usually the one the rest of the system leaves quietest.
    cpu,
    quick: opts.quick ? 1 : 0,
    batches: batchCount,
    targetBatchNs: opts.quick ? 1e6 : 5e6,
    heapBytes: opts.heapBytes,
    l1Bytes: host.cache.l1dBytes,
    l2Bytes: host.cache.l2Bytes,
    llcBytes: host.cache.llcBytes,
    tmpdir,
    helperPath: existsSync(helperPath) ? helperPath : 'oslens-forkhelper (not built)',
  });
  const probes: ProbeSample[] = [];
  const start = systemSnapshot();
  /** The reference loop, on the benchmark CPU, between benchmarks (noise.ts). */
  const probe = async (after: string | null) => {
    if (!addon) return;
    const raw = await addon.runBench('noise-probe', options(PROBE_BATCHES));
    if (raw.skipped !== null || raw.nsPerOp.length === 0) return;
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0) * raw.opsPerBatch;
    probes.push({
      atMs: performance.now() - start.atMs,
      after,
      wallNs: sum(raw.nsPerOp),
      cpuNs: sum(raw.auxPerOp),
      waitedNs: raw.waitedNs.every((w) => w >= 0) ? raw.waitedNs.reduce((a, b) => a + b, 0) : null,
    });
  };
  await probe(null);
  let done = 0;
  let stopped = false;
  const total = measuring.length * rounds;
  for (let round = 0; round < rounds && !stopped; round++) {
    for (const spec of measuring) {
      if (opts.cancelled?.()) {
        stopped = true;
        break;
      }
      const before = collected.get(spec.id);
      if (before?.done) continue; // a skip's reason does not change from one round to the next
      opts.onProgress?.(done++, total, spec.id);
      // the last round takes what is left, so the total is exactly `batches`
      const count = round === rounds - 1 ? batches - perRound * (rounds - 1) : perRound;
      const raw = await addon!.runBench(spec.id, options(count));
      if (raw.skipped === 'cancelled') {
        stopped = true;
        break;
      }
      collected.set(spec.id, collect(before, raw));
      await probe(spec.id);
    }
  }
  const end = systemSnapshot();
  opts.onProgress?.(total, total, '');
  const results: BenchResult[] = [];
  for (const spec of specs) {
    if (spec.compare === 'reference-only' || !addon) results.push(toResult(spec, null));
    else if (collected.has(spec.id)) {
      const c = collected.get(spec.id)!;
      results.push(toResult(spec, c.raw, c.roundMedians));
    } else if (!stopped) results.push(toResult(spec, null));
  }
  const waits = new Map([...collected].map(([id, c]) => [id, c.waitShares]));
  const noise = assessNoise(start, end, probes, results, { cpus: cpuCount(), waits });
  for (const r of results) r.noise = noise.rows.get(r.id) ?? null;
  const ratios = computeRatios(results, loadLatencyTable());
  return {
    oslens: packageVersion(),
    host,
    options: { quick: opts.quick, heapBytes: opts.heapBytes, batches, rounds, tmpdir },
    results,
    ratios,
    notes: folkloreNotes(results, ratios, opts.heapBytes, readFolkloreFacts(host)),
    noise: noise.report,
  };
}

/**
 * Batches of the reference loop each time it runs (~0.5 ms each): ~6 ms, longer than a scheduler
 * slice, so a task competing for the CPU gets its turn inside it (a 2 ms probe often ran alone).
 */
const PROBE_BATCHES = 12;

/** CPUs online (the load average counts runnable tasks over all of them). */
function cpuCount(): number {
  return Math.max(1, os.cpus().length);
}

function readFolkloreFacts(host: HostInfo): FolkloreFacts {
  let cmdline = '';
  try {
    cmdline = readFileSync('/proc/cmdline', 'utf8');
  } catch {
    // unreadable: assume nothing
  }
  return {
    freePageReporting: existsSync('/sys/bus/virtio/drivers/virtio_balloon') && /\bpage_reporting\./.test(cmdline),
    clocksource: host.clocksource ?? null,
    hypervisor: host.hypervisor?.guest ? (host.hypervisor.vendor ?? 'unknown hypervisor') : null,
  };
}

/** Ids in catalog order (the order the table groups them in). */
export function orderedIds(ids: readonly string[]): string[] {
  return BENCHMARKS.map((b) => b.id).filter((id) => ids.includes(id));
}
