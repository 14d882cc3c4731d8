/**
 * Kernel addresses → function names from /proc/kallsyms (pure parser + reader). kallsyms has no
 * sizes: a function ends where the next text symbol starts (what the kernel's own stack dumps
 * assume), grouped per module so a module's last function never runs into the next module.
 * Addresses are 64-bit (0xffffffff8…): bigint outside, numbers relative to the lowest inside.
 */
import { readFileSync } from 'node:fs';
import { SymbolTable, rangesFromStarts } from './table.js';

export interface KernelSymbol {
  address: bigint;
  name: string;
  /** 'T', 't', 'W', 'w' (text symbols only are kept). */
  type: string;
  /** The module in brackets, '' for the kernel image. */
  module: string;
}

/** Text symbols of kallsyms text; lines that are not `ADDR TYPE NAME [MODULE]` are skipped. */
export function parseKallsyms(text: string): KernelSymbol[] {
  const out: KernelSymbol[] = [];
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]{1,16}) ([tTwW]) (\S+)(?:\s+\[(\S+)\])?\s*$/.exec(line);
    if (!m) continue;
    out.push({ address: BigInt(`0x${m[1]}`), type: m[2] as string, name: m[3] as string, module: m[4] ?? '' });
  }
  return out;
}

export interface KernelHit {
  name: string;
  offset: number;
  /** '' for the kernel image, else the module name. */
  module: string;
}

/** The last function of a module is given this many bytes at most (kallsyms gives no end). */
const LAST_SYMBOL_SPAN = 0x10000;

export class KernelSymbols {
  private readonly base: bigint;
  private readonly table: SymbolTable;
  private readonly moduleOf = new Map<string, string>();
  /** False when kallsyms showed only zero addresses (no CAP_SYSLOG, kptr_restrict). */
  readonly usable: boolean;

  constructor(symbols: readonly KernelSymbol[]) {
    const real = symbols.filter((s) => s.address !== 0n);
    this.usable = real.length > 0;
    this.base = real.reduce((m, s) => (s.address < m ? s.address : m), real[0]?.address ?? 0n);
    const byModule = new Map<string, Array<{ name: string; start: number }>>();
    for (const s of real) {
      const list = byModule.get(s.module) ?? [];
      list.push({ name: s.name, start: Number(s.address - this.base) });
      byModule.set(s.module, list);
    }
    const ranges = [];
    for (const [mod, list] of byModule) {
      const last = list.reduce((m, s) => Math.max(m, s.start), 0);
      for (const r of rangesFromStarts(list, last + LAST_SYMBOL_SPAN)) {
        ranges.push(r);
        if (mod !== '') this.moduleOf.set(`${r.start}`, mod);
      }
    }
    this.table = new SymbolTable(ranges);
  }

  lookup(address: bigint): KernelHit | null {
    if (!this.usable || address < this.base) return null;
    const hit = this.table.lookup(Number(address - this.base));
    if (!hit) return null;
    return { name: hit.name, offset: hit.offset, module: this.moduleOf.get(`${hit.start}`) ?? '' };
  }
}

let cached: KernelSymbols | undefined;

/** /proc/kallsyms of this machine, read once per run. */
export function kernelSymbols(): KernelSymbols {
  if (cached) return cached;
  let text = '';
  try {
    text = readFileSync('/proc/kallsyms', 'utf8');
  } catch {
    // unreadable: every kernel frame becomes [unknown] [kernel]
  }
  cached = new KernelSymbols(parseKallsyms(text));
  return cached;
}
