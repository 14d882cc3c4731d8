/** Human formatting for the /proc views (the JSON stays in plain bytes and seconds). */
import { escapeForTerminal } from '../util/terminal.js';

/** 1536 → "1.5K", binary units like ps/pmap. */
export function formatBytes(n: number): string {
  const units = ['B', 'K', 'M', 'G', 'T'];
  let v = n;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  if (i === 0) return `${v}B`;
  return `${v >= 100 ? v.toFixed(0) : v.toFixed(1)}${units[i]}`;
}

export function formatSeconds(s: number): string {
  if (s < 1e-3) return `${(s * 1e6).toFixed(0)}µs`;
  if (s < 1) return `${(s * 1e3).toFixed(1)}ms`;
  if (s < 120) return `${s.toFixed(3)}s`;
  const m = Math.floor(s / 60);
  return `${m}m${(s - m * 60).toFixed(1)}s`;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/**
 * Left-aligned table with right-aligned numeric columns. Every cell is escaped for a terminal
 * (a name with a newline must not forge a row).
 */
export function renderTable(headers: string[], rawRows: string[][], rightAlign: boolean[]): string {
  const rows = rawRows.map((r) => r.map(escapeForTerminal));
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => {
        const w = widths[i] ?? 0;
        if (i === cells.length - 1) return c;
        return rightAlign[i] ? c.padStart(w) : c.padEnd(w);
      })
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}
