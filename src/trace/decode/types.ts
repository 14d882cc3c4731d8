/**
 * The vocabulary of the decoder. A syscall's `Spec` lists its argument types by name; each name
 * is an `ArgType` (registered in printers/*.ts) that says what the engine must read from tracee
 * memory for it (the capture) and how strace prints it. One spec per syscall (specs/*.ts, by
 * family), one printer per argument or struct family (printers/*.ts).
 */
import type { Capture } from '../records.js';

export interface DecodeContext {
  pid: number;
  /** -y: show the path behind each fd. */
  showPaths: boolean;
}

/** Everything a printer may look at to render one argument. */
export interface ArgCtx {
  /** The syscall's name. */
  name: string;
  /** This argument's index and raw register value. */
  i: number;
  v: bigint;
  /** All six raw argument values (a printer may depend on another argument, e.g. fcntl's cmd). */
  raw: bigint[];
  /** `name:param` in the spec: the parameter (an argument index or a size), if any. */
  param: number | undefined;
  /** This argument's capture (entry or exit, not faulted; an fd path even when empty). */
  c: Capture | undefined;
  /** Every capture of the call, entry and exit. */
  captures: Capture[];
  /** null while the call has not returned. */
  ret: bigint | null;
  /** The call returned -errno. */
  failed: boolean;
  ctx: DecodeContext;
}

export interface ArgType {
  /** The packed capture spec for the engine (kind | ref << 8 | size << 16); none when absent. */
  capture?: (param: number | undefined) => number;
  /**
   * Rendered at exit: an unfinished line stops before the first output argument. A function
   * when that depends on the call (clone3 has an exit half only with CLONE_PIDFD or
   * CLONE_PARENT_SETTID in its struct): it sees the raw arguments and the entry captures.
   */
  output?: boolean | ((call: { raw: bigint[]; captures: Capture[] }) => boolean);
  /**
   * Memory-backed: NULL prints as NULL and, without a capture (fault, not returned yet), the
   * address is printed: never a guessed decode.
   */
  memory?: boolean;
  /**
   * What strace prints before this argument instead of `, ` (clone3's ` => {pidfd=[3]}`), and
   * whether that separator belongs to the exit half of a split line: clone's `, child_tidptr=`
   * is printed at exit (`clone(..., flags=X <unfinished ...>` then `<... clone resumed>, child_tidptr=`),
   * while read's `, ` is printed at entry (`read(3,  <unfinished ...>`).
   */
  separator?: { text: string; atExit: boolean };
  render(a: ArgCtx): string;
  /**
   * With -y, a capture of the paths behind the fds this argument holds in memory (pipe's new fds,
   * poll's fds), given the argument's index; the table puts it in a slot the syscall does not use.
   */
  pathsCapture?: (i: number) => number;
}

/** How the return value prints (without the errno part). Default: signed decimal. */
export type RetPrinter = (ret: bigint, a: Omit<ArgCtx, 'i' | 'v' | 'param' | 'c'>) => string;

export interface Spec {
  /** Argument type names, `type` or `type:param`. */
  args: string[];
  /** Return printer name (printers' RET_TYPES); default signed decimal. */
  ret?: string;
  /** How many arguments strace shows for these raw values (default: args.length). */
  shown?: (raw: bigint[]) => number;
}

/** `S('fd bufin:2 uint', 'fd')`: a spec from a space-separated list. */
export const S = (args: string, ret?: string, shown?: Spec['shown']): Spec => ({
  args: args.split(/\s+/).filter(Boolean),
  ret,
  shown,
});

export const pack = (kind: number, ref: number, size: number): number => kind | (ref << 8) | (size << 16);

export const hex = (v: bigint): string => `0x${v.toString(16)}`;
export const ptr = (v: bigint): string => (v === 0n ? 'NULL' : hex(v));
export const i32 = (v: bigint): number => Number(BigInt.asIntN(32, v));
export const i64 = (v: bigint): bigint => BigInt.asIntN(64, v);
