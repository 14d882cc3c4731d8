/**
 * What top does to a process: send it a signal (k), change its nice value ([ ]). Each returns one
 * line saying what happened or, when the kernel refused, what refused and why.
 */
import { getPriority, setPriority } from 'node:os';

/** The signals top's menu offers, most used first (numbers as on x86-64 and arm64 Linux). */
export const SIGNAL_MENU: readonly { name: NodeJS.Signals; number: number; what: string }[] = [
  { name: 'SIGTERM', number: 15, what: 'ask it to end' },
  { name: 'SIGKILL', number: 9, what: 'end it now (cannot be caught)' },
  { name: 'SIGINT', number: 2, what: 'as Ctrl-C' },
  { name: 'SIGHUP', number: 1, what: 'terminal hung up (reload, for daemons)' },
  { name: 'SIGQUIT', number: 3, what: 'quit with a core dump' },
  { name: 'SIGSTOP', number: 19, what: 'stop it (cannot be caught)' },
  { name: 'SIGCONT', number: 18, what: 'let a stopped process run again' },
  { name: 'SIGUSR1', number: 10, what: 'user signal 1' },
  { name: 'SIGUSR2', number: 12, what: 'user signal 2' },
];

export interface ControlResult {
  ok: boolean;
  message: string;
}

function refusal(err: unknown, what: string): ControlResult {
  // os.setPriority throws ERR_SYSTEM_ERROR with the errno's name in info.code.
  const e = err as NodeJS.ErrnoException & { info?: { code?: string } };
  const code = e.info?.code ?? e.code ?? '';
  const why: Record<string, string> = {
    EPERM: 'not permitted: it belongs to another user (needs root or CAP_KILL)',
    ESRCH: 'no such process (it has exited)',
    EACCES: 'not permitted: lowering nice needs root or CAP_SYS_NICE',
  };
  return { ok: false, message: `${what}: ${why[code] ?? (err instanceof Error ? err.message : String(err))}` };
}

/** Sends `signal` to `pid`. */
export function sendSignal(pid: number, signal: NodeJS.Signals, label = String(pid)): ControlResult {
  const what = `${signal} to ${label}`;
  try {
    process.kill(pid, signal);
    return { ok: true, message: `sent ${what}` };
  } catch (err) {
    return refusal(err, `cannot send ${what}`);
  }
}

/** Changes `pid`'s nice value by `delta` (within -20..19); the message gives the new value. */
export function renice(pid: number, delta: number, label = String(pid)): ControlResult {
  let now: number;
  try {
    now = getPriority(pid);
  } catch (err) {
    return refusal(err, `cannot renice ${label}`);
  }
  const to = Math.max(-20, Math.min(19, now + delta));
  if (to === now) return { ok: false, message: `${label} is already at nice ${now} (the limit)` };
  try {
    setPriority(pid, to);
    return { ok: true, message: `${label}: nice ${now} -> ${to}` };
  } catch (err) {
    // setpriority(2): EACCES for a lower nice without CAP_SYS_NICE, EPERM for another user's process.
    return refusal(err, `cannot renice ${label} to ${to}`);
  }
}
