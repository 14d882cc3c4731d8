/**
 * The only place that loads the native addon (build/Release/oslens.node, built by node-gyp on
 * `npm install`). Its functions are typed here; everything else imports them from this module.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { UserError } from '../util/errors.js';
import { PACKAGE_ROOT } from '../util/package.js';

export const BUILD_DIR = resolve(PACKAGE_ROOT, 'build/Release');

/** What the C harness returns for one benchmark: one figure per batch. */
export interface RawBenchResult {
  nsPerOp: number[];
  /** Per-batch overhead the benchmark measured and subtracted (ns/op), 0 when none. */
  auxPerOp: number[];
  opsPerBatch: number;
  pinnedCpu: number;
  /** Per batch: ns the thread waited runnable for the CPU during it (schedstat run_delay; -1
   * without schedstat). */
  waitedNs: number[];
  skipped: string | null;
  /** What the run used or saw (the huge page kind, a wakeup distribution), null when nothing. */
  note?: string | null;
}

export interface RawBenchOptions {
  cpu: number;
  quick: boolean;
  batches: number;
  targetBatchNs: number;
  heapBytes: number;
  l1Bytes: number;
  l2Bytes: number;
  llcBytes: number;
  tmpdir: string;
  helperPath: string;
}

/** Options of the ptrace engine (native/ptrace/tracer.h); records are decoded by src/trace/records.ts. */
export interface RawTraceOptions {
  /** Spawn: the resolved executable, its argv and environment (Buffers pass bytes exactly). */
  path?: string | Buffer;
  argv?: (string | Buffer)[];
  env?: (string | Buffer)[];
  /** Spawn: what oslens's caller gave it (src/util/caller.ts), for the command to get the same. */
  keepFds?: number[];
  stdioNonblock?: (boolean | null)[];
  /** Copies of the caller's fds 0-2 that bin/oslens kept (null: none). */
  savedStdio?: (number | null)[];
  /** SigIgn / SigBlk masks in /proc/PID/status hex. */
  sigIgnored?: string;
  sigBlocked?: string;
  /** Attach: thread-group ids. */
  pids?: number[];
  follow: boolean;
  strsize: number;
  emitSyscalls: boolean;
  count: boolean;
  /** Wanted syscall numbers (a seccomp-bpf filter when spawning with follow); all when absent. */
  filter?: number[];
  /** What to read from tracee memory: 512 x 6 capture specs. */
  capture?: Uint32Array;
  spinUs?: number;
}

export interface RawTraceResult {
  rc: number;
  /** Wait status of the spawned command (-1 when attached). */
  status: number;
  spawnedPid: number;
  seccomp: boolean;
  /** The signal oslens got, forwarded to the command, then detached (0 when none). */
  detachedOnSignal: number;
  error: string | null;
}

export interface Addon {
  benchIds(): string[];
  runBench(id: string, options: Omit<RawBenchOptions, 'quick'> & { quick: number }): Promise<RawBenchResult>;
  cancelBench(): void;
  /** Runs the tracer on its own thread: callback(batch) per batch of records, then callback(null, result). */
  traceStart(options: RawTraceOptions, callback: (batch: Buffer | null, result?: RawTraceResult) => void): void;
  /** 'signal': oslens got `signal` (forwarded unless the command got it too); 'wake': wake only. */
  traceStop(how: 'detach' | 'kill' | 'signal' | 'wake', signal?: number): void;
  /** One pread at offset 0 per fd into slot i of buf (slot bytes each); lens[i] = bytes or -errno. */
  preadMany(fds: Int32Array, buf: Buffer, slot: number, lens: Int32Array): void;
  /**
   * Drains the BPF ring buffer behind mapFd on a native thread (native/ebpf/ringdrain.cc):
   * callback(batch) per batch of records in the kernel's framing, then callback(null) after
   * ringDrainStop. At most maxQueued bytes wait for JS; the rest stays in the kernel ring.
   */
  ringDrainStart(
    mapFd: number,
    size: number,
    everyMs: number,
    maxQueued: number,
    callback: (batch: Buffer | null) => void,
  ): number;
  ringDrainStop(id: number): void;
}

let cached: Addon | undefined;

export function loadAddon(): Addon {
  if (cached) return cached;
  const path = resolve(BUILD_DIR, 'oslens.node');
  if (!existsSync(path)) {
    throw new UserError('the native addon is not built; run `npm install` (or `npm run build:native`)');
  }
  cached = createRequire(import.meta.url)(path) as Addon;
  return cached;
}
