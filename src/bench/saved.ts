/**
 * The last bench run, remembered in ~/.oslens/last-bench.json so that the lessons and the
 * dashboards' lenses can quote what this machine measured next to the reference figures.
 * Runs of a few ids merge into the remembered run of the same host instead of replacing it.
 */
import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { ExitCode, UserError, errnoCode } from '../util/errors.js';
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

/**
 * What is wrong with `value` as a BenchRun (the fields the views read), or null when nothing is:
 * a report or a comparison of someone else's file must fail in one line, not deep in a view.
 */
export function benchRunProblem(value: unknown): string | null {
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const numOrNull = (v: unknown) => v === null || (typeof v === 'number' && Number.isFinite(v));
  if (!isObj(value)) return 'not a JSON object';
  const host = value.host;
  if (!isObj(host)) return 'no "host" object';
  for (const k of ['hostname', 'cpuModel', 'kernel', 'date'])
    if (typeof host[k] !== 'string') return `host.${k} is not a string`;
  if (!Array.isArray(value.results)) return 'no "results" array';
  for (const [i, r] of value.results.entries()) {
    if (!isObj(r)) return `results[${i}] is not an object`;
    for (const k of ['id', 'title', 'model', 'row', 'status'])
      if (typeof r[k] !== 'string') return `results[${i}].${k} is not a string`;
    for (const k of ['nsPerOp', 'p10', 'p90'])
      if (!numOrNull(r[k])) return `results[${i}].${k} is not a number or null`;
    const ref = r.reference;
    if (ref !== null && !(isObj(ref) && numOrNull(ref.lowNs) && numOrNull(ref.highNs)))
      return `results[${i}].reference is not {lowNs, highNs} or null`;
    if (!isObj(r.verdict) || typeof r.verdict.kind !== 'string') return `results[${i}].verdict has no kind`;
    if ('factor' in r.verdict && !numOrNull(r.verdict.factor)) return `results[${i}].verdict.factor is not a number`;
    if (r.noise !== undefined && r.noise !== null && !(isObj(r.noise) && typeof r.noise.noisy === 'boolean'))
      return `results[${i}].noise has no noisy flag`;
  }
  // Runs from before the noise checks have no "noise"; one that has it must say noisy or not.
  if (value.noise !== undefined && !(isObj(value.noise) && typeof value.noise.noisy === 'boolean'))
    return '"noise" has no noisy flag';
  if (value.ratios !== undefined && !Array.isArray(value.ratios)) return '"ratios" is not an array';
  for (const [i, q] of ((value.ratios as unknown[] | undefined) ?? []).entries()) {
    if (!isObj(q) || typeof q.row !== 'string' || typeof q.measured !== 'number' || !numOrNull(q.reference ?? null))
      return `ratios[${i}] has no row, measured figure and reference (a number or null)`;
  }
  if (value.notes !== undefined && !(Array.isArray(value.notes) && value.notes.every((n) => typeof n === 'string')))
    return '"notes" is not a list of strings';
  return null;
}

/**
 * Reads a run saved with `bench --save` (or the remembered one) for --compare and `oslens report`:
 * a missing file or one that is not a run is a one-line error, exit 2 (bad input).
 */
export function readRunFile(file: string): BenchRun {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UserError(`cannot read ${file}: ${errnoCode(err) ?? String(err)}`, ExitCode.usage);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UserError(
      `${file} is not a saved oslens bench run (not JSON; make one with bench --save)`,
      ExitCode.usage,
    );
  }
  const problem = benchRunProblem(value);
  if (problem)
    throw new UserError(
      `${file} is not a saved oslens bench run (${problem}; make one with bench --save)`,
      ExitCode.usage,
    );
  const run = value as BenchRun;
  return { ...run, ratios: run.ratios ?? [], notes: run.notes ?? [] };
}
