/**
 * Turns engine records into strace-style lines and JSON Lines records. Stateful (it pairs
 * entries with exits per task and prints `<unfinished ...>` / `<... resumed>` when tasks
 * interleave), but pure: it returns text, never writes.
 */
import type { Capture, EngineRecord, EnterRecord, ExitRecord, SignalRecord, TaskRecord } from './records.js';
import { bytesArrayField, bytesField, splitNul } from './bytes.js';
import { decodeArgs, isOutputArg, renderReturn, type DecodeContext } from './decode.js';
import { errnoMessage, errnoName, isRestartErrno } from './errno.js';
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
  /** -o FILE with -f: strace writes `PID ` instead of `[pid PID] `. */
  toFile: boolean;
  /** Print syscall lines at all (false with plain -c). */
  lines: boolean;
}

interface Pending {
  enter: EnterRecord;
  /** `<unfinished ...>` was printed; the exit prints `<... resumed>`. */
  unfinished: boolean;
}

const SI_CODES: Record<number, string> = {
  0: 'SI_USER',
  128: 'SI_KERNEL',
  [-1]: 'SI_QUEUE',
  [-2]: 'SI_TIMER',
  [-6]: 'SI_TKILL',
};
const CLD_CODES = ['', 'CLD_EXITED', 'CLD_KILLED', 'CLD_DUMPED', 'CLD_TRAPPED', 'CLD_STOPPED', 'CLD_CONTINUED'];
const SEGV_CODES = ['', 'SEGV_MAPERR', 'SEGV_ACCERR', 'SEGV_BNDERR', 'SEGV_PKUERR'];

const sec = (ns: bigint) => Number(ns / 1000n) / 1e6;

export class TraceRenderer {
  private pending = new Map<number, Pending>();
  private last: number | null = null;
  private tasksSeen = new Set<number>();
  private execArgv = new Map<number, { path: Buffer | null; argv: Buffer[] }>();

  constructor(private readonly o: RenderOptions) {}

