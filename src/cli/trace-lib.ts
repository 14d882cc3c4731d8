/**
 * The `--lib` branch of `oslens trace` (src/cli/trace.ts owns the command): library calls
 * (uprobes) with the syscalls they make nested under them, as text or JSON Lines; `-c` the
 * calls and time per function, counted in kernel. eBPF only (needs root, exit 5 without).
 */
import { requireBpf } from '../ebpf/caps.js';
import { closeAllSessions } from '../ebpf/loader.js';
import { installSignalHandlers } from '../ebpf/target.js';
import { startLibTrace, type LibCountRow, type LibTraceResult } from '../ebpf/libtrace.js';
import { DEFAULT_TRACE_BUFFER } from '../ebpf/trace.js';
import { renderOptions } from '../trace/render.js';
import { LibTraceRenderer } from '../trace/lib/render.js';
import { libbpfLog } from '../native/libbpf.js';
import { parseBufferSize } from './ebpf-common.js';
import { escapeForTerminal } from '../util/terminal.js';
import { openTraceOutput } from './trace-output.js';
import type { EbpfTraceFlags } from './trace-ebpf.js';

export interface LibTraceFlags extends EbpfTraceFlags {
  lib: string[];
  verbose?: boolean;
}

export async function traceLib(
  command: string[],
  executable: string | undefined,
  pids: number[] | undefined,
  filter: number[] | undefined,
  strsize: number,
  flags: LibTraceFlags,
): Promise<number> {
  requireBpf('trace --lib');
  installSignalHandlers();
  try {
    return await run(command, executable, pids, filter, strsize, flags);
  } catch (err) {
    if (flags.verbose && libbpfLog().length > 0) process.stderr.write(`${libbpfLog().join('\n')}\n`);
    throw err;
  } finally {
    closeAllSessions();
  }
}

/** ltrace -c's table: by time, the total under a rule. Time is from entry to return. */
export function renderLibSummary(rows: readonly LibCountRow[]): string {
  const total = rows.reduce((s, r) => ({ seconds: s.seconds + r.seconds, calls: s.calls + r.calls }), {
    seconds: 0,
    calls: 0,
  });
  const rule = '------ ----------- ----------- --------- --------------------';
  const line = (pct: number, s: number, calls: number, name: string, perCall = true) =>
    `${pct.toFixed(2).padStart(6)} ${s.toFixed(6).padStart(11)} ${(perCall && calls ? String(Math.floor((s * 1e6) / calls)) : '').padStart(11)} ${String(calls).padStart(9)} ${name}`;
  const out = ['% time     seconds  usecs/call     calls function', rule];
  for (const r of rows)
    out.push(
      line(total.seconds ? (100 * r.seconds) / total.seconds : 0, r.seconds, r.calls, escapeForTerminal(r.name)),
    );
  out.push(rule, line(100, total.seconds, total.calls, 'total', false));
  return out.join('\n') + '\n';
}

async function run(
  command: string[],
  executable: string | undefined,
  pids: number[] | undefined,
  filter: number[] | undefined,
  strsize: number,
  flags: LibTraceFlags,
): Promise<number> {
  const json = Boolean(flags.json);
  const countOnly = Boolean(flags.summary && !flags.summaryAndLines);
  const buffer = parseBufferSize(flags.buffer, DEFAULT_TRACE_BUFFER);
  const output = await openTraceOutput(flags);
  const handle = await startLibTrace(
    {
      specs: flags.lib,
      command,
      executable,
      pid: pids?.[0],
      follow: Boolean(flags.follow),
      filter,
      strsize,
      countOnly,
      quietChild: json && !flags.output,
      buffer,
    },
    (functions) => {
      const renderer = new LibTraceRenderer(renderOptions(flags, json, !countOnly), functions);
      return (records) => {
        for (const r of records) output.write(renderer.push(r));
      };
    },
  );
  // As ptrace's "Process N attached": the probes are in and the process's calls are being read.
  if (pids && !json) process.stderr.write(`oslens: Process ${pids[0]} attached (eBPF)\n`);
  if (handle.refused.length > 0)
    process.stderr.write(
      `oslens: not traced (the kernel cannot probe their first instruction): ${escapeForTerminal(handle.refused.join(', '))}\n`,
    );
  if (handle.skippedIfuncs.length > 0)
    process.stderr.write(
      `oslens: not traced (IFUNCs whose implementation oslens cannot find): ${escapeForTerminal(handle.skippedIfuncs.join(', '))}\n`,
    );
  const result: LibTraceResult = await handle.done;
  if (json) {
    output.write([
      {
        type: 'summary',
        functions: result.functions,
        syscalls: result.syscalls.map(({ name, calls, errors, seconds }) => ({ name, calls, errors, seconds })),
        lost: result.lost,
      },
    ]);
  } else if (flags.summary || flags.summaryAndLines) {
    process.stderr.write(renderLibSummary(result.functions));
  }
  await output.close();
  return result.status;
}
