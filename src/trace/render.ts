/**
 * Turns engine records into strace-style lines and JSON Lines records. Stateful (it pairs
 * entries with exits per task and prints `<unfinished ...>` / `<... resumed>` when tasks
 * interleave), but pure: it returns text, never writes.
 */
import type { Capture, EngineRecord, EnterRecord, ExitRecord, TaskRecord } from './records.js';
import { bytesArrayField, bytesField, splitNul } from './bytes.js';
import { decodeArgs, formatArgs, isOutputArg, renderReturn, type DecodeContext } from './decode.js';
import { errnoMessage, errnoName, isRestartErrno } from './errno.js';
import { parseSiginfo, siginfoText } from './decode/printers/signal.js';
import { signalName } from './signals.js';
import { syscallByNr, syscallName } from './syscalls.js';
import type { ModelId } from '../lessons/types.js';
import type { ProcessEvent, SyscallEvent, TraceRecord } from './types.js';

/** The trace command's output flags, as both the ptrace and the eBPF front ends receive them. */
export interface RenderFlags {
  follow?: boolean;
  timestamps?: number;
  durations?: boolean;
  showPaths?: boolean;
  model?: boolean;
  output?: string;
  /** -p's list of pids (strace prefixes lines with the pid when it attaches to several). */
  pid?: string;
}

/** Options for a renderer of `oslens trace` output from its flags (one place for both engines). */
export function renderOptions(flags: RenderFlags, json: boolean, lines: boolean): RenderOptions {
  return {
    follow: Boolean(flags.follow),
    json,
    timestamps: flags.timestamps ?? 0,
    durations: Boolean(flags.durations),
    showPaths: Boolean(flags.showPaths),
    model: Boolean(flags.model),
    toFile: Boolean(flags.output),
    pidPrefix:
      Boolean(flags.output) && (Boolean(flags.follow) || (flags.pid ?? '').split(/[,\s]+/).filter(Boolean).length > 1),
    lines,
  };
}

export interface RenderOptions {
  follow: boolean;
  json: boolean;
  /** 0 none, 1 -t, 2 -tt, 3 -ttt */
  timestamps: number;
  /** -T */
  durations: boolean;
  showPaths: boolean;
  model: boolean;
  /** Output goes to -o FILE: no `[pid N] ` prefix (that one is for a terminal). */
  toFile: boolean;
  /**
   * strace's print_pid_pfx: with -o FILE and -f (or several -p pids), every line starts with
   * the pid (`%-5d `) from the first line on, one task or many.
   */
  pidPrefix?: boolean;
  /** Print syscall lines at all (false with plain -c). */
  lines: boolean;
}

interface Pending {
  enter: EnterRecord;
  /** `<unfinished ...>` was printed; the exit prints `<... resumed>`. */
  unfinished: boolean;
}

const sec = (ns: bigint) => Number(ns / 1000n) / 1e6;

/** strace's column for ` = ` (its -a default). */
const RETURN_COLUMN = 40;

/**
 * The end of a syscall line as strace's tabto() writes it: `) `, then spaces up to column 40 of
 * the whole line (pid prefix and timestamps included), then `= ` and the return value.
 */
export function withReturn(line: string, ret: string): string {
  const s = line + ') ';
  return s.padEnd(RETURN_COLUMN) + '= ' + ret;
}

export class TraceRenderer {
  private pending = new Map<number, Pending>();
  private last: number | null = null;
  /** Tasks traced now (strace's nprocs): `[pid N] ` on a terminal only while there are two. */
  private live = new Set<number>();
  /** The last syscall each task finished: what restart_syscall resumes. */
  private previous = new Map<number, string>();
  private execArgv = new Map<number, { path: Buffer | null; argv: Buffer[] }>();

  constructor(private readonly o: RenderOptions) {}

