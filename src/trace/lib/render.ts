/**
 * The stream of `trace --lib`: library calls with the syscalls they make nested under them, as
 * text or JSON Lines. Pure and stateful like TraceRenderer, which it uses for the syscall lines
 * (so they read as in the rest of `oslens trace`).
 *
 * Text: a call that makes no syscall and calls no other traced function is one line,
 * `malloc(16) = 0x5581f0a2b2a0`. One that does opens a block: `printf("hi %d\n", 42) {`, the
 * nested lines two spaces further in, and `} printf = 6`. JSON: a `libcall` record at the entry,
 * a `libreturn` record at the return, and syscall records with the nesting `depth`.
 */
import type { Capture, EngineRecord } from '../records.js';
import { TraceRenderer, type RenderOptions } from '../render.js';
import type { DecodedArg, SyscallEvent, TraceRecord } from '../types.js';
import { escapeForTerminal } from '../../util/terminal.js';
import { decodeLibArgs, decodeLibReturn, returnNumber } from './args.js';
import type { LibFunction } from './functions.js';

export interface LibEnterRecord {
  type: 'libenter';
  tid: number;
  pid: number;
  /** Index into the probed functions. */
  fn: number;
  timeNs: bigint;
  /** Library calls open on the thread before this one (counted in kernel). */
  depth: number;
  args: bigint[];
  captures: Capture[];
}

export interface LibReturnRecord {
  type: 'libreturn';
  tid: number;
  pid: number;
  fn: number;
  timeNs: bigint;
  /** When the call started (null: its entry is not known, e.g. it began before the trace). */
  enterNs: bigint | null;
  ret: bigint;
  /** Library calls still open on the thread after this one returned. */
  depth: number;
  captures: Capture[];
}

export type LibRecord = LibEnterRecord | LibReturnRecord;

/** A function with probes on it: its library (file path) and name, its prototype if known. */
export interface ProbedFunction {
  library: string;
  name: string;
  proto?: LibFunction;
}

/** JSON Lines records of trace --lib (README: "trace --lib"). */
export interface LibCallEvent {
  type: 'libcall';
  tid: number;
  pid: number;
  library: string;
  function: string;
  args: DecodedArg[];
  /** The six argument registers, unsigned decimal strings. */
  raw: string[];
  depth: number;
  start: number;
}

export interface LibReturnEvent {
  type: 'libreturn';
  tid: number;
  pid: number;
  library: string;
  function: string;
  /** The value as a number (null: void, or not exact as a JSON number), its text, its register. */
  ret: number | null;
  retText: string | null;
  retRaw: string;
  depth: number;
  start: number | null;
  end: number;
  duration: number | null;
}

/** A syscall record of trace --lib: `depth` is the library calls open on its thread. */
export type LibSyscallEvent = SyscallEvent & { depth: number };

export type LibTraceRecord = TraceRecord | LibSyscallEvent | LibCallEvent | LibReturnEvent;

interface Frame {
  fn: number;
  depth: number;
  text: string;
  /** The entry line is not printed yet (nothing happened inside the call so far). */
  pending: boolean;
}

const sec = (ns: bigint) => Number(ns / 1000n) / 1e6;
const INDENT = '  ';

export class LibTraceRenderer {
  private readonly sys: TraceRenderer;
  private readonly frames = new Map<number, Frame[]>();
  private readonly live = new Set<number>();

  constructor(
    private readonly o: RenderOptions,
    private readonly functions: readonly ProbedFunction[],
  ) {
    // Syscall lines without a prefix: the pid prefix goes before the indentation (ours).
    this.sys = new TraceRenderer({ ...o, toFile: true, pidPrefix: false, timestamps: 0 });
  }

  push(rec: EngineRecord | LibRecord): (string | LibTraceRecord)[] {
    const out: (string | LibTraceRecord)[] = [];
    if (rec.type === 'counts' || rec.type === 'message') return out;
    if (rec.type === 'libenter') this.enter(rec, out);
    else if (rec.type === 'libreturn') this.return(rec, out);
    else {
      const tid = rec.tid;
      if (rec.type !== 'newTask' && rec.type !== 'exec' && rec.type !== 'attached') this.live.add(tid);
      this.open(tid, out);
      const gone = rec.type === 'exited' || rec.type === 'killed';
      const depth = gone ? 0 : this.depth(tid);
      for (const item of this.sys.push(rec)) {
        if (typeof item === 'string') out.push(this.prefix(tid) + INDENT.repeat(depth) + item);
        else out.push(item.type === 'syscall' ? { ...item, depth } : item);
      }
      if (gone) {
        this.frames.delete(tid);
        this.live.delete(tid);
      }
    }
    return out;
  }

