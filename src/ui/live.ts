/**
 * What every live view shares outside the terminal: the common flags (-d, --once, --json,
 * --bench), the choice between the dashboard and plain text, and the sampling loop.
 */
import { noteSignal } from '../util/interrupt.js';
import type { Command } from 'commander';
import { ExitCode, UserError } from '../util/errors.js';
import { defaultBenchFile, loadSavedBench, type SavedBench } from './collect/lens.js';

export interface LiveFlags {
  delay: string;
  once?: boolean;
  json?: boolean;
  bench?: string;
  /** Force plain text even on a terminal (commander: --no-tui). */
  tui: boolean;
}

export interface LiveOptions {
  intervalMs: number;
  once: boolean;
  json: boolean;
  /** Draw the blessed dashboard (a TTY, not --once/--json/--no-tui). */
  dashboard: boolean;
  bench: SavedBench | null;
}

/** Adds -d/--once/--json/--bench/--no-tui to a live command. */
export function addLiveOptions(cmd: Command, defaultDelay = '1'): Command {
  return cmd
    .option('-d, --delay <seconds>', 'refresh interval in seconds, like top (e.g. 0.5, 2)', defaultDelay)
    .option('--once', 'print one snapshot (after one interval, so rates are real) and exit')
    .option('--json', 'stream one JSON record per refresh (JSON Lines)')
    .option(
      '--bench <file>',
      'saved bench run the lens quotes measured figures from (default ~/.oslens/last-bench.json)',
    )
    .option('--no-tui', 'print plain periodic text lines even on a terminal');
}

export function parseDelay(text: string): number {
  const s = Number(text);
  if (!Number.isFinite(s) || s < 0.1 || s > 3600) {
    throw new UserError(`-d ${text}: the refresh interval is seconds between 0.1 and 3600`, ExitCode.usage);
  }
  return Math.round(s * 1000);
}

/**
 * True when stdin and stdout are a terminal that can draw one: TERM=dumb (Emacs shells, some CI
 * logs) or no TERM cannot move the cursor, and blessed would write garbage: plain lines instead.
 */
export function canDrawDashboard(env: NodeJS.ProcessEnv = process.env): boolean {
  const term = env.TERM ?? '';
  return Boolean(process.stdout.isTTY) && Boolean(process.stdin.isTTY) && term !== '' && term !== 'dumb';
}

export function liveOptions(flags: LiveFlags): LiveOptions {
  const intervalMs = parseDelay(flags.delay);
  const once = Boolean(flags.once);
  const json = Boolean(flags.json);
  let bench: SavedBench | null;
  if (flags.bench) {
    bench = loadSavedBench(flags.bench);
    if (!bench)
      throw new UserError(`--bench ${flags.bench}: not a saved oslens bench run (make one with bench --save)`);
  } else bench = loadSavedBench(defaultBenchFile());
  const dashboard = canDrawDashboard() && !once && !json && flags.tui;
  return { intervalMs, once, json, dashboard, bench };
}

/**
 * Calls tick() every intervalMs (the first after one interval: rates need two samples), until
 * stop() is called or SIGINT/SIGTERM arrives. Resolves when stopped.
 */
export function sampleLoop(intervalMs: number, tick: () => boolean | void): { stop: () => void; done: Promise<void> } {
  let timer: NodeJS.Timeout | undefined;
  let resolveDone: () => void = () => {};
  const done = new Promise<void>((r) => (resolveDone = r));
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    if (timer) clearTimeout(timer);
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
    resolveDone();
  };
  // Stopped by a signal: the command then exits 128 + it (util/interrupt.ts).
  const onSigint = () => (noteSignal('SIGINT'), stop());
  const onSigterm = () => (noteSignal('SIGTERM'), stop());
  const schedule = () => {
    timer = setTimeout(() => {
      if (stopped) return;
      // tick returns false to stop (e.g. the watched process exited and there is nothing more).
      if (tick() === false) stop();
      else if (!stopped) schedule();
    }, intervalMs);
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  schedule();
  return { stop, done };
}
