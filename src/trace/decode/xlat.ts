/**
 * strace's two ways of printing a constant (its printxval and printflags), with the comment it
 * adds for values it does not know: `0x7 /* F_??? *\/`, `FD_CLOEXEC|0x4`, `0x100 /* F_SEAL_??? *\/`.
 * Tables are [value, name] pairs in strace's print order (flags.ts's FlagTable).
 */
import { splitFlags, type FlagTable } from '../flags.js';

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
  if (BigInt.asUintN(64, BigInt(value)) === 0n) return zero;
  const { names, rest } = splitFlags(value, table);
  if (names.length === 0) return `${hexOf(rest)} /* ${unknown} */`;
  if (rest !== 0n) names.push(hexOf(rest));
  return names.join('|');
}
