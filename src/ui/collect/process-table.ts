/**
 * What top's process table shows of a TopModel: the user's filters (text, user, kernel threads)
 * and the tree view, over rows already sorted. Pure functions.
 */
import type { ProcessRateRow } from './processes.js';

export interface TableChoice {
  /** Each process under its parent (threads under their process), siblings in sort order. */
  tree: boolean;
  hideKernelThreads: boolean;
  /** Only this user's processes; null for all. */
  user: string | null;
  /** Only rows whose command line contains this (case-insensitive); '' for all. */
  filter: string;
}

export interface TableRow {
  row: ProcessRateRow;
  /** The tree's branches before the command ('' outside the tree view). ASCII: one cell each. */
  prefix: string;
}

export const NO_CHOICE: TableChoice = { tree: false, hideKernelThreads: false, user: null, filter: '' };

/** True when `text` (any case) is in the row's command line or name. */
export function rowMatches(r: ProcessRateRow, text: string): boolean {
  if (!text) return true;
  const t = text.toLowerCase();
  return r.command.toLowerCase().includes(t) || r.comm.toLowerCase().includes(t);
}

/** The parent of a row in the tree: a thread's process, a process's parent. */
const parentOf = (r: ProcessRateRow) => (r.tgid !== r.pid ? r.tgid : r.ppid);

/** The rows to show, in order (`sorted`: the model's rows, already sorted). */
export function tableRows(sorted: readonly ProcessRateRow[], c: TableChoice): TableRow[] {
  const shown = sorted.filter(
    (r) =>
      !(c.hideKernelThreads && r.kernelThread) && (c.user === null || r.user === c.user) && rowMatches(r, c.filter),
  );
  if (!c.tree) return shown.map((row) => ({ row, prefix: '' }));
  const byPid = new Map(shown.map((r) => [r.pid, r]));
  const children = new Map<number, ProcessRateRow[]>();
  const roots: ProcessRateRow[] = [];
  for (const r of shown) {
    const p = parentOf(r);
    if (p !== r.pid && byPid.has(p)) {
      const list = children.get(p);
      if (list) list.push(r);
      else children.set(p, [r]);
    } else roots.push(r);
  }
  const out: TableRow[] = [];
  const seen = new Set<number>();
  const walk = (r: ProcessRateRow, indent: string, last: boolean, top: boolean) => {
    if (seen.has(r.pid)) return;
    seen.add(r.pid);
    out.push({ row: r, prefix: top ? '' : `${indent}${last ? '`- ' : '|- '}` });
    const kids = children.get(r.pid) ?? [];
    const next = top ? '' : indent + (last ? '   ' : '|  ');
    kids.forEach((k, i) => walk(k, next, i === kids.length - 1, false));
  };
  for (const r of roots) walk(r, '', true, true);
  // Rows in a cycle of parents (a pid reused between two reads) have no root: shown as roots.
  for (const r of shown) if (!seen.has(r.pid)) walk(r, '', true, true);
  return out;
}

/** The index of the first row after `from` (wrapping) matching `text`; -1 when none does. */
export function nextMatch(rows: readonly TableRow[], text: string, from: number): number {
  if (!text || rows.length === 0) return -1;
  for (let k = 0; k < rows.length; k++) {
    const i = (from + k) % rows.length;
    if (rowMatches((rows[i] as TableRow).row, text)) return i;
  }
  return -1;
}
