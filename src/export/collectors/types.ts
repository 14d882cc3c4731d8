/** What every exporter collector is: a name, a one-line state, and families per scrape. */
import type { MetricFamily } from '../format.js';

export interface Collector {
  readonly name: string;
  /** Why it is off (no capability, no saved run); null when it runs. */
  readonly disabled: string | null;
  /** The families of this scrape; throwing marks it down for this scrape only. */
  collect(): MetricFamily[];
  /** Releases what it holds (BPF links, maps). */
  close(): void;
}

export const COLLECTOR_NAMES = ['proc', 'system', 'bench', 'syscalls', 'runqlat'] as const;
export type CollectorName = (typeof COLLECTOR_NAMES)[number];
