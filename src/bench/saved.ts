/**
 * The last bench run, remembered in ~/.oslens/last-bench.json so that the lessons and the
 * dashboards' lenses can quote what this machine measured next to the reference figures.
 * Runs of a few ids merge into the remembered run of the same host instead of replacing it.
 */
import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { ownDirectory, writeFileReplacing } from '../util/files.js';
import type { BenchRun } from './types.js';

/** A saved bench run and where it was read from. */
export interface SavedBench {
  run: BenchRun;
  file: string;
  /** The run's date (host.date), or the file's mtime. */
  date: string;
}

/** Where every `oslens bench` run is remembered (OSLENS_HOME overrides ~/.oslens). */
export function defaultBenchFile(env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string {
  return join(env.OSLENS_HOME ?? join(home, '.oslens'), 'last-bench.json');
}

/** Reads a saved BenchRun (bench --save, or the remembered one); null when absent or not a run. */
export function loadSavedBench(file: string = defaultBenchFile()): SavedBench | null {
  try {
    const run = JSON.parse(readFileSync(file, 'utf8')) as BenchRun;
    if (!run || !Array.isArray(run.results) || !run.host) return null;
    return { run, file, date: run.host.date || statSync(file).mtime.toISOString() };
  } catch {
    return null;
  }
}

/**
 * Checks, before a run, that its directory can hold the remembered run: made if missing, and
 * refused (one line) when it is a symlink or another user's (root with a user's HOME).
 */
export function checkBenchHome(file: string = defaultBenchFile()): void {
  ownDirectory(dirname(file));
}

/**
 * Remembers a run (written through a temporary file renamed over the old one: a symlink planted
 * there is replaced, not followed); results of the same host's previous run that this one did not measure are kept. */
export function rememberRun(run: BenchRun, file: string = defaultBenchFile()): void {
  const previous = loadSavedBench(file)?.run;
  let merged = run;
  if (previous && previous.host.hostname === run.host.hostname && previous.host.cpuModel === run.host.cpuModel) {
    const fresh = new Set(run.results.filter((r) => r.status === 'measured').map((r) => r.id));
    const kept = previous.results.filter((r) => !fresh.has(r.id) && r.status === 'measured');
    merged = { ...run, results: [...run.results.filter((r) => fresh.has(r.id)), ...kept] };
  }
  checkBenchHome(file);
  writeFileReplacing(file, JSON.stringify(merged, null, 2) + '\n', 'remembering the run');
}

/** The measured figure for a benchmark id in a saved run, or null. */
export function measuredNs(saved: SavedBench | null, id: string): number | null {
  return saved?.run.results.find((r) => r.id === id && r.status === 'measured')?.nsPerOp ?? null;
}
