/**
 * `oslens trace --lib`: uprobes and uretprobes on library functions (native/bpf/libtrace.bpf.c),
 * in the same ring buffer as trace --ebpf's syscall stream, so the calls and the syscalls they
 * make come in the order they happened. The probes are attached before a spawned command runs
 * (it waits at its gate) and released on every exit path, with the rest of the session.
 */
import { readFileSync } from 'node:fs';
import { libbpf } from '../native/libbpf.js';
import { parseLibSpec, LibSpecError } from '../trace/lib/spec.js';
import { commandObjects, processObjects, resolveSpec, type ProbeSite } from '../trace/lib/resolve.js';
import { libFunction, type LibFunction } from '../trace/lib/functions.js';
import { STACK_WORDS } from '../trace/lib/args.js';
import type { LibRecord, ProbedFunction } from '../trace/lib/render.js';
import type { EngineRecord } from '../trace/records.js';
import { ExitCode, UserError } from '../util/errors.js';
import { escapeForTerminal } from '../util/terminal.js';
import { basename } from 'node:path';
import { kernelVersion } from './caps.js';
import { BPF_TRACE_UPROBE_MULTI, BpfSession } from './loader.js';
import { LossReporter } from './loss.js';
import { endTarget, exitStatus, openFor, resolveTarget, runSession, type StopReason, type Target } from './target.js';
import {
  DEFAULT_TRACE_BUFFER,
  EPOCH_OFFSET_NS,
  decodeCall,
  fillTables,
  kernelCounts,
  readCaptures,
  type CountRow,
} from './trace.js';

const EV_LIBENTER = 5;
const EV_LIBRETURN = 6;
const FILTER_SYSCALLS = 1;
const LIB_COUNT_ONLY = 2;
/** libtrace.bpf.c MAX_FUNCS: functions one run can probe. */
export const MAX_FUNCS = 8192;

/** libtrace.bpf.c's LARG_* and LRET_*. */
const LARG = { str: 1, buf: 2, maybeStr: 3, bufProduct: 4 } as const;

/** The kernel's row for one function (struct libfunc): what to read at its entry and return. */
export function encodeLibFunc(fn: LibFunction | undefined): Buffer {
  const row = Buffer.alloc(16);
  if (!fn) return row;
  fn.args.forEach((a, i) => {
    if (i >= 6) return;
    if (a.kind === 'str' || a.kind === 'fmt') row[i] = LARG.str;
    else if (a.kind === 'buf' && a.lengthFrom) {
      row[i] = a.lengthFrom.length > 1 ? LARG.bufProduct : LARG.buf;
      row[6 + i] = a.lengthFrom[0]!;
    }
  });
  if (fn.variadic && fn.args.some((a) => a.kind === 'fmt')) {
    for (let i = fn.args.length; i < 6; i++) row[i] = LARG.maybeStr;
    row[13] = STACK_WORDS;
  }
  row[12] = fn.ret === 'str' ? 1 : 0;
  return row;
}

export interface LibTraceOptions {
  /** The SPECs as given (--lib, several allowed, each `;`-separated). */
  specs: string[];
  command?: string[];
  /** The executable of `command` (resolved on PATH). */
  executable?: string;
  pid?: number;
  /** -f: children too (then the probes are on in every process, filtered in kernel). */
  follow: boolean;
  /** Syscall numbers to show (-e trace=SET); undefined = all. */
  filter?: number[];
  strsize: number;
  /** -c: count calls and time per function in kernel; no stream. */
  countOnly: boolean;
  quietChild?: boolean;
  buffer?: number;
}

export interface LibCountRow {
  library: string;
  name: string;
  calls: number;
  /** Time from entry to return, summed (a call's nested calls are inside it). */
  seconds: number;
}

export interface LibTraceResult {
  why: StopReason;
  status: number;
  lost: number;
  functions: LibCountRow[];
  syscalls: CountRow[];
}

export interface LibTraceHandle {
  /** The functions probed, indexed as the records' `fn`. */
  functions: ProbedFunction[];
  /** IFUNCs that were not probed (their implementation could not be found). */
  skippedIfuncs: string[];
  /** Functions the kernel would not probe (LIBRARY:NAME). */
  refused: string[];
  done: Promise<LibTraceResult>;
  stop(): void;
}

