/** The records `oslens bench` produces. `BenchRun` is the `--json` / `--save` document. */
import type { ModelId } from '../lessons/types.js';
import type { HostInfo } from './host.js';
import type { NoiseReport, RowNoise } from './noise.js';

export type Verdict =
  | { kind: 'within'; factor: 1 }
  /** factor = measured / high bound (above) or measured / low bound (below). */
  | { kind: 'above' | 'below'; factor: number }
  /** Shown beside a row to make a point, not expected to match it. */
  | { kind: 'contrast'; factor: number | null }
  | { kind: 'no-reference' }
  | { kind: 'reference-only' }
  | { kind: 'skipped' };

export interface BenchResult {
  id: string;
  title: string;
  model: ModelId;
  /** lessons/latency.yaml row id. */
  row: string;
  /** Median ns per operation over the batches (null when skipped or reference-only). */
  nsPerOp: number | null;
  p10: number | null;
  p90: number | null;
  batches: number;
  opsPerBatch: number;
  /** Overhead measured and subtracted per op (ctxsw: the pipe calls; branch-miss: the loop). */
  overheadNsPerOp: number | null;
  /** The row's reference range, null for ratio rows. */
  reference: { lowNs: number; highNs: number } | null;
  verdict: Verdict;
  method: string;
  op: string;
  pinnedCpu: number | null;
  status: 'measured' | 'skipped' | 'reference-only';
  skipped: string | null;
  /** What the run used or saw (tlb-2m: which huge pages; wakeup-1ms: min/p50/p99/max), or null. */
  note: string | null;
  /** Median ns/op of each round, in run order (empty when skipped); see BenchRun.options.rounds. */
  roundMedians: number[];
  /** This row's noise signs (null when not measured); see noise.ts. */
  noise: RowNoise | null;
}

export interface RatioResult {
  /** lessons/latency.yaml row id. */
  row: string;
  title: string;
  numerator: string;
  denominator: string;
  /** numerator / denominator as measured. */
  measured: number;
  /** The seed's figure, null when it states none. */
  reference: number | null;
}

export interface BenchRun {
  oslens: string;
  host: HostInfo;
  options: { quick: boolean; heapBytes: number; batches: number; rounds: number; tmpdir: string };
  results: BenchResult[];
  ratios: RatioResult[];
  /** Plain-language notes where this machine and the seed's folklore disagree. */
  notes: string[];
  /** Whether the machine was busy while measuring, and the signs that say so (noise.ts). */
  noise: NoiseReport;
}
