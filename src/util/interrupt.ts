/**
 * The exit-code rule every command follows (README "Exit codes"): the quit key (q) ends with 0;
 * Ctrl-C (SIGINT, or the Ctrl-C key of a dashboard, which reads it raw) with 130; SIGTERM and
 * SIGHUP with 128 + the signal; a command that oslens ran (time, trace) with that command's
 * status, or 128 + the signal that killed it. A command that stops cleanly on a signal notes
 * it here; main() turns a normal return into 128 + that signal.
 */
import { constants } from 'node:os';

let first: NodeJS.Signals | null = null;

/** Records that `sig` ended (or is ending) the command; the first one counts. */
export function noteSignal(sig: NodeJS.Signals): void {
  first ??= sig;
}

/** 128 + the noted signal (130 for SIGINT), or null when none was noted. */
export function signalExitCode(): number | null {
  return first === null ? null : 128 + (constants.signals[first] ?? 0);
}
