/**
 * Strict pieces for the /proc parsers. Text that is not what the kernel writes is a ParseError,
 * never a guess: Number('') is 0 (a pid of 0, a uid of 0 = root), Number('1e9') and
 * Number('0x10') are numbers, Number('abc') is NaN (written to JSON as null, read as
 * "unlimited"), BigInt('0xzz') throws a SyntaxError. Every number here is a safe integer.
 */

/** The text is not what /proc writes (the kernel changed, or it is not /proc). */
export class ParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ParseError';
  }
}

const clip = (s: string) => JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);

/** A decimal integer ("-1", "42"), or a ParseError naming `what`. */
export function int(text: string | undefined, what: string): number {
  if (text === undefined || !/^-?\d{1,16}$/.test(text))
    throw new ParseError(`${what}: not an integer: ${clip(text ?? '(missing)')}`);
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new ParseError(`${what}: out of range: ${clip(text)}`);
  return n;
}

/** A decimal integer ≥ 0. */
export function uint(text: string | undefined, what: string): number {
  const n = int(text, what);
  if (n < 0) throw new ParseError(`${what}: negative: ${clip(text ?? '')}`);
  return n;
}

/**
 * An inode number: up to 2^64 - 1 (XFS, btrfs and overlayfs use all 64 bits). As a number it is
 * exact below 2^53; only equality with 0 and with other inodes of the same kind is used.
 */
export function inodeNumber(text: string | undefined, what: string): number {
  if (text === undefined || !/^\d{1,20}$/.test(text) || BigInt(text) > 0xffffffffffffffffn)
    throw new ParseError(`${what}: not an inode number: ${clip(text ?? '(missing)')}`);
  return Number(text);
}

/** A decimal with an optional fraction ("0.52", "12"), as /proc/loadavg and pressure write. */
export function decimal(text: string | undefined, what: string): number {
  if (text === undefined || !/^\d{1,16}(\.\d{1,16})?$/.test(text))
    throw new ParseError(`${what}: not a number: ${clip(text ?? '(missing)')}`);
  return Number(text);
}

/** Up to 16 hex digits (a 64-bit value) as a BigInt. */
export function hex64(text: string | undefined, what: string): bigint {
  if (text === undefined || !/^[0-9a-fA-F]{1,16}$/.test(text))
    throw new ParseError(`${what}: not a 64-bit hex number: ${clip(text ?? '(missing)')}`);
  return BigInt(`0x${text}`);
}

/** Hex digits longer than any mask the kernel writes (64 signals, 41 capabilities: 16 digits). */
const MAX_MASK_DIGITS = 64;

/**
 * The bits set in a hex mask (bit 0 = 1), in increasing order. Linear in the text's length:
 * one digit (4 bits) at a time from the end, no BigInt shifts.
 */
export function maskBitNumbers(text: string, what: string): number[] {
  const t = text.trim();
  if (!/^[0-9a-fA-F]+$/.test(t) || t.length > MAX_MASK_DIGITS)
    throw new ParseError(`${what}: not a hex mask: ${clip(t)}`);
  const out: number[] = [];
  for (let d = 0; d < t.length; d++) {
    const v = parseInt(t[t.length - 1 - d] ?? '0', 16);
    for (let b = 0; b < 4; b++) if (v & (1 << b)) out.push(d * 4 + b + 1);
  }
  return out;
}
