/** The teaching overlay's data types: every view annotates itself from these. */

export const MODEL_IDS = [
  'process',
  'thread',
  'virtual-memory',
  'page-table-tlb',
  'scheduling',
  'syscall-boundary',
  'file-descriptor',
  'page-cache',
  'synchronization',
  'ipc',
  'epoll-io-uring',
  'namespaces-cgroups',
] as const;

export type ModelId = (typeof MODEL_IDS)[number];

export type ModelLevel = 'day-zero' | 'practitioner' | 'operator';

/** One of the twelve mental models (lessons/models/NN-<id>.md). */
export interface Model {
  id: ModelId;
  number: number;
  title: string;
  level: ModelLevel;
  /** One sentence, for side panels and table annotations. */
  summary: string;
  /** Syscall names this model explains (used to tag trace lines). */
  syscalls: string[];
  /** Benchmark ids that measure something this model explains. */
  benchmarks: string[];
  /** /proc files and fields where the model can be seen live. */
  procFiles: string[];
  /** The Markdown body of the lesson. */
  body: string;
  /** Where it was loaded from, for error messages. */
  file: string;
}

/** A reference figure: absolute (lowNs..highNs) or a ratio between two benchmarks. */
export interface LatencyRow {
  id: string;
  title: string;
  /** How the seed states it, e.g. "~100-300 ns". */
  display: string;
  /** null for ratio rows. */
  reference: { lowNs: number; highNs: number } | null;
  ratio: { value: number | null; numerator: string; denominator: string } | null;
  model: ModelId;
  /** false: shown for reference only (cannot be measured on one host). */
  measurable: boolean;
  note: string;
  source: string;
}
