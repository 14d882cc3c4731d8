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

/**
 * A block chart of the last `width` values as `height` text rows (top row first), scaled to
 * `max`: each column rises in eighths of a row. Plain text, so a dashboard redraws it for the
 * cost of a few short strings (a braille line chart re-plots a canvas every tick).
 */
export function blockChart(values: readonly number[], width: number, height: number, max: number): string[] {
  const v = values.slice(-width);
  const pad = width - v.length;
  const eighths = v.map((x) => (max <= 0 ? 0 : Math.round((Math.min(max, Math.max(0, x)) / max) * height * 8)));
  const rows: string[] = [];
  for (let r = height - 1; r >= 0; r--) {
    let line = ' '.repeat(Math.max(0, pad));
    for (const e of eighths) {
      const level = Math.min(8, Math.max(0, e - r * 8));
      line += level === 0 ? ' ' : level === 8 ? '█' : SPARKS[level - 1];
    }
    rows.push(line);
  }
  return rows;
}
