/**
 * Runs benchmarks through the native harness and turns raw batches into BenchResults.
 * JS only schedules and summarises: every timed loop is in native/bench.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { findLatencyRow, loadLatencyTable } from '../lessons/load.js';
import { BUILD_DIR, loadAddon, type RawBenchResult } from '../native/addon.js';
import { BENCHMARKS, findBench, type BenchSpec } from './catalog.js';
import { computeRatios, folkloreNotes, verdictFor, type HostFacts } from './compare.js';
import { allowedCpus, diskTempDir, readHostInfo } from './host.js';
import { summarize } from './stats.js';
import { packageVersion } from '../util/package.js';
import type { BenchResult, BenchRun } from './types.js';

export interface RunOptions {
  quick: boolean;
  heapBytes: number;
  /** Batches per benchmark; default 7 with --quick, 31 otherwise. */
  batches?: number;
  /** Pin to one CPU where the method wants it (default true). */
  pin: boolean;
  onProgress?: (done: number, total: number, id: string) => void;
  /** Set to true (e.g. on SIGINT) to stop after the current batch. */
  cancelled?: () => boolean;
}

/** Turns one raw harness result into the record every view and exporter uses. */
export function toResult(spec: BenchSpec, raw: RawBenchResult | null): BenchResult {
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
  };
}

export async function runBenchmarks(ids: readonly string[], opts: RunOptions): Promise<BenchRun> {
  const specs = ids.map((id) => findBench(id) as BenchSpec);
  const host = readHostInfo();
  // The O_DIRECT read benchmark writes 256 MiB (32 MiB with --quick), plus room to spare.
  const tmpdir = diskTempDir(process.env, (opts.quick ? 48 : 320) << 20);
  const cpus = allowedCpus();
  const batches = opts.batches ?? (opts.quick ? 7 : 31);
  const helperPath = resolve(BUILD_DIR, 'oslens-forkhelper');
  const addon = specs.some((s) => s.compare !== 'reference-only') ? loadAddon() : null;
  const results: BenchResult[] = [];
  for (const [i, spec] of specs.entries()) {
    if (opts.cancelled?.()) break;
    opts.onProgress?.(i, specs.length, spec.id);
    if (spec.compare === 'reference-only' || !addon) {
      results.push(toResult(spec, null));
      continue;
    }
    const raw = await addon.runBench(spec.id, {
      // The last allowed CPU: usually the one the rest of the system leaves quietest.
      cpu: opts.pin && cpus.length > 0 ? (cpus[cpus.length - 1] as number) : -1,
      quick: opts.quick ? 1 : 0,
      batches,
      targetBatchNs: opts.quick ? 1e6 : 5e6,
      heapBytes: opts.heapBytes,
      l1Bytes: host.cache.l1dBytes,
      l2Bytes: host.cache.l2Bytes,
      llcBytes: host.cache.llcBytes,
      tmpdir,
      helperPath: existsSync(helperPath) ? helperPath : 'oslens-forkhelper (not built)',
    });
    if (raw.skipped === 'cancelled') break;
    results.push(toResult(spec, raw));
  }
  opts.onProgress?.(specs.length, specs.length, '');
  const ratios = computeRatios(results, loadLatencyTable());
  return {
    oslens: packageVersion(),
    host,
    options: { quick: opts.quick, heapBytes: opts.heapBytes, batches, tmpdir },
    results,
    ratios,
    notes: folkloreNotes(results, ratios, opts.heapBytes, readHostFacts()),
  };
}

function readHostFacts(): HostFacts {
  let cmdline = '';
  try {
    cmdline = readFileSync('/proc/cmdline', 'utf8');
  } catch {
    // unreadable: assume nothing
  }
  return {
    freePageReporting: existsSync('/sys/bus/virtio/drivers/virtio_balloon') && /\bpage_reporting\./.test(cmdline),
  };
}

/** Ids in catalog order (the order the table groups them in). */
export function orderedIds(ids: readonly string[]): string[] {
  return BENCHMARKS.map((b) => b.id).filter((id) => ids.includes(id));
}
