/**
 * `oslens trace --ebpf`: the syscall stream of the ptrace tracer, from eBPF. native/bpf/trace.bpf.c
 * captures arguments (strings, input buffers) in kernel and sends one record per call; they are
 * turned into the ptrace engine's records (src/trace/records.ts), so the same renderer prints the
 * same lines and the same `SyscallEvent` JSON. `-c` counts in kernel (syscount.bpf.c).
 */
import { buildCaptureTable } from '../trace/decode.js';
import { Cap, type Capture, type EngineRecord } from '../trace/records.js';
import { TraceRenderer, renderOptions } from '../trace/render.js';
import { syscallByNr, syscallName } from '../trace/syscalls.js';
import type { SyscallEvent, TraceRecord } from '../trace/types.js';
import { libbpf } from '../native/libbpf.js';
import { BpfSession } from './loader.js';
import { Syscount } from './syscount.js';
import { LossReporter } from './loss.js';
import { endTarget, exitStatus, openFor, resolveTarget, runSession, type StopReason, type Target } from './target.js';

const CALL_HEAD = 96; // kind tid pid nr, enter exit ret, args[6], ncap len (trace.bpf.c struct call)
const MAX_NR = 512;
export const EPOCH_OFFSET_NS = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();
const F_TRUNC = 1;
const F_FAULT = 2;
const F_EXIT = 4;
/** trace.bpf.c's own capture kind: the new program's argv, read at sched_process_exec. */
const CAP_EXEC_ARGV = 200;
/** The ring buffer of trace --ebpf unless --buffer says otherwise. */
export const DEFAULT_TRACE_BUFFER = 64 << 20;

const EV_CALL = 1;
const EV_TASK_EXIT = 3;
const EV_SIGNAL = 4;

export interface EbpfTraceOptions {
  /** Run this command (argv) and follow it, or attach to these pids. */
  command?: string[];
  pids?: number[];
  follow: boolean;
  /** Syscall numbers to show (-e trace=SET); undefined = all. */
  filter?: number[];
  strsize: number;
  /** Where a spawned command's stdout goes (stderr when stdout carries JSON). */
  quietChild?: boolean;
  /** Ring buffer bytes (a power of 2). */
  buffer?: number;
  /** Do not print "lost N events" (the total is still returned). */
  quietLoss?: boolean;
}

const SYS_EXECVE = 59;
const SYS_EXECVEAT = 322;

/** execve's argv capture with each string cut at -s, as the ptrace engine cuts them. */
function cutArgv(data: Buffer, strsize: number): Buffer {
  if (data.length < 8) return data;
  const ncap = data.readUInt32LE(4);
  const parts: Buffer[] = [data.subarray(0, 8)];
  let at = 8;
  for (let i = 0; i < ncap && at + 4 <= data.length; i++) {
    const word = data.readUInt32LE(at);
    const len = word & 0x7fffffff;
    const shown = Math.min(len, strsize);
    const head = Buffer.alloc(4);
    head.writeUInt32LE((shown | (word & 0x80000000) | (shown < len ? 0x80000000 : 0)) >>> 0);
    parts.push(head, data.subarray(at + 4, at + 4 + shown));
    at += 4 + len;
  }
  return Buffer.concat(parts);
}

/** The captures of one record: entry ones, and exit ones (F_EXIT). */
export function readCaptures(
  b: Buffer,
  ncap: number,
  strsize: number,
): { enter: Capture[]; exit: Capture[]; execArgv?: Buffer } {
  const enter: Capture[] = [];
  const exit: Capture[] = [];
  let execArgv: Buffer | undefined;
  let at = CALL_HEAD;
  for (let s = 0; s < ncap && at + 8 <= b.length; s++) {
    const kind = b[at + 1]!;
    const flags = b[at + 2]!;
    const len = b.readUInt32LE(at + 4);
    // Strings are cut at -s as the ptrace engine cuts them; buffers were cut in kernel.
    const shown = kind === Cap.str ? Math.min(len, strsize) : len;
    const cap: Capture = {
      arg: b[at]!,
      phase: flags & F_EXIT ? 1 : 0,
      kind,
      truncated: (flags & F_TRUNC) !== 0 || shown < len,
      fault: (flags & F_FAULT) !== 0,
      data: Buffer.from(b.subarray(at + 8, at + 8 + shown)),
    };
    if (kind === CAP_EXEC_ARGV) execArgv = Buffer.from(b.subarray(at + 8, at + 8 + len));
    at += 8 + ((len + 7) & ~7);
    if (kind === CAP_EXEC_ARGV) continue;
    if (kind === Cap.argv) cap.data = cutArgv(cap.data, strsize);
    // A path or string read again at the exit (its page was not resident at entry, where a
    // tracepoint cannot fault it in): it is the entry argument, and is found before the faulted one.
    if (flags & F_EXIT && (kind === Cap.path || kind === Cap.str)) {
      cap.phase = 0;
      enter.unshift(cap);
      continue;
    }
    (flags & F_EXIT ? exit : enter).push(cap);
  }
  return { enter, exit, execArgv };
}

