/** Shared test plumbing: how to run the built CLI, and the CI rule that a skip is a failure. */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
export const OSLENS = resolve(ROOT, 'bin/oslens');
export const IN_CI = process.env.CI === 'true';

/** Whether `node` on PATH is found (bin/oslens execs it by name, as a user's shell would). */
function nodeOnPath(path: string | undefined): boolean {
  return (path ?? '').split(':').some((d) => d !== '' && existsSync(join(d, 'node')));
}

/**
 * Runs `oslens ARGS` to completion: the launcher bin/oslens through its shebang, as a user
 * would (its sh records the descriptors, signals and environment oslens got; `viaNode` runs
 * `node bin/oslens` instead, which bypasses that). PATH gains node's folder only if it has
 * no `node`, since the traced command sees PATH too.
 */
export function oslens(
  args: string[],
  opts: {
    timeout?: number;
    env?: NodeJS.ProcessEnv;
    cwd?: string;
    viaNode?: boolean;
    stdio?: 'pipe' | 'ignore';
  } = {},
): SpawnSyncReturns<string> {
  const env = { ...process.env, ...opts.env };
  if (!opts.viaNode && !nodeOnPath(env.PATH)) env.PATH = `${dirname(process.execPath)}:${env.PATH ?? ''}`;
  const [file, argv] = opts.viaNode ? [process.execPath, [OSLENS, ...args]] : [OSLENS, args];
  return spawnSync(file, argv, {
    encoding: 'utf8',
    cwd: opts.cwd,
    timeout: opts.timeout ?? 120_000,
    env,
    stdio: opts.stdio ?? 'pipe',
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
