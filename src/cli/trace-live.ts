/**
 * The `--live` branch of `oslens trace` (src/cli/trace.ts owns the command): starts the ptrace
 * engine, or the eBPF one with --ebpf, and hands its records to the live view (src/ui/trace-live).
 * On the dashboard, a spawned command's stdin/stdout/stderr are /dev/null (through `sh -c 'exec
 * …'`, whose few syscalls before the exec are in the trace) so it cannot write over the screen.
 */
import { buildCaptureTable } from '../trace/decode.js';
import { startTrace } from '../trace/ptrace.js';
import { loadSavedBench, defaultBenchFile } from '../ui/collect/lens.js';
import { parseDelay } from '../ui/live.js';
import { runTraceLive, type LiveTracer } from '../ui/trace-live.js';
import { UserError } from '../util/errors.js';
import { rawCommand, rawEnvironment } from '../util/raw-args.js';
import { callerState } from './trace.js';

export interface TraceLiveFlags {
  follow?: boolean;
  ebpf?: boolean;
  delay?: string;
  tui?: boolean;
}

export async function traceLive(
  command: string[],
  path: string | Buffer | undefined,
  pids: number[] | undefined,
  filter: number[] | undefined,
  strsize: number,
  flags: TraceLiveFlags,
): Promise<number> {
  const intervalMs = parseDelay(flags.delay ?? '1');
  const dashboard = Boolean(process.stdout.isTTY) && Boolean(process.stdin.isTTY) && flags.tui !== false;
  const quiet = dashboard && command.length > 0;
  const raw = rawCommand(command);
  const argv = quiet ? ['sh', '-c', 'exec "$0" "$@" </dev/null >/dev/null 2>&1', ...raw] : raw;
  const title = pids ? `pid ${pids.join(',')}` : command.join(' ');
  let status = -1;
  let ebpfStatus: number | undefined;
  // q / Ctrl-C ends the trace on purpose: exit 0, not the status of the command we killed.
  let quit = false;
  const start = async (onRecords: Parameters<Parameters<typeof runTraceLive>[0]>[0]): Promise<LiveTracer> => {
    if (flags.ebpf) {
      const { requireBpf } = await import('../ebpf/caps.js');
      const { startEbpfTrace } = await import('../ebpf/trace.js');
      requireBpf('trace --ebpf --live');
      const h = await startEbpfTrace(
        // On the dashboard a "lost N events" line would tear the screen: the total is in the result.
        { command, pids, follow: Boolean(flags.follow), filter, strsize, quietChild: quiet, quietLoss: dashboard },
        onRecords,
      );
      const done = h.done.then((r) => {
        ebpfStatus = r.status;
        return r;
      });
      return {
        stop: () => {
          quit = true;
          h.stop();
        },
        done,
      };
    }
    const h = startTrace(
      {
        path: quiet ? '/bin/sh' : path,
        argv,
        env: rawEnvironment(),
        ...callerState(),
        pids,
        // the sh wrapper execs the command: follow is not needed for it
        follow: Boolean(flags.follow),
        strsize,
        emitSyscalls: true,
        count: false,
        filter,
        capture: buildCaptureTable(),
        spinUs: 20,
      },
      onRecords,
    );
    const done = h.done.then((r) => {
      if (r.rc !== 0) throw new UserError(r.error ?? 'tracing failed');
      status = r.status;
      return r;
    });
    return {
      stop: () => {
        quit = true;
        h.stop(pids ? 'detach' : 'kill');
      },
      done,
    };
  };
  try {
    await runTraceLive(start, {
      intervalMs,
      dashboard,
      bench: loadSavedBench(defaultBenchFile()),
      follow: Boolean(flags.follow),
      title,
    });
  } finally {
    if (flags.ebpf) (await import('../ebpf/loader.js')).closeAllSessions();
  }
  if (quit) return 0;
  if (ebpfStatus !== undefined) return ebpfStatus;
  if (status < 0) return 0;
  const sig = status & 0x7f;
  return sig === 0 ? (status >> 8) & 0xff : 128 + sig;
}