/** Decodes one record of trace.bpf.c into ptrace-engine records (enter + exit, a signal, a task exit). */
export function decodeCall(b: Buffer, strsize: number): EngineRecord[] {
  const kind = b.readUInt32LE(0);
  const tid = b.readUInt32LE(4);
  const pid = b.readUInt32LE(8); // the thread group id
  const nr = b.readUInt32LE(12);
  const enterNs = b.readBigUInt64LE(16) + EPOCH_OFFSET_NS;
  const exitNs = b.readBigUInt64LE(24) + EPOCH_OFFSET_NS;
  const ret = b.readBigInt64LE(32);
  if (kind === EV_TASK_EXIT) {
    const status = Number(ret);
    const sig = status & 0x7f;
    return [
      sig
        ? { type: 'killed', tid, pid, timeNs: enterNs, aux: sig, flags: status & 0x80 ? 1 : 0 }
        : { type: 'exited', tid, pid, timeNs: enterNs, aux: (status >> 8) & 0xff, flags: 0 },
    ];
  }
  const args: bigint[] = [];
  for (let i = 0; i < 6; i++) args.push(b.readBigUInt64LE(40 + i * 8));
  if (kind === EV_SIGNAL) {
    // The siginfo_t bytes the BPF program read (the union from offset 16: si_addr's 8 bytes
    // are si_pid and si_uid; si_status is si_int; si_utime, si_stime), for the same printer.
    const siginfo = Buffer.alloc(48);
    siginfo.writeInt32LE(nr, 0);
    siginfo.writeInt32LE(Number(BigInt.asIntN(32, args[1]!)), 4);
    siginfo.writeInt32LE(Number(BigInt.asIntN(32, args[0]!)), 8);
    siginfo.writeBigUInt64LE(args[5]!, 16);
    siginfo.writeInt32LE(Number(BigInt.asIntN(32, args[4]!)), 24);
    siginfo.writeBigInt64LE(BigInt.asIntN(64, ret), 32);
    siginfo.writeBigInt64LE(b.readBigInt64LE(24), 40);
    return [{ type: 'signal', tid, pid, timeNs: enterNs, signo: nr, code: siginfo.readInt32LE(8), siginfo }];
  }
  const caps = readCaptures(b, b.readUInt32LE(88), strsize);
  const out: EngineRecord[] = [{ type: 'enter', tid, pid, timeNs: enterNs, nr, args, captures: caps.enter }];
  // A successful execve/execveat: the same process event the ptrace engine reports (its
  // PTRACE_EVENT_EXEC stop also comes before the syscall's exit).
  if (kind === EV_CALL && (nr === SYS_EXECVE || nr === SYS_EXECVEAT) && ret === 0n) {
    out.push({ type: 'exec', tid, pid, timeNs: exitNs, aux: tid, flags: 0, argv: caps.execArgv });
  }
  if (kind === EV_CALL)
    out.push({ type: 'exit', tid, pid, timeNs: exitNs, nr, ret, unseen: false, captures: caps.exit });
  return out;
}

/** One row of the per-syscall table, as the ptrace engine's summary has them. */
export interface CountRow {
  name: string;
  calls: number;
  errors: number;
  seconds: number;
  model?: string;
}

/** The per-syscall table counted in kernel (trace.bpf.c `counts`), by time, descending. */
export function kernelCounts(session: BpfSession, wanted?: Set<number>): CountRow[] {
  const rows: CountRow[] = [];
  for (const { key, values } of session.percpuEntries('counts', 4, 24)) {
    const nr = key.readUInt32LE(0);
    let calls = 0n,
      errors = 0n,
      ns = 0n;
    for (const v of values) {
      calls += v.readBigUInt64LE(0);
      errors += v.readBigUInt64LE(8);
      ns += v.readBigUInt64LE(16);
    }
    if (calls === 0n || (wanted && !wanted.has(nr))) continue;
    rows.push({
      name: syscallName(nr),
      calls: Number(calls),
      errors: Number(errors),
      seconds: Number(ns) / 1e9,
      model: syscallByNr(nr)?.model,
    });
  }
  return rows.sort((a, b) => b.seconds - a.seconds || b.calls - a.calls);
}

export interface EbpfTraceResult {
  why: StopReason;
  /** The exit status to pass on (the command's, 130 when interrupted). */
  status: number;
  /** Records the ring buffer had no room for (counted in kernel). */
  lost: number;
  /** Per-syscall calls, errors and time, counted in kernel (complete even when records were lost). */
  rows: CountRow[];
}

