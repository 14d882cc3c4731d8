/**
 * Library call arguments and return values as text, from the registers and what the kernel
 * read at the call (strings, buffers, the stack words of a variadic call). Pure. Strings are
 * quoted as the syscall lines quote them (src/trace/decode/quote.ts); a string the kernel could
 * not read (not paged in yet, or not a string) is shown as its address.
 */
import { quote } from '../decode/quote.js';
import { renderOpenFlags } from '../flags.js';
import type { Capture } from '../records.js';
import type { DecodedArg } from '../types.js';
import type { ArgKind, LibFunction } from './functions.js';

/** Capture kinds of native/bpf/libtrace.bpf.c beyond trace.bpf.c's. */
export const CAP_LIB_STACK = 40;
export const CAP_LIB_RET = 41;
const CAP_STR = 2;
const CAP_BUFIN = 3;
/** Stack words the kernel reads for a printf-style call (variadic arguments 6 and on). */
export const STACK_WORDS = 8;

const hex = (v: bigint) => `0x${v.toString(16)}`;
const ptr = (v: bigint) => (v === 0n ? 'NULL' : hex(v));

function capture(captures: readonly Capture[], arg: number, kind: number): Capture | undefined {
  return captures.find((c) => c.arg === arg && c.kind === kind && !c.fault);
}

/** A character as C writes it: 'a', '\n', or its number when not printable. */
function charText(v: bigint): string {
  const c = Number(v & 0xffn);
  if (c === 0x27) return "'\\''";
  const q = quote(Buffer.from([c]), false);
  return `'${q.slice(1, -1).replace(/\\"/g, '"')}'`;
}

function scalar(kind: ArgKind, v: bigint): string {
  switch (kind) {
    case 'int':
      return BigInt.asIntN(32, v).toString();
    case 'uint':
      return BigInt.asUintN(32, v).toString();
    case 'long':
      return BigInt.asIntN(64, v).toString();
    case 'size':
      return BigInt.asUintN(64, v).toString();
    case 'char':
      return charText(v);
    case 'mode':
      return `0${BigInt.asUintN(32, v).toString(8)}`;
    case 'oflags':
      return renderOpenFlags(Number(BigInt.asUintN(32, v)));
    default:
      return ptr(v);
  }
}

function stringArg(captures: readonly Capture[], i: number, v: bigint): { text: string; value?: string } {
  const c = capture(captures, i, CAP_STR);
  if (v === 0n) return { text: 'NULL' };
  if (!c) return { text: hex(v) };
  return { text: quote(c.data, c.truncated), value: c.data.toString('latin1') };
}