  private stack(tid: number): Frame[] {
    let s = this.frames.get(tid);
    if (!s) this.frames.set(tid, (s = []));
    return s;
  }

  /** How far in a line of this thread goes: one step per open library call. */
  private depth(tid: number): number {
    const top = this.frames.get(tid)?.at(-1);
    return top ? top.depth + 1 : 0;
  }

  /** Something happens inside the thread's innermost call: its entry line opens a block. */
  private open(tid: number, out: (string | LibTraceRecord)[]): void {
    const top = this.frames.get(tid)?.at(-1);
    if (!top?.pending || this.o.json) return;
    top.pending = false;
    if (this.o.lines) out.push(this.prefix(tid) + INDENT.repeat(top.depth) + top.text + ' {');
  }

  private name(fn: number): ProbedFunction {
    return this.functions[fn] ?? { library: '?', name: `function#${fn}` };
  }

  private enter(rec: LibEnterRecord, out: (string | LibTraceRecord)[]): void {
    this.live.add(rec.tid);
    const f = this.name(rec.fn);
    const stack = this.stack(rec.tid);
    // The kernel's depth is the truth: calls above it never returned (longjmp) or were lost.
    while (stack.length > 0 && stack.at(-1)!.depth >= rec.depth) this.abandon(rec.tid, stack.pop()!, out);
    this.open(rec.tid, out);
    const args = decodeLibArgs(f.proto, rec.args, rec.captures);
    stack.push({
      fn: rec.fn,
      depth: rec.depth,
      text: `${escapeForTerminal(f.name)}(${args.map((a) => a.text).join(', ')})`,
      pending: true,
    });
    if (this.o.json)
      out.push({
        type: 'libcall',
        tid: rec.tid,
        pid: rec.pid,
        library: f.library,
        function: f.name,
        args,
        raw: rec.args.map((a) => BigInt.asUintN(64, a).toString()),
        depth: rec.depth,
        start: sec(rec.timeNs),
      });
  }

  /** A call that will not return (its thread left it by longjmp, or its return was lost). */
  private abandon(tid: number, frame: Frame, out: (string | LibTraceRecord)[]): void {
    if (this.o.json || !this.o.lines) return;
    const pad = this.prefix(tid) + INDENT.repeat(frame.depth);
    out.push(frame.pending ? `${pad}${frame.text} = ?` : `${pad}} ${escapeForTerminal(this.name(frame.fn).name)} = ?`);
  }

  private return(rec: LibReturnRecord, out: (string | LibTraceRecord)[]): void {
    const f = this.name(rec.fn);
    const stack = this.stack(rec.tid);
    let frame: Frame | undefined;
    let at = stack.length - 1;
    while (at >= 0 && !(stack[at]!.fn === rec.fn && stack[at]!.depth === rec.depth)) at--;
    if (at >= 0) {
      while (stack.length > at + 1) this.abandon(rec.tid, stack.pop()!, out);
      frame = stack.pop();
    }
    const retText = decodeLibReturn(f.proto, rec.ret, rec.captures);
    if (this.o.json) {
      out.push({
        type: 'libreturn',
        tid: rec.tid,
        pid: rec.pid,
        library: f.library,
        function: f.name,
        ret: returnNumber(f.proto, rec.ret),
        retText,
        retRaw: BigInt.asUintN(64, rec.ret).toString(),
        depth: rec.depth,
        start: rec.enterNs === null ? null : sec(rec.enterNs),
        end: sec(rec.timeNs),
        duration: rec.enterNs === null ? null : Number(rec.timeNs - rec.enterNs) / 1e9,
      });
      return;
    }
    if (!this.o.lines) return;
    const pad = this.prefix(rec.tid) + INDENT.repeat(rec.depth);
    const value = retText === null ? '<void>' : retText;
    let line = frame?.pending ? `${pad}${frame.text} = ${value}` : `${pad}} ${escapeForTerminal(f.name)} = ${value}`;
    if (this.o.durations && rec.enterNs !== null) line += ` <${(Number(rec.timeNs - rec.enterNs) / 1e9).toFixed(6)}>`;
    out.push(line);
  }

  /** As the syscall lines of `oslens trace`: `PID   ` on every line with -o FILE and -f, else `[pid N] ` while two threads live. */
  private prefix(tid: number): string {
    if (this.o.pidPrefix) return `${tid}`.padEnd(5) + ' ';
    return !this.o.toFile && this.live.size > 1 ? `[pid ${String(tid).padStart(5)}] ` : '';
  }
}
