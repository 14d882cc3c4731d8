/**
 * JIT symbols from /tmp/perf-PID.map, the text format that V8 (`node --perf-basic-prof`), the
 * JVM agents and LuaJIT write: one `START SIZE name` line per compiled function, hex without 0x.
 * Pure parser; a later line for the same range (code moved or recompiled) wins.
 */
import { SymbolTable, type SymbolRange } from './table.js';

export function parsePerfMap(text: string): SymbolRange[] {
  const out: SymbolRange[] = [];
  for (const line of text.split('\n')) {
    const m = /^(?:0x)?([0-9a-fA-F]{1,16}) (?:0x)?([0-9a-fA-F]{1,16}) (.+)$/.exec(line);
    if (!m) continue;
    const start = parseInt(m[1] as string, 16);
    const size = parseInt(m[2] as string, 16);
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(size) || size === 0) continue;
    out.push({ start, size, name: (m[3] as string).trimEnd() });
  }
  return out;
}

/** The perf map as a table; later entries shadow earlier ones that overlap them. */
export function perfMapTable(text: string): SymbolTable {
  const ranges = parsePerfMap(text);
  // Innermost-wins lookup would let a stale bigger entry hide nothing, but a stale entry of the
  // same start and size must lose to the newer one: keep the last per start.
  const last = new Map<number, SymbolRange>();
  for (const r of ranges) last.set(r.start, r);
  return new SymbolTable([...last.values()]);
}
