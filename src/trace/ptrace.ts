/** Runs the native ptrace engine and delivers its records as they arrive. */
import { loadAddon, type RawTraceOptions, type RawTraceResult } from '../native/addon.js';
import { parseRecords, type EngineRecord } from './records.js';

export type { RawTraceResult };

export interface TraceHandle {
  /** Resolves when every tracee is gone (exited, killed or detached). */
  done: Promise<RawTraceResult>;
  /** 'detach' leaves tracees running; 'kill' kills the spawned command. Safe to call repeatedly. */
  stop(how: 'detach' | 'kill'): void;
  /**
   * oslens got `signal`: if the command got it too (Ctrl-C), nothing (the command handles it and
   * the trace goes on); else it is forwarded to the command and every tracee is detached, as
   * strace does (with a -f seccomp filter the trace goes on; a second signal kills).
   */
  signal(signal: number): void;
}

export function startTrace(options: RawTraceOptions, onRecords: (records: EngineRecord[]) => void): TraceHandle {
  const addon = loadAddon();
  let retry: NodeJS.Timeout | undefined;
  const done = new Promise<RawTraceResult>((resolve) => {
    addon.traceStart(options, (batch, result) => {
      if (batch) onRecords(parseRecords(batch));
      else if (result) {
        if (retry) clearInterval(retry);
        resolve(result);
      }
    });
  });
  return {
    done,
    stop(how) {
      addon.traceStop(how);
      wakeUntilDone();
    },
    signal(signal) {
      addon.traceStop('signal', signal);
      wakeUntilDone();
    },
  };
  // The engine may be between two waits when the wake-up arrives: wake it again until it ends
  // (a request is handled once however often the engine is woken).
  function wakeUntilDone() {
    if (!retry) retry = setInterval(() => addon.traceStop('wake'), 100);
  }
}