  /** Lines (without newline) or JSON records for one engine record. */
  push(rec: EngineRecord): (string | TraceRecord)[] {
    const out: (string | TraceRecord)[] = [];
    if (rec.type === 'counts' || rec.type === 'message') return out;
    // Events strace prints nothing for (a new task, an exec, an attach) neither count the task
    // as traced yet (strace's nprocs grows at the task's first stop) nor interrupt another
    // task's open line: `clone(...) = N` stays whole, with no `[pid N]` while one task runs.
    if (rec.type === 'newTask' || rec.type === 'exec' || rec.type === 'attached') return this.silent(rec, out);
    if (rec.type === 'detached') return this.detached(rec, out);
    this.live.add(rec.tid);
    // Another task's event while a line is open: close it as unfinished.
    if (this.last !== null && this.last !== rec.tid) {
      const p = this.pending.get(this.last);
      if (p && !p.unfinished) {
        if (!this.o.json && this.o.lines)
          out.push(
            this.prefix(p.enter.tid, p.enter.timeNs, p.enter.nr) + this.head(p.enter, true).text + ' <unfinished ...>',
          );
        p.unfinished = true;
      }
    }
    this.last = null;
    switch (rec.type) {
      case 'enter':
        this.pending.set(rec.tid, { enter: rec, unfinished: false });
        this.last = rec.tid;
        if (rec.nr === 59) this.rememberExec(rec);
        break;
      case 'exit':
        this.exit(rec, out);
        break;
      case 'signal':
        if (this.o.json)
          out.push({
            type: 'signal',
            tid: rec.tid,
            pid: rec.pid,
            time: sec(rec.timeNs),
            signal: signalName(rec.signo),
            code: rec.code,
          });
        else if (this.o.lines)
          out.push(
            this.prefix(rec.tid, rec.timeNs) +
              `--- ${signalName(rec.signo)} ${siginfoText(parseSiginfo(rec.siginfo))} ---`,
          );
        break;
      case 'exited':
      case 'killed': {
        this.flushPending(rec.tid, out);
        if (this.o.json) {
          const ev: ProcessEvent = { type: 'exit', tid: rec.tid, pid: rec.pid, time: sec(rec.timeNs) };
          if (rec.type === 'exited') ev.code = rec.aux;
          else ev.signal = signalName(rec.aux);
          out.push(ev);
        } else if (this.o.lines) {
          // Plain -c (strace -c) prints the table alone: no exit lines among it.
          const text =
            rec.type === 'exited'
              ? `exited with ${rec.aux}`
              : `killed by ${signalName(rec.aux)}${rec.flags & 1 ? ' (core dumped)' : ''}`;
          out.push(this.prefix(rec.tid, rec.timeNs) + `+++ ${text} +++`);
        }
        this.live.delete(rec.tid);
        this.previous.delete(rec.tid);
        break;
      }
      case 'groupStop':
        if (!this.o.json && this.o.lines)
          out.push(this.prefix(rec.tid, rec.timeNs) + `--- stopped by ${signalName(rec.aux)} ---`);
        break;
      default:
        break;
    }
    return out;
  }

  /** Records that print no line: a new task, an exec (JSON: its record), an attach. */
  private silent(rec: TaskRecord, out: (string | TraceRecord)[]): (string | TraceRecord)[] {
    if (rec.type === 'exec') {
      if (rec.aux !== rec.tid) {
        this.pending.delete(rec.aux);
        this.live.delete(rec.aux);
      }
      if (this.o.json) out.push(this.execEvent(rec));
    } else if (rec.type === 'attached') {
      // strace names the call a task attached with -p resumes after `read`: its record of the
      // task's last syscall starts as number 0. `restart_syscall(<... resuming interrupted read
      // ...>)` is what strace 6 prints for a sleeper it attached to.
      this.previous.set(rec.tid, syscallName(0));
    }
    return out;
  }

  /** strace's droptcb(): the task's call whose line is still open ends with ` <detached ...>`. */
  private detached(rec: TaskRecord, out: (string | TraceRecord)[]): (string | TraceRecord)[] {
    const p = this.pending.get(rec.tid);
    this.pending.delete(rec.tid);
    this.live.delete(rec.tid);
    if (this.last === rec.tid) this.last = null;
    if (p && !p.unfinished && !this.o.json && this.o.lines)
      out.push(this.prefix(rec.tid, p.enter.timeNs, p.enter.nr) + this.head(p.enter, true).text + ' <detached ...>');
    return out;
  }

