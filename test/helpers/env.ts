/** Shared test plumbing: how to run the built CLI, and the CI rule that a skip is a failure. */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
export const OSLENS = resolve(ROOT, 'bin/oslens');
export const IN_CI = process.env.CI === 'true';

/** Runs `oslens ARGS` to completion (the built dist/, as a user would). */
export function oslens(
  args: string[],
  opts: { timeout?: number; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [OSLENS, ...args], {
    encoding: 'utf8',
    cwd: opts.cwd,
    timeout: opts.timeout ?? 120_000,
    env: { ...process.env, ...opts.env },
  });
}

/**
 * A capability this test needs is missing. On a user's machine the test skips (with the reason);
 * under CI=true a skip is a failure, because CI runs as root on a real kernel.
 */
export function skipUnlessCapable(skip: (note?: string) => void, reason: string): never {
  if (IN_CI) throw new Error(`would skip under CI, which must run everything: ${reason}`);
  skip(reason);
  throw new Error('unreachable');
}