/** One printf conversion: flags, width, precision, length, conversion character. */
const CONVERSION = /%([-+ #0']*)(\*|\d+)?(?:\.(\*|\d+))?(hh|h|ll|l|L|q|j|z|Z|t)?([diouxXcspfFeEgGaAnm%])/g;

/**
 * The variadic arguments of a printf-style call, decoded from its format: integers and pointers
 * from the registers after the fixed arguments, then from the stack words; `%s` as the string
 * the kernel read. Floating-point arguments travel in xmm registers, which a uprobe does not
 * read: they print as `?` (and take no integer slot, as in the calling convention).
 */
export function printfArgs(
  format: Buffer,
  firstVararg: number,
  args: readonly bigint[],
  captures: readonly Capture[],
): string[] {
  const stack = captures.find((c) => c.kind === CAP_LIB_STACK && !c.fault)?.data;
  const out: string[] = [];
  let slot = firstVararg;
  const next = (): { v: bigint; reg: number } | undefined => {
    const at = slot++;
    if (at < 6) return { v: args[at] ?? 0n, reg: at };
    const w = at - 6;
    if (!stack || stack.length < (w + 1) * 8) return undefined;
    return { v: stack.readBigUInt64LE(w * 8), reg: -1 };
  };
  const text = format.toString('latin1');
  for (const m of text.matchAll(CONVERSION)) {
    const [width, precision, length, conv] = [m[2], m[3], m[4], m[5]!];
    if (conv === '%' || conv === 'm') continue;
    for (const star of [width, precision]) {
      if (star !== '*') continue;
      const a = next();
      out.push(a ? BigInt.asIntN(32, a.v).toString() : '?');
    }
    if ('fFeEgGaA'.includes(conv)) {
      out.push('?');
      continue;
    }
    const a = next();
    if (!a) {
      out.push('?');
      continue;
    }
    const long =
      length === 'l' ||
      length === 'll' ||
      length === 'q' ||
      length === 'j' ||
      length === 'z' ||
      length === 'Z' ||
      length === 't' ||
      length === 'L';
    const bits = long ? 64 : length === 'h' ? 16 : length === 'hh' ? 8 : 32;
    if (conv === 's') {
      const c = a.reg >= 0 ? capture(captures, a.reg, CAP_STR) : undefined;
      out.push(a.v === 0n ? 'NULL' : c ? quote(c.data, c.truncated) : hex(a.v));
    } else if (conv === 'c') out.push(charText(a.v));
    else if (conv === 'p' || conv === 'n') out.push(ptr(a.v));
    else if (conv === 'd' || conv === 'i') out.push(BigInt.asIntN(bits, a.v).toString());
    else out.push(BigInt.asUintN(bits, a.v).toString());
  }
  return out;
}

/** The arguments of a call: by the table when the function is in it, else six raw registers. */
export function decodeLibArgs(
  fn: LibFunction | undefined,
  args: readonly bigint[],
  captures: readonly Capture[],
): DecodedArg[] {
  if (!fn) return args.map((v, i) => ({ name: `arg${i + 1}`, text: hex(v) }));
  const out: DecodedArg[] = [];
  fn.args.forEach((a, i) => {
    const v = args[i] ?? 0n;
    if (a.kind === 'str' || a.kind === 'fmt') {
      const s = stringArg(captures, i, v);
      out.push({ name: a.name, text: s.text, ...(s.value !== undefined ? { value: s.value } : {}) });
    } else if (a.kind === 'buf') {
      const c = capture(captures, i, CAP_BUFIN);
      out.push({ name: a.name, text: v === 0n ? 'NULL' : c ? quote(c.data, c.truncated) : hex(v) });
    } else out.push({ name: a.name, text: scalar(a.kind, v) });
  });
  if (fn.variadic) {
    const f = fn.args.findIndex((a) => a.kind === 'fmt');
    const format = f >= 0 ? capture(captures, f, CAP_STR) : undefined;
    // Without the format (unreadable), or for other variadic functions: the arguments are unknown.
    if (format)
      printfArgs(format.data, fn.args.length, args, captures).forEach((text, i) =>
        out.push({ name: `...${i + 1}`, text }),
      );
    else out.push({ name: '...', text: '...' });
  }
  return out;
}

/** The return value as text; null for a void function. */
export function decodeLibReturn(fn: LibFunction | undefined, ret: bigint, captures: readonly Capture[]): string | null {
  if (!fn) return hex(BigInt.asUintN(64, ret));
  if (fn.ret === 'void') return null;
  if (fn.ret === 'str') {
    if (ret === 0n) return 'NULL';
    const c = captures.find((x) => x.kind === CAP_LIB_RET && !x.fault);
    return c ? quote(c.data, c.truncated) : hex(BigInt.asUintN(64, ret));
  }
  return scalar(fn.ret, BigInt.asUintN(64, ret));
}

/** The return value as a JSON number when it is one exactly (null for void or beyond 2^53). */
export function returnNumber(fn: LibFunction | undefined, ret: bigint): number | null {
  if (fn?.ret === 'void') return null;
  const kind = fn?.ret ?? 'size';
  const v =
    kind === 'int'
      ? BigInt.asIntN(32, ret)
      : kind === 'uint'
        ? BigInt.asUintN(32, ret)
        : kind === 'long'
          ? BigInt.asIntN(64, ret)
          : BigInt.asUintN(64, ret);
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : null;
}