  private rememberExec(rec: EnterRecord): void {
    const path = rec.captures.find((c) => c.arg === 0 && !c.fault);
    const argv = rec.captures.find((c) => c.arg === 1 && !c.fault);
    const strings: Buffer[] = [];
    if (argv && argv.data.length >= 8) {
      const ncap = argv.data.readUInt32LE(4);
      let at = 8;
      for (let i = 0; i < ncap && at + 4 <= argv.data.length; i++) {
        const n = argv.data.readUInt32LE(at) & 0x7fffffff;
        strings.push(argv.data.subarray(at + 4, at + 4 + n));
        at += 4 + n;
      }
    }
    this.execArgv.set(rec.tid, { path: path ? path.data : null, argv: strings });
  }

  /**
   * The JSON exec record: path as execve got it (when its entry was traced), argv as the new
   * program got it, exactly (the engine reads /proc/PID/cmdline at the exec; the eBPF engine
   * sends none, so its argv is the captured execve argument). Bytes: src/trace/bytes.ts.
   */
  private execEvent(rec: TaskRecord): ProcessEvent {
    const e = this.execArgv.get(rec.aux) ?? this.execArgv.get(rec.tid);
    const argv = rec.argv && rec.argv.length > 0 ? splitNul(rec.argv) : e?.argv;
    return {
      type: 'exec',
      tid: rec.tid,
      pid: rec.pid,
      time: sec(rec.timeNs),
      ...(e?.path ? bytesField('path', e.path) : {}),
      ...(argv ? bytesArrayField('argv', argv) : {}),
    };
  }

  /**
   * A task that ends inside a syscall (exit_group, killed, or a thread ended by another's exit):
   * strace's print_event_exit() line, `name(entry args) = ?` or `<... name resumed>) = ?`, with
   * ` <unfinished ...>` before the `)` when the call had output arguments still to print.
   */
  private flushPending(tid: number, out: (string | TraceRecord)[]): void {
    const p = this.pending.get(tid);
    if (!p) return;
    this.pending.delete(tid);
    const name = syscallName(p.enter.nr);
    if (this.o.json) {
      out.push(this.event(p.enter, null, null));
    } else if (this.o.lines) {
      const head = this.head(p.enter, true);
      let text = p.unfinished ? `<... ${name} resumed>` : head.text;
      if (head.partial) text += ' <unfinished ...>';
      out.push(withReturn(this.prefix(tid, p.enter.timeNs, p.enter.nr) + text, '?'));
    }
  }

  private exit(rec: ExitRecord, out: (string | TraceRecord)[]): void {
    const p = this.pending.get(rec.tid);
    this.pending.delete(rec.tid);
    const enter: EnterRecord = p?.enter ?? {
      type: 'enter',
      tid: rec.tid,
      pid: rec.pid,
      timeNs: rec.timeNs,
      nr: rec.nr,
      args: [],
      captures: [],
    };
    const name = syscallName(rec.nr);
    const previous = this.previous.get(rec.tid);
    this.previous.set(rec.tid, name);
    if (this.o.json) {
      out.push(this.event(enter, rec, rec.ret));
      return;
    }
    if (!this.o.lines) return;
    const ctx = this.ctx(rec.tid);
    const captures = [...enter.captures, ...rec.captures];
    const args = p ? this.args(name, enter, captures, rec.ret, ctx, previous) : [];
    let text: string;
    if (!p) text = `<... ${name} resumed>`;
    else if (p.unfinished) text = `<... ${name} resumed>${formatArgs(name, args, 'exit', enter.args, captures)}`;
    else text = `${name}(${formatArgs(name, args, 'all', enter.args, captures)}`;
    const prefix = this.prefix(rec.tid, p && !p.unfinished ? enter.timeNs : rec.timeNs, rec.nr);
    let line = withReturn(prefix + text, this.ret(name, rec.ret, ctx, rec.captures));
    if (this.o.durations) line += ` <${(Number(rec.timeNs - enter.timeNs) / 1e9 || 0).toFixed(6)}>`;
    out.push(line);
  }