/** Decodes one record of libtrace.bpf.c: a library entry or return, or trace.bpf.c's. */
export function decodeLibRecord(b: Buffer, strsize: number): (EngineRecord | LibRecord)[] {
  const kind = b.readUInt32LE(0);
  if (kind !== EV_LIBENTER && kind !== EV_LIBRETURN) return decodeCall(b, strsize);
  const tid = b.readUInt32LE(4);
  const pid = b.readUInt32LE(8);
  const fn = b.readUInt32LE(12);
  const enterRaw = b.readBigUInt64LE(16);
  const exitRaw = b.readBigUInt64LE(24);
  const ret = b.readBigInt64LE(32);
  const args: bigint[] = [];
  for (let i = 0; i < 6; i++) args.push(b.readBigUInt64LE(40 + i * 8));
  const caps = readCaptures(b, b.readUInt32LE(88), strsize);
  if (kind === EV_LIBENTER)
    return [
      {
        type: 'libenter',
        tid,
        pid,
        fn,
        timeNs: enterRaw + EPOCH_OFFSET_NS,
        depth: Number(ret),
        args,
        captures: caps.enter,
      },
    ];
  return [
    {
      type: 'libreturn',
      tid,
      pid,
      fn,
      timeNs: exitRaw + EPOCH_OFFSET_NS,
      enterNs: enterRaw === 0n ? null : enterRaw + EPOCH_OFFSET_NS,
      ret,
      depth: Number(args[0]!),
      captures: caps.exit,
    },
  ];
}

/** The objects the target loads and the probe sites of the SPECs in them (UserError, exit 2). */
function sitesFor(opts: LibTraceOptions): { sites: ProbeSite[]; skippedIfuncs: string[] } {
  let items;
  try {
    items = parseLibSpec(opts.specs);
  } catch (err) {
    if (err instanceof LibSpecError)
      throw new UserError(`trace --lib: ${escapeForTerminal(err.message)}`, ExitCode.usage);
    throw err;
  }
  const objects = opts.pid !== undefined ? processObjects(opts.pid) : commandObjects(opts.executable!);
  const program = opts.pid !== undefined ? `process ${opts.pid}` : opts.command![0]!;
  const r = resolveSpec(items, objects, program);
  if (r.sites.length > MAX_FUNCS)
    throw new UserError(
      `trace --lib: ${r.sites.length} functions match; at most ${MAX_FUNCS} can be probed`,
      ExitCode.usage,
    );
  return r;
}

/**
 * Linux 6.11+ returns from a uretprobe'd function through a syscall of its own (uretprobe,
 * 335 on x86-64): the probe's machinery, not the program's, so it is never shown or counted.
 */
const SYS_URETPROBE = 335;
const MAX_NR = 512;

/** The syscalls to show: -e's set, or all; never the uretprobe trampoline's. */
function shownSyscalls(filter: number[] | undefined): number[] {
  return (filter ?? Array.from({ length: MAX_NR }, (_, nr) => nr)).filter((nr) => nr !== SYS_URETPROBE);
}

const SYSCALL_PROGRAMS = ['trace_enter', 'trace_exit', 'trace_exec', 'trace_task_exit', 'trace_signal'];
const LIB_PROGRAMS = ['lib_enter', 'lib_return'];

/**
 * Resolves the SPECs (before anything is spawned: a bad SPEC runs nothing), starts the target
 * held at its gate, loads and attaches, then streams records to `onRecords` until the command
 * exits or stop(). Everything BPF is released before `done` resolves.
 */
export async function startLibTrace(
  opts: LibTraceOptions,
  /** Called once the functions are known (before any record): returns where records go. */
  sink: (functions: ProbedFunction[]) => (records: (EngineRecord | LibRecord)[]) => void,
): Promise<LibTraceHandle> {
  const { sites, skippedIfuncs } = sitesFor(opts);
  const functions: ProbedFunction[] = sites.map((s) => ({
    library: s.library,
    name: s.name,
    proto: libFunction(s.name),
  }));
  const onRecords = sink(functions);
  const target: Target = await resolveTarget(
    opts.pid !== undefined ? { pid: String(opts.pid) } : {},
    opts.command ?? [],
    0,
    Boolean(opts.quietChild),
  );
  target.filter.followChildren = opts.follow;
  const refused: string[] = [];
  const session = openFor(target, () => {
    const flags = FILTER_SYSCALLS | (opts.countOnly ? LIB_COUNT_ONLY : 0);
    const s = new BpfSession('libtrace', {
      filter: { ...target.filter, flags, strsize: opts.strsize },
      programs: opts.countOnly ? LIB_PROGRAMS : [...SYSCALL_PROGRAMS, ...LIB_PROGRAMS],
      manual: LIB_PROGRAMS,
      expectedAttachType: multiLinks()
        ? Object.fromEntries(LIB_PROGRAMS.map((p) => [p, BPF_TRACE_UPROBE_MULTI]))
        : undefined,
      maxEntries: { events: opts.countOnly ? 4096 : (opts.buffer ?? DEFAULT_TRACE_BUFFER) },
    });
    try {
      if (!opts.countOnly) fillTables(s, shownSyscalls(opts.filter));
      refused.push(...attachAll(s, sites, functions, opts.follow ? -1 : target.followPid!));
    } catch (err) {
      s.close();
      throw err;
    }
    return s;
  });
  const ring = opts.countOnly
    ? undefined
    : session.streamRing('events', (data) => onRecords(decodeLibRecord(data, opts.strsize)));
  const loss = new LossReporter(session, 'trace', opts.countOnly);
  let stop: () => void = () => undefined;
  const stopped = new Promise<StopReason>((r) => (stop = () => r('interrupted')));
  const ends = [runSession(session, target, {}), stopped];
  let watch: NodeJS.Timeout | undefined;
  // -p: the trace ends with the process (as the ptrace engine's does).
  if (opts.pid !== undefined) {
    const pid = opts.pid;
    ends.push(new Promise<StopReason>((r) => (watch = setInterval(() => gone(pid) && r('command-exited'), 100))));
  }
  const done = Promise.race(ends).then(async (why) => {
    clearInterval(watch);
    endTarget(target, why);
    await ring?.stop();
    const lost = loss.stop();
    const rows = libCounts(session, functions);
    const syscalls = opts.countOnly ? [] : kernelCounts(session, new Set(shownSyscalls(opts.filter)));
    session.close();
    return { why, status: exitStatus(target, why), lost, functions: rows, syscalls };
  });
  return { functions, skippedIfuncs, refused, done, stop: () => stop() };
}

