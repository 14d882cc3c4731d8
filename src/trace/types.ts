/**
 * The records of syscall tracing, shared by the ptrace tracer (src/trace), the eBPF tracer
 * (src/ebpf), every view and every exporter. `--json` of `oslens trace` prints exactly these
 * (JSON Lines), so field names are a stable contract (README: "trace --json").
 */
import type { ModelId } from '../lessons/types.js';

/** One decoded argument: its name, its decoded text as strace would show it, and the raw value. */
export interface DecodedArg {
  name: string;
  /** strace-style rendering, e.g. `"/etc/passwd"`, `O_RDONLY|O_CLOEXEC`, `3</etc/passwd>`. */
  text: string;
  /** Structured value where one exists (path string, flag names, struct fields). */
  value?: unknown;
}

export interface SyscallEvent {
  type: 'syscall';
  tid: number;
  /** The thread group id of tid: the process (its pid). */
  pid: number;
  name: string;
  nr: number;
  args: DecodedArg[];
  /** Raw register values as unsigned 64-bit decimal strings (JSON has no u64). */
  raw: string[];
  /** Return value as a signed number (null when the call never returned, e.g. exit_group). */
  ret: number | null;
  /** Error name (ENOENT...) when ret is -errno, else null. */
  errno: string | null;
  /** Seconds since the epoch (floating point, µs resolution). */
  start: number;
  end: number | null;
  /** Seconds spent in the call. */
  duration: number | null;
  model: ModelId;
}

export interface ProcessEvent {
  type: 'exit' | 'signal' | 'exec';
  tid: number;
  /** The thread group id of tid: the process (its pid). */
  pid: number;
  time: number;
  /** exit: exit code, or the signal that killed it. */
  code?: number;
  signal?: string;
  /** exec: the new program: execve's path, and the argv it got. UTF-8 text; when that is not
   * the bytes exactly, pathBase64 / argvBase64 (every element) carry them (src/trace/bytes.ts). */
  path?: string;
  pathBase64?: string;
  argv?: string[];
  argvBase64?: string[];
}

export interface SyscallSummaryRow {
  name: string;
  calls: number;
  errors: number;
  /** Wall time inside the calls. */
  seconds: number;
  /** ptrace engine: the process's system CPU time across the calls (strace -c's measure). */
  systemSeconds?: number;
}

export interface TraceSummary {
  type: 'summary';
  syscalls: SyscallSummaryRow[];
  /** Records the engine could not deliver (trace --ebpf: its ring buffer was full); ptrace: 0. */
  lost: number;
}

export type TraceRecord = SyscallEvent | ProcessEvent | TraceSummary;
