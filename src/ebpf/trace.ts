/**
 * `oslens trace --ebpf`: the syscall stream of the ptrace tracer, from eBPF. native/bpf/trace.bpf.c
 * captures arguments (strings, input buffers) in kernel and sends one record per call; they are
 * turned into the ptrace engine's records (src/trace/records.ts), so the same renderer prints the
 * same lines and the same `SyscallEvent` JSON. `-c` counts in kernel (syscount.bpf.c).
 */
import { buildCaptureTable } from '../trace/decode.js';
import type { Capture, EngineRecord } from '../trace/records.js';
import { TraceRenderer, renderOptions } from '../trace/render.js';
import { syscallByNr, syscallName } from '../trace/syscalls.js';
import type { SyscallEvent, TraceRecord } from '../trace/types.js';
import { libbpf } from '../native/libbpf.js';
import { BpfSession } from './loader.js';
import { Syscount } from './syscount.js';
import { endTarget, openFor, resolveTarget, runSession, type StopReason, type Target } from './target.js';

const CAP_SLOTS = 4;
const CAP_LEN = 256;
const CAP_SIZE = 8 + CAP_LEN;
const CALL_HEAD = 96; // kind tid pid nr, enter exit ret, args[6], ncap pad
const EPOCH_OFFSET_NS = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();

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
}

const SYS_EXECVE = 59;
const SYS_EXECVEAT = 322;

/** Decodes one record of trace.bpf.c into ptrace-engine records (enter + exit, or a task exit). */
export function decodeCall(b: Buffer, strsize: number): EngineRecord[] {
  const kind = b.readUInt32LE(0);
  const tid = b.readUInt32LE(4);
  const pid = b.readUInt32LE(8); // the thread group id
  const nr = b.readUInt32LE(12);
  const enterNs = b.readBigUInt64LE(16) + EPOCH_OFFSET_NS;
  const exitNs = b.readBigUInt64LE(24) + EPOCH_OFFSET_NS;
  const ret = b.readBigInt64LE(32);
  if (kind === 3) {
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
  const ncap = Math.min(b.readUInt32LE(88), CAP_SLOTS);
  const captures: Capture[] = [];
  for (let s = 0; s < ncap; s++) {
    const at = CALL_HEAD + s * CAP_SIZE;
    const len = Math.min(b.readUInt32LE(at + 4), CAP_LEN);
    const shown = Math.min(len, strsize);
    captures.push({
      arg: b[at]!,
      phase: 0,
      kind: b[at + 1]!,
      truncated: b[at + 2] !== 0 || shown < len,
      fault: b[at + 3] !== 0,
      data: Buffer.from(b.subarray(at + 8, at + 8 + shown)),
    });
  }
  const out: EngineRecord[] = [{ type: 'enter', tid, pid, timeNs: enterNs, nr, args, captures }];
  // A successful execve/execveat: the same process event the ptrace engine reports (its
  // PTRACE_EVENT_EXEC stop also comes before the syscall's exit).
  if (kind === 1 && (nr === SYS_EXECVE || nr === SYS_EXECVEAT) && ret === 0n) {
    out.push({ type: 'exec', tid, pid, timeNs: exitNs, aux: tid, flags: 0 });
  }
  if (kind === 1) out.push({ type: 'exit', tid, pid, timeNs: exitNs, nr, ret, unseen: false, captures: [] });
  return out;
}

export interface EbpfTraceHandle {
  /** Resolves when the command exits, or on stop(). */
  done: Promise<StopReason>;
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
  target.filter.followChildren = opts.follow || target.child !== undefined;
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
      filter: { ...target.filter, flags: opts.filter ? 1 : 0 },
      programs: ['trace_enter', 'trace_exit', 'trace_task_exit'],
    });
    try {
      fillTables(s, opts.filter);
    } catch (err) {
      s.close();
      throw err;
    }
    return s;
  });
  const drain = session.onRingBuffer('events', (data) => onRecords(decodeCall(data, opts.strsize)), 10);
  for (const p of opts.pids?.slice(1) ?? []) session.follow(p);
  let stop: () => void = () => undefined;
  const stopped = new Promise<StopReason>((r) => (stop = () => r('interrupted')));
  const done = Promise.race([runSession(session, target, {}), stopped]).then((why) => {
    drain();
    endTarget(target, why);
    session.close();
    return why;
  });
  return { done, stop: () => stop() };
}

function fillTables(session: BpfSession, filter: number[] | undefined): void {
  const l = libbpf();
  const table = buildCaptureTable();
  const captab = session.mapFd('captab');
  const key = Buffer.alloc(4);
  for (let nr = 0; nr < 512; nr++) {
    const row = Buffer.from(table.buffer, table.byteOffset + nr * 24, 24);
    if (row.every((x) => x === 0)) continue;
    key.writeUInt32LE(nr);
    l.bpf_map_update_elem(captab, key, row, 0);
  }
  if (filter) {
    const wanted = session.mapFd('wanted');
    for (const nr of filter) {
      if (nr < 0 || nr >= 512) continue;
      key.writeUInt32LE(nr);
      l.bpf_map_update_elem(wanted, key, Buffer.from([1]), 0);
    }
  }
}

/** The SyscallEvent records (and process events) of a command, traced with eBPF. */
export async function traceCommandEvents(command: string[], strsize = 32): Promise<TraceRecord[]> {
  const renderer = new TraceRenderer(renderOptions({ follow: true }, true, true));
  const out: TraceRecord[] = [];
  const handle = await startEbpfTrace({ command, follow: true, strsize, quietChild: true }, (records) => {
    for (const r of records) for (const x of renderer.push(r)) if (typeof x !== 'string') out.push(x);
  });
  await handle.done;
  return out;
}

export function isSyscallEvent(r: TraceRecord): r is SyscallEvent {
  return r.type === 'syscall';
}

/** `trace -c --ebpf`: counts in kernel, rows as the ptrace engine's summary has them. */
export async function countEbpf(opts: EbpfTraceOptions): Promise<{
  rows: { name: string; calls: number; errors: number; seconds: number; model?: string }[];
  why: StopReason;
}> {
  const target = await targetFor(opts);
  const counter = openFor(target, () => new Syscount(target.filter));
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
        seconds: s.totalNs / 1e9,
        model: syscallByNr(s.nr)?.model,
      }))
      .sort((a, b) => b.seconds - a.seconds);
    return { rows, why };
  } finally {
    counter.close();
  }
}