/** Whether the process is gone (a zombie counts as gone: it runs no code any more). */
function gone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return true;
  }
}

/**
 * uprobe_multi links (one per file and kind, removed in one grace period): Linux 6.6+.
 * OSLENS_UPROBE_MULTI=0 uses one perf-event link per probe instead (what older kernels get).
 */
function multiLinks(): boolean {
  if (process.env.OSLENS_UPROBE_MULTI === '0') return false;
  const k = kernelVersion();
  return k.major > 6 || (k.major === 6 && k.minor >= 6);
}

/**
 * Fills `libfuncs` and attaches the entry and return programs to every site; returns the
 * functions the kernel cannot probe (their first instruction is one uprobes refuse).
 */
function attachAll(s: BpfSession, sites: ProbeSite[], functions: ProbedFunction[], pid: number): string[] {
  const l = libbpf();
  const table = s.mapFd('libfuncs');
  const key = Buffer.alloc(4);
  sites.forEach((_, fn) => {
    key.writeUInt32LE(fn);
    l.bpf_map_update_elem(table, key, encodeLibFunc(functions[fn]!.proto), 0);
  });
  const refused = new Set<number>();
  if (multiLinks()) {
    const byFile = new Map<string, number[]>();
    sites.forEach((site, fn) => byFile.set(site.hostPath, [...(byFile.get(site.hostPath) ?? []), fn]));
    for (const [path, fns] of byFile) {
      const offsets = fns.map((fn) => sites[fn]!.offset);
      for (const [prog, ret] of [
        ['lib_enter', false],
        ['lib_return', true],
      ] as const) {
        for (const off of s.attachUprobeMulti(prog, pid, path, offsets, fns, ret))
          for (const fn of fns) if (sites[fn]!.offset === off) refused.add(fn);
      }
    }
  } else {
    sites.forEach((site, fn) => {
      try {
        s.attachUprobe('lib_enter', pid, site.hostPath, site.offset, fn, false);
        s.attachUprobe('lib_return', pid, site.hostPath, site.offset, fn, true);
      } catch (err) {
        if (!(err instanceof UserError) || !err.message.includes('errno 524')) throw err;
        refused.add(fn);
      }
    });
  }
  return [...refused].map((fn) => `${basename(sites[fn]!.library)}:${sites[fn]!.name}`);
}

/** Calls and time per function, counted in kernel; by time, then calls, descending. */
function libCounts(session: BpfSession, functions: ProbedFunction[]): LibCountRow[] {
  const rows: LibCountRow[] = [];
  for (const { key, values } of session.percpuEntries('libcounts', 4, 16)) {
    const fn = key.readUInt32LE(0);
    let calls = 0n,
      ns = 0n;
    for (const v of values) {
      calls += v.readBigUInt64LE(0);
      ns += v.readBigUInt64LE(8);
    }
    const f = functions[fn];
    if (calls === 0n || !f) continue;
    rows.push({ library: f.library, name: f.name, calls: Number(calls), seconds: Number(ns) / 1e9 });
  }
  return rows.sort((a, b) => b.seconds - a.seconds || b.calls - a.calls || a.name.localeCompare(b.name));
}