  /** Lines (without newline) or JSON records for one engine record. */
  push(rec: EngineRecord): (string | TraceRecord)[] {
    const out: (string | TraceRecord)[] = [];
    if (rec.type === 'counts' || rec.type === 'message') return out;
    this.tasksSeen.add(rec.tid);
    // Another task's event while a line is open: close it as unfinished.
    if (this.last !== null && this.last !== rec.tid) {
      const p = this.pending.get(this.last);
      if (p && !p.unfinished) {
        if (!this.o.json && this.o.lines)
          out.push(
            this.prefix(p.enter.tid, p.enter.timeNs, p.enter.nr) + this.head(p.enter, true) + ' <unfinished ...>',
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
        else out.push(this.prefix(rec.tid, rec.timeNs) + `--- ${signalName(rec.signo)} ${this.siginfo(rec)} ---`);
        break;
      case 'exited':
      case 'killed': {
        this.flushPending(rec.tid, out);
        if (this.o.json) {
          const ev: ProcessEvent = { type: 'exit', tid: rec.tid, pid: rec.pid, time: sec(rec.timeNs) };
          if (rec.type === 'exited') ev.code = rec.aux;
          else ev.signal = signalName(rec.aux);
          out.push(ev);
        } else {
          const text =
            rec.type === 'exited'
              ? `exited with ${rec.aux}`
              : `killed by ${signalName(rec.aux)}${rec.flags & 1 ? ' (core dumped)' : ''}`;
          out.push(this.prefix(rec.tid, rec.timeNs) + `+++ ${text} +++`);
        }
        break;
      }
      case 'exec': {
        if (rec.aux !== rec.tid) this.pending.delete(rec.aux);
        if (this.o.json) out.push(this.execEvent(rec));
        break;
      }
      case 'groupStop':
        if (!this.o.json) out.push(this.prefix(rec.tid, rec.timeNs) + `--- stopped by ${signalName(rec.aux)} ---`);
        break;
      case 'attached':
      case 'detached':
        break;
      default:
        break;
    }
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

  /** A task that ends inside a syscall (exit_group, killed): `name(args) = ?`. */
  private flushPending(tid: number, out: (string | TraceRecord)[]): void {
    const p = this.pending.get(tid);
    if (!p) return;
    this.pending.delete(tid);
    const name = syscallName(p.enter.nr);
    if (this.o.json) {
      out.push(this.event(p.enter, null, null));
    } else if (this.o.lines) {
      const head = p.unfinished ? `<... ${name} resumed>` : this.head(p.enter, false);
      out.push(this.prefix(tid, p.enter.timeNs, p.enter.nr) + head + (p.unfinished ? '' : ')') + ' = ?');
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
    if (this.o.json) {
      out.push(this.event(enter, rec, rec.ret));
      return;
    }
    if (!this.o.lines) return;
    const name = syscallName(rec.nr);
    const ctx = this.ctx(rec.tid);
    const captures = [...enter.captures, ...rec.captures];
    const args = p ? decodeArgs(name, enter.args, captures, rec.ret, ctx).map((a) => a.text) : [];
    let text: string;
    if (!p) text = `<... ${name} resumed>`;
    else if (p.unfinished) {
      const first = this.firstOutputArg(name, args.length);
      text = `<... ${name} resumed>${args.slice(first).join(', ')}`;
    } else text = `${name}(${args.join(', ')}`;
    text += `) = ${this.ret(name, rec.ret, ctx, rec.captures)}`;
    if (this.o.durations) text += ` <${(Number(rec.timeNs - enter.timeNs) / 1e9 || 0).toFixed(6)}>`;
    out.push(this.prefix(rec.tid, p && !p.unfinished ? enter.timeNs : rec.timeNs, rec.nr) + text);
  }

  private firstOutputArg(name: string, n: number): number {
    for (let i = 0; i < n; i++) if (isOutputArg(name, i)) return i;
    return n;
  }

  /** `name(entry args` — for an unfinished line only up to the first output argument. */
  private head(enter: EnterRecord, unfinished: boolean): string {
    const name = syscallName(enter.nr);
    const args = decodeArgs(name, enter.args, enter.captures, null, this.ctx(enter.tid)).map((a) => a.text);
    const shown = unfinished ? args.slice(0, this.firstOutputArg(name, args.length)) : args;
    return `${name}(${shown.join(', ')}${unfinished && shown.length > 0 && shown.length < args.length ? ', ' : ''}`;
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
    if (this.o.follow && this.tasksSeen.size > 1)
      s += this.o.toFile ? `${tid}`.padEnd(5) + ' ' : `[pid ${String(tid).padStart(5)}] `;
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

  private siginfo(r: SignalRecord): string {
    const name = signalName(r.signo);
    let code = SI_CODES[r.code] ?? String(r.code);
    if (r.code > 0 && r.signo === 17) code = CLD_CODES[r.code] ?? code;
    if (r.code > 0 && r.signo === 11) code = SEGV_CODES[r.code] ?? code;
    if (r.signo === 11 || r.signo === 7 || r.signo === 4 || r.signo === 8)
      return `{si_signo=${name}, si_code=${code}, si_addr=${r.addr === 0n ? 'NULL' : `0x${r.addr.toString(16)}`}}`;
    const status = r.signo === 17 ? `, si_status=${r.status}` : '';
    return `{si_signo=${name}, si_code=${code}, si_pid=${r.senderPid}, si_uid=${r.uid}${status}}`;
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

/** strace -c's table. `rows` sorted by time, descending. */
export function renderSummary(
  rows: { name: string; calls: number; errors: number; seconds: number; model?: string }[],
  withModel: boolean,
): string {
  const sorted = [...rows].sort((a, b) => b.seconds - a.seconds || b.calls - a.calls || a.name.localeCompare(b.name));
  const total = sorted.reduce(
    (s, r) => ({ seconds: s.seconds + r.seconds, calls: s.calls + r.calls, errors: s.errors + r.errors }),
    {
      seconds: 0,
      calls: 0,
      errors: 0,
    },
  );
  const modelHead = withModel ? ' model' : '';
  const lines = [
    `% time     seconds  usecs/call     calls    errors syscall${withModel ? '          ' + modelHead : ''}`,
    `------ ----------- ----------- --------- --------- ----------------${withModel ? ' ------------------' : ''}`,
  ];
  const line = (pct: number, s: number, calls: number, errors: number, name: string, model?: string) =>
    `${pct.toFixed(2).padStart(6)} ${s.toFixed(6).padStart(11)} ${String(calls ? Math.round((s * 1e6) / calls) : 0).padStart(11)} ${String(calls).padStart(9)} ${(errors ? String(errors) : '').padStart(9)} ${withModel ? name.padEnd(16) + ' ' + (model ?? '') : name}`;
  for (const r of sorted)
    lines.push(
      line(total.seconds ? (100 * r.seconds) / total.seconds : 0, r.seconds, r.calls, r.errors, r.name, r.model),
    );
  lines.push(lines[1]!);
  lines.push(line(100, total.seconds, total.calls, total.errors, 'total'));
  return lines.join('\n') + '\n';
}
