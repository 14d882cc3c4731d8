/** Fixed-length histories for charts and sparklines (oldest first). */
export function pushHistory(h: number[], value: number, max: number): number[] {
  h.push(value);
  if (h.length > max) h.splice(0, h.length - max);
  return h;
}

const SPARKS = '▁▂▃▄▅▆▇█';

/** A text sparkline of the last `width` values, scaled to the largest (all zero: flat). */
export function sparkText(values: readonly number[], width: number): string {
  const v = values.slice(-width);
  const max = Math.max(0, ...v);
  return v.map((x) => (max <= 0 ? SPARKS[0] : SPARKS[Math.min(7, Math.floor((x / max) * 7.999))])).join('');
}
