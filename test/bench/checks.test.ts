/**
 * bench checks what would fail or harm before it measures anything: a heap the machine cannot
 * hold (memcpy-large touches twice --heap: the OOM killer, not a figure), and an OSLENS_TMPDIR
 * that does not exist, is read-only or full (it used to be replaced by /var/tmp without a word).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { oslens, skipUnlessCapable } from '../helpers/env.js';

const home = mkdtempSync(join(tmpdir(), 'oslens-checks-'));
const mounts: string[] = [];
afterAll(() => {
  for (const m of mounts) spawnSync('umount', [m]);
  rmSync(home, { recursive: true, force: true });
});
const env = { OSLENS_HOME: join(home, '.oslens') };
const bench = (args: string[], extra: Record<string, string> = {}) =>
  oslens(['bench', '--quick', ...args], { env: { ...env, ...extra }, timeout: 60_000 });

/** A small tmpfs at a fresh directory (needs root), or null. */
function tmpfs(options: string): string | null {
  const dir = join(home, `mnt-${mounts.length}`);
  mkdirSync(dir);
  if (spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir]).status !== 0) return null;
  mounts.push(dir);
  return dir;
}

describe('bench: checked before the work', () => {
  it('--heap larger than the memory available: a usage error, nothing run', () => {
    const availableKb = Number(/MemAvailable:\s+(\d+)/.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1]);
    const heap = `${Math.ceil(availableKb / 2 ** 20)}G`; // twice this is more than available
    const r = bench(['--heap', heap, 'memcpy-large']);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(
      new RegExp(`^oslens: --heap ${heap}: the heap benchmarks would touch [\\d.]+ GiB but [\\d.]+ GiB is available`),
    );
    expect(existsSync(join(home, '.oslens', 'last-bench.json'))).toBe(false);
    // A benchmark that does not touch the heap is not held back by it.
    expect(bench(['--heap', heap, 'counter-inc']).status).toBe(0);
  });

  it('an OSLENS_TMPDIR that does not exist is said, not replaced', () => {
    const r = bench(['counter-inc'], { OSLENS_TMPDIR: join(home, 'nope') });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      `oslens: OSLENS_TMPDIR=${join(home, 'nope')}: no such directory (the file benchmarks write there; unset it to let oslens choose)\n`,
    );
  });

  it('a read-only or full OSLENS_TMPDIR is said, not replaced', (ctx) => {
    const ro = tmpfs('ro,size=64m');
    const full = tmpfs('size=4m');
    if (!ro || !full) skipUnlessCapable(ctx.skip, 'mounting a tmpfs needs root');
    let r = bench(['counter-inc'], { OSLENS_TMPDIR: ro! });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^oslens: OSLENS_TMPDIR=.*: read-only file system \(/);
    r = bench(['counter-inc'], { OSLENS_TMPDIR: full! });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^oslens: OSLENS_TMPDIR=.*: full: 4 MiB free, 48 MiB needed \(/);
  });
});
