/** Running native/demos/demohelper.c and the scratch space the demos share. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BUILD_DIR } from '../native/addon.js';
import { UserError } from '../util/errors.js';
import { noteSignal } from '../util/interrupt.js';
import type { Cleanup } from './cleanup.js';

export const HELPER = resolve(BUILD_DIR, 'oslens-demohelper');
/** Every file or directory a demo creates starts with this, so tests can look for leftovers. */
export const SCRATCH_PREFIX = 'oslens-demo-';

export function helperPath(): string {
  if (!existsSync(HELPER)) {
    throw new UserError(`the demo helper is not built (${HELPER}); run: npm run build:native`);
  }
  return HELPER;
}

/** `key=value` lines into a record; numbers where they parse. */
export function parseKeyValues(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

export function num(kv: Record<string, string>, key: string): number {
  const v = Number(kv[key]);
  if (kv[key] === undefined || !Number.isFinite(v)) {
    throw new Error(`demo helper did not report ${key}${kv.error ? ` (${kv.error})` : ''}`);
  }
  return v;
}

export interface HelperRun {
  kv: Record<string, string>;
  stdout: string;
  status: number | null;
  signal: NodeJS.Signals | null;
}

/** Runs the helper to completion (it dies with us: PR_SET_PDEATHSIG). */
export function runHelper(args: string[], timeoutMs = 60_000): HelperRun {
  const r = spawnSync(helperPath(), args, { encoding: 'utf8', timeout: timeoutMs });
  if (r.error) throw r.error;
  // Ctrl-C reached the helper too (the terminal signals the whole group). While spawnSync blocks,
  // our own SIGINT handler cannot run, and would run too late: the demo stops here, with 130.
  if (r.signal === 'SIGINT' || r.signal === 'SIGTERM') {
    noteSignal(r.signal);
    throw new UserError(`interrupted (${r.signal}): demo stopped, cleaned up`, r.signal === 'SIGINT' ? 130 : 143);
  }
  return { kv: parseKeyValues(r.stdout), stdout: r.stdout, status: r.status, signal: r.signal };
}

/** Starts the helper in the background; the cleanup kills it if it is still running. */
export function startHelper(args: string[], cleanup: Cleanup): ChildProcess {
  const child = spawn(helperPath(), args, { stdio: ['pipe', 'pipe', 'inherit'] });
  cleanup.add(`stop helper ${child.pid}`, () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return child;
}

/**
 * A scratch directory on a real disk: /var/tmp (disk-backed on most systems, unlike /tmp
 * which may be tmpfs), else the OS temp dir. Removed by the cleanup.
 */
export function scratchDir(cleanup: Cleanup): string {
  const base = existsSync('/var/tmp') ? '/var/tmp' : tmpdir();
  const dir = mkdtempSync(join(base, SCRATCH_PREFIX));
  cleanup.add(`remove ${dir}`, () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function round(x: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
