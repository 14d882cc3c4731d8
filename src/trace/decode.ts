/**
 * Argument decoding: one spec per syscall (decode/specs/*.ts, by family) naming its argument
 * types (decode/printers/*.ts, by struct family). From them derive both the capture table for the
 * engine (what to read from tracee memory) and the strace-style rendering. Syscalls without a
 * spec, and arguments whose memory could not be read, render as raw hex: never a guessed decode.
 *
 * Where to look: "how is statx printed" → decode/printers/stat.ts; "which arguments does
 * openat have" → decode/specs/file.ts.
 */
import type { DecodedArg } from './types.js';
import { Cap, type Capture } from './records.js';
import { syscallByName, SYSCALLS } from './syscalls.js';
import { ARG_TYPES, RET_TYPES } from './decode/printers/index.js';
import { SPECS } from './decode/specs/index.js';
import { hex, i64, type ArgCtx, type ArgType, type DecodeContext } from './decode/types.js';

export type { DecodeContext } from './decode/types.js';
export { quote, setHexStyle } from './decode/quote.js';

export const SPEC_NAMES = Object.keys(SPECS);

/** `type:param` → the registered type and its parameter. */
function argType(name: string): { type: ArgType; param: number | undefined } {
  const [base, p] = name.split(':') as [string, string | undefined];
  const type = ARG_TYPES[base];
  if (!type) throw new Error(`unknown argument type ${base}`);
  return { type, param: p === undefined ? undefined : Number(p) };
}

/**
 * The engine's capture table: 512 syscalls x 6 arguments. With `showPaths` (-y) the engine also
 * reads the path behind every fd argument at entry and behind a returned fd at exit: strace
 * resolves them at the stop, and so must we. Later, when the batch reaches JS, the call may have
 * closed the fd (close, dup2's newfd) or the tracee may have reused the number or exited.
 */
export function buildCaptureTable(opts: { showPaths?: boolean } = {}): Uint32Array {
  const table = new Uint32Array(512 * 6);
  for (const [name, spec] of Object.entries(SPECS)) {
    const info = syscallByName(name);
    if (!info) continue;
    spec.args.forEach((t, i) => {
      const { type, param } = argType(t);
      table[info.nr * 6 + i] = type.capture?.(param) ?? 0;
    });
    if (!opts.showPaths) continue;
    spec.args.forEach((t, i) => {
      if (t === 'fd' || t === 'dirfd') table[info.nr * 6 + i] = Cap.fdPath;
    });
    // The returned fd's path goes in the last slot: no fd-returning syscall has six arguments.
    const fdRet = spec.ret === 'fd' || spec.ret === 'fcntl';
    if (fdRet) {
      if (spec.args.length >= 6) throw new Error(`${name}: no free capture slot for the returned fd`);
      table[info.nr * 6 + 5] = Cap.fdPathRet;
    }
    // Paths of fds in memory (pipe's, poll's) go in the last slot that is free.
    spec.args.forEach((t, i) => {
      const paths = argType(t).type.pathsCapture;
      if (!paths) return;
      const slot = fdRet ? 4 : 5;
      if (slot < spec.args.length) throw new Error(`${name}: no free capture slot for fd paths`);
      table[info.nr * 6 + slot] = paths(i);
    });
  }
  return table;
}

/** The separator before argument i: `, ` at entry unless its type says otherwise. */
function separator(name: string, i: number): { text: string; atExit: boolean } {
  const t = SPECS[name]?.args[i];
  return (t ? argType(t).type.separator : undefined) ?? { text: ', ', atExit: false };
}

/**
 * Joins the decoded argument texts of a call as strace prints them: `all` for a whole line,
 * `entry` for an unfinished line's head (up to the first output argument, with the separator
 * that strace prints at entry: `read(3, `), `exit` for the resumed part (`<... clone resumed>`
 * then `, child_tidptr=0x...`). Most separators are `, `; clone3's exit half brings its own
 * ` => {...}`. `raw` and `captures`: the call's, for arguments whose being output depends on them.
 */
export function formatArgs(
  name: string,
  texts: string[],
  part: 'all' | 'entry' | 'exit',
  raw: bigint[] = [],
  captures: Capture[] = [],
): string {
  let first = texts.length;
  if (part !== 'all')
    for (let i = 0; i < texts.length && first === texts.length; i++) if (isOutputArg(name, i, raw, captures)) first = i;
  const from = part === 'exit' ? first : 0;
  const to = part === 'entry' ? first : texts.length;
  let s = '';
  for (let i = from; i < to; i++) {
    const sep = separator(name, i);
    if (i > from || (part === 'exit' && sep.atExit)) s += sep.text;
    s += texts[i];
  }
  if (part === 'entry' && first < texts.length && first > 0) {
    const sep = separator(name, first);
    if (!sep.atExit) s += sep.text;
  }
  return s;
}

/** Whether argument i is rendered at exit (an output argument). */
export function isOutputArg(name: string, i: number, raw: bigint[] = [], captures: Capture[] = []): boolean {
  const t = SPECS[name]?.args[i];
  const output = t ? argType(t).type.output : undefined;
  return typeof output === 'function' ? output({ raw, captures }) : Boolean(output);
}

/**
 * Renders the arguments of one call. `ret` is null when the call has not returned (entry only):
 * output arguments then render as their address.
 */
export function decodeArgs(
  name: string,
  raw: bigint[],
  captures: Capture[],
  ret: bigint | null,
  ctx: DecodeContext,
): DecodedArg[] {
  const spec = SPECS[name];
  const n = spec ? (spec.shown?.(raw) ?? spec.args.length) : 6;
  const failed = ret !== null && i64(ret) < 0n && i64(ret) >= -4095n;
  const out: DecodedArg[] = [];
  for (let i = 0; i < n; i++) {
    const v = raw[i] ?? 0n;
    const c = captures.find((c) => c.arg === i && c.kind !== Cap.fdPathRet && (!c.fault || c.kind === Cap.fdPath));
    let text: string;
    if (!spec) text = v === 0n ? '0' : hex(v);
    else {
      const { type, param } = argType(spec.args[i]!);
      const a: ArgCtx = { name, i, v, raw, param, c, captures, ret, failed, ctx };
      if (type.memory && v === 0n) text = 'NULL';
      else if (type.memory && !c) text = hex(v);
      else text = type.render(a);
    }
    out.push({ name: `arg${i}`, text });
  }
  return out;
}

/** The return value as strace prints it (without the errno part); `captures`: the exit's. */
export function renderReturn(name: string, ret: bigint, ctx: DecodeContext, captures: Capture[] = []): string {
  const kind = SPECS[name]?.ret ?? 'int';
  const printer = RET_TYPES[kind];
  if (!printer) throw new Error(`unknown return printer ${kind}`);
  const failed = ret < 0n && ret >= -4095n;
  return printer(ret, { name, raw: [], captures, ret, failed, ctx });
}

/** Every syscall the decoder knows (for tests: all must exist in the table). */
export function specSyscalls(): string[] {
  return SPEC_NAMES.filter((n) => SYSCALLS.some((s) => s.name === n));
}

/** Every argument and return type the specs name must be registered (checked by a test). */
export function unknownSpecTypes(): string[] {
  const missing: string[] = [];
  for (const [name, spec] of Object.entries(SPECS)) {
    for (const t of spec.args) if (!ARG_TYPES[t.split(':')[0]!]) missing.push(`${name}: ${t}`);
    if (spec.ret && !RET_TYPES[spec.ret]) missing.push(`${name}: returns ${spec.ret}`);
  }
  return missing;
}