  /** The decoded argument texts; restart_syscall names the call it resumes, as strace does. */
  private args(
    name: string,
    enter: EnterRecord,
    captures: Capture[],
    ret: bigint | null,
    ctx: DecodeContext,
    previous = this.previous.get(enter.tid),
  ): string[] {
    if (name === 'restart_syscall') return [`<... resuming interrupted ${previous ?? 'system call'} ...>`];
    return decodeArgs(name, enter.args, captures, ret, ctx).map((a) => a.text);
  }

  /**
   * `name(entry args`: with `unfinished`, only up to the first output argument, with the
   * separator strace prints at entry (`read(3, `; clone's comes at exit: formatArgs).
   * `partial`: output arguments remain.
   */
  private head(enter: EnterRecord, unfinished: boolean): { text: string; partial: boolean } {
    const name = syscallName(enter.nr);
    const args = this.args(name, enter, enter.captures, null, this.ctx(enter.tid));
    const raw = enter.args;
    const partial = unfinished && args.some((_, i) => isOutputArg(name, i, raw, enter.captures));
    const part = partial ? 'entry' : 'all';
    return { text: `${name}(${formatArgs(name, args, part, raw, enter.captures)}`, partial };
  }

  private ret(name: string, ret: bigint, ctx: DecodeContext, captures: Capture[]): string {
    if (ret < 0n && ret >= -4095n) {
      const e = Number(-ret);
      const msg = `${errnoName(e)} (${errnoMessage(e)})`;
      return isRestartErrno(e) ? `? ${msg}` : `-1 ${msg}`;
    }
    return renderReturn(name, ret, ctx, captures);
  }

  private ctx(tid: number): DecodeContext {
    return { pid: tid, showPaths: this.o.showPaths };
  }

  private prefix(tid: number, timeNs: bigint, nr?: number): string {
    let s = '';
    if (this.o.pidPrefix) s += `${tid}`.padEnd(5) + ' ';
    else if (!this.o.toFile && this.live.size > 1) s += `[pid ${String(tid).padStart(5)}] `;
    if (this.o.timestamps > 0) {
      const us = timeNs / 1000n;
      if (this.o.timestamps >= 3) s += `${us / 1000000n}.${String(us % 1000000n).padStart(6, '0')} `;
      else {
        const d = new Date(Number(us / 1000n));
        const hms = [d.getHours(), d.getMinutes(), d.getSeconds()].map((x) => String(x).padStart(2, '0')).join(':');
        s += this.o.timestamps === 2 ? `${hms}.${String(us % 1000000n).padStart(6, '0')} ` : `${hms} `;
      }
    }
    if (this.o.model) s += `${(nr === undefined ? '-' : (syscallByNr(nr)?.model ?? '-')).padEnd(18)} `;
    return s;
  }

  private event(enter: EnterRecord, exit: ExitRecord | null, ret: bigint | null): SyscallEvent {
    const name = syscallName(enter.nr);
    const captures = [...enter.captures, ...(exit?.captures ?? [])];
    const failed = ret !== null && ret < 0n && ret >= -4095n;
    const start = sec(enter.timeNs);
    const end = exit ? sec(exit.timeNs) : null;
    return {
      type: 'syscall',
      tid: enter.tid,
      pid: enter.pid,
      name,
      nr: enter.nr,
      args: exit && enter.args.length === 0 ? [] : decodeArgs(name, enter.args, captures, ret, this.ctx(enter.tid)),
      raw: enter.args.map((a) => a.toString()),
      ret: ret === null ? null : Number(ret),
      errno: failed ? errnoName(Number(-ret!)) : null,
      start,
      end,
      duration: exit ? Number(exit.timeNs - enter.timeNs) / 1e9 : null,
      model: (syscallByNr(enter.nr)?.model ?? 'syscall-boundary') as ModelId,
    };
  }
}
