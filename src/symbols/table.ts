/**
 * Address → function lookup over a sorted table of ranges, pure. A symbol covers exactly
 * [start, start + size): an address in a gap between functions (padding, a stripped static
 * function, PLT stubs) finds nothing rather than the function before it. Only tables whose
 * format has no sizes (kallsyms) build ranges that end at the next symbol, and say so.
 */
import { STB_GLOBAL, STB_WEAK, STT_FUNC, STT_GNU_IFUNC, type ElfSymbol } from './elf.js';

export interface SymbolRange {
  name: string;
  start: number;
  /** Bytes; > 0. */
  size: number;
}

export interface SymbolHit {
  name: string;
  /** addr - start of the symbol. */
  offset: number;
  start: number;
  size: number;
}

/** A sorted, searchable set of ranges. Nested or overlapping ranges resolve to the innermost. */
export class SymbolTable {
  private readonly ranges: SymbolRange[];
  /** maxEnd[i]: the furthest end among ranges[0..i] (bounds the walk back over overlaps). */
  private readonly maxEnd: number[];

  constructor(ranges: readonly SymbolRange[]) {
    this.ranges = ranges.filter((r) => r.size > 0).sort((a, b) => a.start - b.start || b.size - a.size);
    this.maxEnd = [];
    let m = -Infinity;
    for (const r of this.ranges) {
      m = Math.max(m, r.start + r.size);
      this.maxEnd.push(m);
    }
  }

  get size(): number {
    return this.ranges.length;
  }

  /** Every range, sorted by start. */
  all(): readonly SymbolRange[] {
    return this.ranges;
  }

  /** The innermost range holding `addr`, or null (never the nearest range below a gap). */
  lookup(addr: number): SymbolHit | null {
    let lo = 0;
    let hi = this.ranges.length - 1;
    let i = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if ((this.ranges[mid] as SymbolRange).start <= addr) {
        i = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    let best: SymbolRange | null = null;
    for (let j = i; j >= 0 && (this.maxEnd[j] as number) > addr; j--) {
      const r = this.ranges[j] as SymbolRange;
      if (addr < r.start + r.size && (best === null || r.size < best.size)) best = r;
    }
    return best ? { name: best.name, offset: addr - best.start, start: best.start, size: best.size } : null;
  }
}

const bindRank = (bind: number) => (bind === STB_GLOBAL ? 0 : bind === STB_WEAK ? 1 : 2);

/**
 * The function ranges of ELF symbols: defined STT_FUNC/GNU_IFUNC with a size. Aliases (same start
 * and size: a weak and a strong name, __getpid and getpid) keep one name, chosen as perf does:
 * global before weak before local, then fewer leading underscores, then the longer name.
 */
export function functionRanges(symbols: readonly ElfSymbol[]): SymbolRange[] {
  const funcs = symbols.filter(
    (s) => s.shndx !== 0 && s.size > 0 && s.name !== '' && (s.type === STT_FUNC || s.type === STT_GNU_IFUNC),
  );
  funcs.sort((a, b) => a.value - b.value || a.size - b.size);
  const out: SymbolRange[] = [];
  for (let i = 0; i < funcs.length;) {
    let best = funcs[i] as ElfSymbol;
    let j = i + 1;
    for (; j < funcs.length; j++) {
      const s = funcs[j] as ElfSymbol;
      if (s.value !== best.value || s.size !== best.size) break;
      if (preferred(s, best)) best = s;
    }
    out.push({ name: best.name, start: best.value, size: best.size });
    i = j;
  }
  return out;
}

/** perf's choice among aliases (tools/perf/util/symbol.c choose_best_symbol), so names agree. */
function preferred(a: ElfSymbol, b: ElfSymbol): boolean {
  if (bindRank(a.bind) !== bindRank(b.bind)) return bindRank(a.bind) < bindRank(b.bind);
  const ua = leadingUnderscores(a.name);
  const ub = leadingUnderscores(b.name);
  if (ua !== ub) return ua < ub;
  if (a.name.length !== b.name.length) return a.name.length > b.name.length;
  if (a.table !== b.table) return a.table === '.symtab';
  return a.name < b.name;
}

const leadingUnderscores = (name: string) => /^_*/.exec(name)?.[0].length ?? 0;

/**
 * Ranges for a table of starts with no sizes (kallsyms): each symbol ends where the next one
 * starts, the last at `lastEnd`. Symbols sharing a start collapse to the first name given.
 */
export function rangesFromStarts(
  starts: ReadonlyArray<{ name: string; start: number }>,
  lastEnd: number,
): SymbolRange[] {
  const sorted = [...starts].sort((a, b) => a.start - b.start);
  const out: SymbolRange[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const s = sorted[i] as { name: string; start: number };
    if (i > 0 && (sorted[i - 1] as { start: number }).start === s.start) continue;
    let j = i + 1;
    while (j < sorted.length && (sorted[j] as { start: number }).start === s.start) j++;
    const end = j < sorted.length ? (sorted[j] as { start: number }).start : lastEnd;
    if (end > s.start) out.push({ name: s.name, start: s.start, size: end - s.start });
  }
  return out;
}
