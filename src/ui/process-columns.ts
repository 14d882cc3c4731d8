/**
 * The columns of top's process table: what each shows, how wide it is, and which give way first
 * on a narrow terminal (COMMAND keeps the rest of the line). Pure functions: the dashboard and the
 * plain lines draw the same cells.
 */
import { formatBytes } from '../proc/format.js';
import { escapeForTerminal as esc } from '../util/terminal.js';
import type { ProcessRateRow, ProcessSortKey } from './collect/processes.js';

export interface ProcessColumn {
  key: ProcessSortKey;
  title: string;
  width: number;
  /** Numbers are right-aligned, text left-aligned. */
  right: boolean;
  /** Lower is kept longer when the terminal is narrow. */
  priority: number;
  cell(r: ProcessRateRow): string;
}

/** 12345.6 → "12,346" (toLocaleString goes through Intl: far too slow for a dashboard's every cell). */
export function num(n: number, digits = 0): string {
  const [int = '0', frac] = n.toFixed(digits).split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return frac === undefined ? grouped : `${grouped}.${frac}`;
}

/** A rate in at most 6 cells: 12,345 then 123.4k, 12.3M. */
function rate(n: number): string {
  if (n < 1e5) return num(n);
  if (n < 1e8) return `${(n / 1e3).toFixed(n < 1e6 ? 1 : 0)}k`;
  return `${(n / 1e6).toFixed(n < 1e9 ? 1 : 0)}M`;
}

/** CPU seconds as top's TIME+: minutes:seconds.hundredths (hours past 999 minutes: "17h03"). */
export function timePlus(seconds: number): string {
  const cs = Math.floor(seconds * 100);
  const m = Math.floor(cs / 6000);
  if (m >= 1000) return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}`;
  const s = Math.floor((cs % 6000) / 100);
  return `${m}:${String(s).padStart(2, '0')}.${String(cs % 100).padStart(2, '0')}`;
}

/** The columns in screen order (COMMAND, always last, is not one of them). */
export const PROCESS_COLUMNS: readonly ProcessColumn[] = [
  { key: 'pid', title: 'PID', width: 7, right: true, priority: 0, cell: (r) => String(r.pid) },
  { key: 'user', title: 'USER', width: 8, right: false, priority: 1, cell: (r) => esc(r.user).slice(0, 8) },
  { key: 'state', title: 'S', width: 1, right: false, priority: 2, cell: (r) => r.state },
  { key: 'cpu', title: 'CPU%', width: 6, right: true, priority: 3, cell: (r) => r.cpuPercent.toFixed(1) },
  { key: 'mem', title: '%MEM', width: 5, right: true, priority: 8, cell: (r) => r.memPercent.toFixed(1) },
  { key: 'virt', title: 'VIRT', width: 6, right: true, priority: 10, cell: (r) => formatBytes(r.vsize) },
  { key: 'rss', title: 'RSS', width: 7, right: true, priority: 4, cell: (r) => formatBytes(r.rss) },
  { key: 'time', title: 'TIME+', width: 9, right: true, priority: 9, cell: (r) => timePlus(r.cpuSeconds) },
  {
    key: 'faults',
    title: 'FLT/s',
    width: 6,
    right: true,
    priority: 5,
    cell: (r) => rate(r.minorFaultsPerSec + r.majorFaultsPerSec),
  },
  { key: 'ctxsw', title: 'CSW/s', width: 6, right: true, priority: 6, cell: (r) => rate(r.contextSwitchesPerSec) },
  {
    key: 'syscalls',
    title: 'SYSC/s',
    width: 6,
    right: true,
    priority: 7,
    cell: (r) => (r.syscallsPerSec === null ? '-' : rate(r.syscallsPerSec)),
  },
  { key: 'nice', title: 'NI', width: 3, right: true, priority: 12, cell: (r) => String(r.nice) },
  { key: 'tty', title: 'TTY', width: 7, right: false, priority: 11, cell: (r) => r.tty.slice(0, 7) },
];

/** Every column a user may sort by, in screen order, COMMAND last. */
export const SORTABLE: readonly { key: ProcessSortKey; title: string }[] = [
  ...PROCESS_COLUMNS.map((c) => ({ key: c.key, title: c.title })),
  { key: 'command', title: 'COMMAND' },
];

/** The columns the plain lines (--once, piped) print: the same as before these columns grew. */
export const PLAIN_COLUMNS = PROCESS_COLUMNS.filter((c) => c.priority <= 7);

/**
 * The columns that fit `width` cells with at least `commandMin` left for COMMAND (kept in screen
 * order, the lowest priorities dropped first). Very narrow: PID and COMMAND at least.
 */
export function fitColumns(width: number, commandMin = 20): ProcessColumn[] {
  const byPriority = [...PROCESS_COLUMNS].sort((a, b) => a.priority - b.priority);
  const keep = new Set<ProcessColumn>();
  let used = 0;
  const min = Math.min(commandMin, Math.max(8, Math.floor(width / 3)));
  for (const c of byPriority) {
    if (keep.size > 0 && used + c.width + 1 + min > width) break;
    keep.add(c);
    used += c.width + 1;
  }
  return PROCESS_COLUMNS.filter((c) => keep.has(c));
}

const align = (c: ProcessColumn, text: string) => (c.right ? text.padStart(c.width) : text.padEnd(c.width));

/** The header: ▼ (▲ reversed) on the sort column; COMMAND last. */
export function columnsHeader(cols: readonly ProcessColumn[], sort: ProcessSortKey, reverse = false): string {
  const mark = reverse ? '▲' : '▼';
  // The mark where it fits (the table's label names the sort column in any case).
  const title = (c: ProcessColumn) => (c.key === sort && c.title.length < c.width ? `${mark}${c.title}` : c.title);
  const cells = cols.map((c) => align(c, title(c)));
  return `${cells.join(' ')} ${sort === 'command' ? mark : ''}COMMAND`;
}

/** One row; the command (escaped, with `prefix`: the tree's branches) cut to `commandWidth`. */
export function columnsLine(
  cols: readonly ProcessColumn[],
  r: ProcessRateRow,
  commandWidth: number,
  prefix = '',
): string {
  let line = '';
  for (const c of cols) {
    const text = c.cell(r);
    line += `${align(c, text.length > c.width ? text.slice(0, c.width) : text)} `;
  }
  return line + (prefix + esc(r.command)).slice(0, Math.max(0, commandWidth));
}

/** Where COMMAND starts in a line of these columns. */
export function commandOffset(cols: readonly ProcessColumn[]): number {
  return cols.reduce((n, c) => n + c.width + 1, 0);
}