export interface EbpfTraceHandle {
  /** Resolves when the command exits, or on stop(), once every record has been handed over. */
  done: Promise<EbpfTraceResult>;
  stop(): void;
}

async function targetFor(opts: EbpfTraceOptions): Promise<Target> {
  const pid = opts.pids?.[0];
  const target = await resolveTarget(
    pid !== undefined ? { pid: String(pid) } : {},
    opts.command ?? [],
    0,
    Boolean(opts.quietChild),
  );
  // Children are followed with -f only, as the ptrace engine does.
  target.filter.followChildren = opts.follow;
  return target;
}

/**
 * Streams the engine records of the traced processes to `onRecords` until the command exits
 * or stop() (Ctrl-C) is called. Everything BPF is released before `done` resolves.
 */
export async function startEbpfTrace(
  opts: EbpfTraceOptions,
  onRecords: (records: EngineRecord[]) => void,
): Promise<EbpfTraceHandle> {
  const target = await targetFor(opts);
  const session = openFor(target, () => {
    const s = new BpfSession('trace', {
      filter: { ...target.filter, flags: opts.filter ? 1 : 0, strsize: opts.strsize },
      programs: ['trace_enter', 'trace_exit', 'trace_exec', 'trace_task_exit', 'trace_signal'],
      maxEntries: { events: opts.buffer ?? DEFAULT_TRACE_BUFFER },
    });
    try {
      fillTables(s, opts.filter);
    } catch (err) {
      s.close();
      throw err;
    }
    return s;
  });
  const ring = session.streamRing('events', (data) => onRecords(decodeCall(data, opts.strsize)));
  const loss = new LossReporter(session, 'trace', opts.quietLoss);
  for (const p of opts.pids?.slice(1) ?? []) session.follow(p);
  let stop: () => void = () => undefined;
  const stopped = new Promise<StopReason>((r) => (stop = () => r('interrupted')));
  const done = Promise.race([runSession(session, target, {}), stopped]).then(async (why) => {
    endTarget(target, why);
    await ring.stop();
    const lost = loss.stop();
    const rows = kernelCounts(session, opts.filter ? new Set(opts.filter) : undefined);
    session.close();
    return { why, status: exitStatus(target, why), lost, rows };
  });
  return { done, stop: () => stop() };
}

export function fillTables(session: BpfSession, filter: number[] | undefined): void {
  const l = libbpf();
  const table = buildCaptureTable();
  const captab = session.mapFd('captab');
  const key = Buffer.alloc(4);
  for (let nr = 0; nr < MAX_NR; nr++) {
    const row = Buffer.from(table.buffer, table.byteOffset + nr * 24, 24);
    if (row.every((x) => x === 0)) continue;
    key.writeUInt32LE(nr);
    l.bpf_map_update_elem(captab, key, row, 0);
  }
  if (filter) {
    const wanted = session.mapFd('wanted');
    for (const nr of filter) {
      if (nr < 0 || nr >= MAX_NR) continue;
      key.writeUInt32LE(nr);
      l.bpf_map_update_elem(wanted, key, Buffer.from([1]), 0);
    }
  }
}

/** The SyscallEvent records (and process events) of a command, traced with eBPF. */
export async function traceCommandEvents(command: string[], strsize = 32): Promise<TraceRecord[]> {
  const renderer = new TraceRenderer(renderOptions({ follow: true }, true, true));
  const out: TraceRecord[] = [];
  const handle = await startEbpfTrace(
    { command, follow: true, strsize, quietChild: true, quietLoss: true },
    (records) => {
      for (const r of records) for (const x of renderer.push(r)) if (typeof x !== 'string') out.push(x);
    },
  );
  await handle.done;
  return out;
}

export function isSyscallEvent(r: TraceRecord): r is SyscallEvent {
  return r.type === 'syscall';
}

/** `trace -c --ebpf`: counts in kernel (syscount.bpf.c, timing each call), nothing streamed. */
export async function countEbpf(
  opts: EbpfTraceOptions,
): Promise<{ rows: CountRow[]; why: StopReason; status: number }> {
  const target = await targetFor(opts);
  const counter = openFor(target, () => new Syscount(target.filter, { latency: true }));
  try {
    for (const p of opts.pids?.slice(1) ?? []) counter.session.follow(p);
    const why = await runSession(counter.session, target, {});
    endTarget(target, why);
    const wanted = opts.filter ? new Set(opts.filter) : undefined;
    const rows = counter
      .snapshot()
      .syscalls.filter((s) => !wanted || wanted.has(s.nr))
      .map((s) => ({
        name: syscallName(s.nr),
        calls: s.count,
        errors: s.errors,
        seconds: (s.totalNs ?? 0) / 1e9,
        model: syscallByNr(s.nr)?.model,
      }))
      .sort((a, b) => b.seconds - a.seconds);
    return { rows, why, status: exitStatus(target, why) };
  } finally {
    counter.close();
  }
}
