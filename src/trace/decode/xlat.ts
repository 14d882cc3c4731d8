/**
 * strace's two ways of printing a constant (its printxval and printflags), with the comment it
 * adds for values it does not know: `0x7 /* F_??? *\/`, `FD_CLOEXEC|0x4`, `0x100 /* F_SEAL_??? *\/`.
 * Tables are [value, name] pairs in strace's print order (flags.ts's FlagTable).
 */
import type { FlagTable } from '../flags.js';

const hexOf = (v: bigint): string => `0x${v.toString(16)}`;

/** An enumeration: the name, else `0x7 /* F_??? *\/` (`unknown` is the comment, e.g. 'F_???'). */
export function xval(value: number | bigint, table: FlagTable, unknown: string): string {
  const v = BigInt(value);
  for (const [k, name] of table) if (BigInt(k) === v) return name;
  return `${hexOf(BigInt.asUintN(64, v))} /* ${unknown} */`;
}

/**
 * A flag set: known names joined by `|`, then the unknown rest in hex; a value with no known bit
 * is `0x100 /* F_SEAL_??? *\/`, and 0 is `zero` (the table's zero name, or "0").
 */
export function flags(value: number | bigint, table: FlagTable, unknown: string, zero = '0'): string {
  let v = BigInt.asUintN(64, BigInt(value));
  if (v === 0n) return zero;
  const out: string[] = [];
  for (const [bit, name] of table) {
    const b = BigInt(bit);
    if (b !== 0n && (v & b) === b) {
      out.push(name);
      v &= ~b;
    }
  }
  if (out.length === 0) return `${hexOf(v)} /* ${unknown} */`;
  if (v !== 0n) out.push(hexOf(v));
  return out.join('|');
}
