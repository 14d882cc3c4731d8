/**
 * The `--ebpf` branch of `oslens trace` (src/cli/trace.ts owns the command): the same lines, JSON
 * and -c table, from eBPF instead of ptrace. Lower overhead; the trade-offs: arguments captured at
 * entry only (output buffers are shown as addresses), strings up to 255 bytes.
 */
import { countEbpf, startEbpfTrace } from '../ebpf/trace.js';
import { requireBpf } from '../ebpf/caps.js';
import { closeAllSessions } from '../ebpf/loader.js';
import { TraceRenderer, renderOptions } from '../trace/render.js';
import { syscallName } from '../trace/syscalls.js';
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
}

export async function traceEbpf(
  command: string[],
  pids: number[] | undefined,
  filter: number[] | undefined,
  strsize: number,
  flags: EbpfTraceFlags,
): Promise<number> {
  requireBpf('trace --ebpf');
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
  const output = await openTraceOutput(flags);
  const opts = { command, pids, follow: Boolean(flags.follow), filter, strsize, quietChild: json && !flags.output };
  if (flags.summary && !flags.summaryAndLines) {
    // Counted in kernel: nothing crosses to user space per syscall.
    const { rows } = await countEbpf(opts);
    output.summary(rows, Boolean(flags.model));
  } else {
    const renderer = new TraceRenderer(renderOptions(flags, json, true));
    // -C: lines and the table; the table is then counted here from the same records.
    const counts = new Map<string, { name: string; calls: number; errors: number; seconds: number }>();
    const entered = new Map<number, bigint>();
    const handle = await startEbpfTrace(opts, (records) => {
      for (const r of records) {
        if (flags.summaryAndLines && r.type === 'enter') entered.set(r.tid, r.timeNs);
        if (flags.summaryAndLines && r.type === 'exit') {
          const name = syscallName(r.nr);
          const row = counts.get(name) ?? { name, calls: 0, errors: 0, seconds: 0 };
          row.calls++;
          if (r.ret < 0n && r.ret >= -4095n) row.errors++;
          row.seconds += Number(r.timeNs - (entered.get(r.tid) ?? r.timeNs)) / 1e9;
          counts.set(name, row);
        }
        output.write(renderer.push(r));
      }
    });
    const onSignal = () => handle.stop();
    for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, onSignal);
    await handle.done;
    for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.off(s, onSignal);
    if (flags.summaryAndLines) {
      const rows = [...counts.values()].sort((a, b) => b.seconds - a.seconds);
      output.summary(rows, Boolean(flags.model));
    }
  }
  await output.close();
  return 0;
}
