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

/**
 * CPU time counted in clock ticks (stat's utime/stime: 10 ms at USER_HZ 100): to the tick and no
 * finer ("7.16s", "0.21s"); under one tick, "0s" (it may have run less than a tick, not 0 µs).
 */
export function formatCpuTicks(seconds: number, tickSeconds = 0.01): string {
  const digits = Math.max(0, Math.round(-Math.log10(tickSeconds)));
  if (seconds < 120) return `${seconds.toFixed(digits)}s`;
  const m = Math.floor(seconds / 60);
  return `${m}m${(seconds - m * 60).toFixed(digits)}s`;
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
