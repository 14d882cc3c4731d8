/**
 * The `--ebpf` branch of `oslens trace` (src/cli/trace.ts owns the command): the same lines, JSON
 * and -c table, from eBPF instead of ptrace. Lower overhead; the trade-offs are README's table
 * "trace and trace --ebpf". Records the ring buffer had no room for are counted in kernel and
 * reported ("trace: lost N events", `lost` in the JSON summary); the tables never miss them.
 */
import { DEFAULT_TRACE_BUFFER, countEbpf, startEbpfTrace } from '../ebpf/trace.js';
import { requireBpf } from '../ebpf/caps.js';
import { closeAllSessions } from '../ebpf/loader.js';
import { installSignalHandlers } from '../ebpf/target.js';
import { TraceRenderer, renderOptions } from '../trace/render.js';
import { parseBufferSize } from './ebpf-common.js';
import { openTraceOutput } from './trace-output.js';

export interface EbpfTraceFlags {
  follow?: boolean;
  summary?: boolean;
  summaryAndLines?: boolean;
  durations?: boolean;
  timestamps?: number;
  showPaths?: boolean;
  output?: string;
  json?: boolean;
  model?: boolean;
  buffer?: string;
}

export async function traceEbpf(
  command: string[],
  pids: number[] | undefined,
  filter: number[] | undefined,
  strsize: number,
  flags: EbpfTraceFlags,
): Promise<number> {
  requireBpf('trace --ebpf');
  installSignalHandlers();
  try {
    return await run(command, pids, filter, strsize, flags);
  } finally {
    closeAllSessions();
  }
}

async function run(
  command: string[],
  pids: number[] | undefined,
  filter: number[] | undefined,
  strsize: number,
  flags: EbpfTraceFlags,
): Promise<number> {
  const json = Boolean(flags.json);
  const buffer = parseBufferSize(flags.buffer, DEFAULT_TRACE_BUFFER);
  const output = await openTraceOutput(flags);
  const opts = {
    command,
    pids,
    follow: Boolean(flags.follow),
    filter,
    strsize,
    quietChild: json && !flags.output,
    buffer,
  };
  if (flags.summary && !flags.summaryAndLines) {
    // Counted in kernel: nothing crosses to user space per syscall.
    const { rows, status } = await countEbpf(opts);
    output.summary(rows, Boolean(flags.model), 0);
    await output.close();
    return status;
  }
  const renderer = new TraceRenderer(renderOptions(flags, json, true));
  const handle = await startEbpfTrace(opts, (records) => {
    for (const r of records) output.write(renderer.push(r));
  });
  // As ptrace's "Process N attached": the probes are in and the process's calls are being read.
  if (pids && !json) for (const pid of pids) process.stderr.write(`oslens: Process ${pid} attached (eBPF)\n`);
  // The table (-C, and the JSON summary) is counted in kernel: exact even when records were lost.
  const { rows, lost, status } = await handle.done;
  if (flags.summaryAndLines || json) output.summary(rows, Boolean(flags.model), lost);
  await output.close();
  return status;
}
