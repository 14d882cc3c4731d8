/**
 * oslens run as user nobody (65534), as root's tests need for "permission denied" cases. The
 * checkout may sit where nobody cannot enter (a clone under /root, a 0700 temp dir): what oslens
 * needs to run is copied once per test file into a world-readable temp dir, and run from there
 * (with node itself copied too if nobody cannot execute it where it is).
 */
import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { accessSync, chmodSync, constants, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { ROOT } from './env.js';

export const NOBODY = ['--reuid=65534', '--regid=65534', '--clear-groups'];
/** What oslens reads at run time, relative to the package root. */
const NEEDED = ['bin', 'dist', 'lessons', 'schemas', 'package.json', 'native/bpf', 'build/Release', 'node_modules'];

let copy: { dir: string; node: string; oslens: string } | undefined;

afterAll(() => {
  if (copy) rmSync(copy.dir, { recursive: true, force: true });
  copy = undefined;
});

const canRun = (node: string) => spawnSync('setpriv', [...NOBODY, node, '-e', '0'], { cwd: '/' }).status === 0;

function prepare(): { dir: string; node: string; oslens: string } {
  if (copy) return copy;
  const dir = mkdtempSync(join(tmpdir(), 'oslens-nobody-'));
  for (const p of NEEDED) {
    try {
      accessSync(join(ROOT, p));
    } catch {
      continue; // not built or not present (schemas): oslens does without
    }
    execFileSync('mkdir', ['-p', join(dir, p, '..')]);
    execFileSync('cp', ['-R', join(ROOT, p), join(dir, p)]);
  }
  execFileSync('chmod', ['-R', 'a+rX', dir]);
  chmodSync(dir, 0o755);
  let node = process.execPath;
  if (!canRun(node)) {
    node = join(dir, 'node');
    copyFileSync(process.execPath, node);
    chmodSync(node, 0o755);
  }
  accessSync(node, constants.X_OK);
  copy = { dir, node, oslens: join(dir, 'bin/oslens') };
  return copy;
}

/** The command line that runs `oslens ARGS` as nobody (for spawn or a tmux pane). */
export function nobodyCommand(args: string[], setprivExtra: string[] = []): string[] {
  const c = prepare();
  return ['setpriv', ...NOBODY, ...setprivExtra, c.node, c.oslens, ...args];
}

/** Runs `oslens ARGS` as nobody to completion, from / (the test's cwd may be closed to nobody). */
export function asNobody(args: string[], setprivExtra: string[] = []): SpawnSyncReturns<string> {
  const [cmd, ...rest] = nobodyCommand(args, setprivExtra);
  return spawnSync(cmd as string, rest, { encoding: 'utf8', cwd: '/', timeout: 60_000 });
}

/** Whether this test can switch to nobody at all (root, setpriv present). */
export function canSwitchToNobody(): boolean {
  return process.getuid?.() === 0 && spawnSync('setpriv', ['--version']).status === 0;
}
