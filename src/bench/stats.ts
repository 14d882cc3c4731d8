/** Order statistics over per-batch figures. Pure functions. */

/** The q-quantile (0..1) of `values`, by linear interpolation between order statistics. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (pos - lo);
}

export interface Summary {
  median: number;
  p10: number;
  p90: number;
  /** (p90 - p10) / median: below ~0.1 the figure is tight, above ~0.5 the run was noisy. */
  spread: number;
}

export function summarize(values: readonly number[]): Summary {
  const median = quantile(values, 0.5);
  const p10 = quantile(values, 0.1);
  const p90 = quantile(values, 0.9);
  return { median, p10, p90, spread: median > 0 ? (p90 - p10) / median : Number.NaN };
}
