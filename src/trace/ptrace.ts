/** Runs the native ptrace engine and delivers its records as they arrive. */
import { loadAddon, type RawTraceOptions, type RawTraceResult } from '../native/addon.js';
import { parseRecords, type EngineRecord } from './records.js';

export type { RawTraceResult };

export interface TraceHandle {
  /** Resolves when every tracee is gone (exited, killed or detached). */
  done: Promise<RawTraceResult>;
  /** 'detach' leaves tracees running; 'kill' kills the spawned command. Safe to call repeatedly. */
  stop(how: 'detach' | 'kill'): void;
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
      // The engine may be between two waits when the wake-up arrives: ask again until it ends.
      if (!retry) retry = setInterval(() => addon.traceStop(how), 100);
    },
  };
}
