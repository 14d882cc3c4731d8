import {
  chownSync,
  existsSync,
  lstatSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runBenchmarks } from '../../src/bench/runner.js';
import { defaultBenchFile, loadSavedBench, measuredNs, rememberRun } from '../../src/bench/saved.js';
import { oslens } from '../helpers/env.js';

const home = mkdtempSync(join(tmpdir(), 'oslens-home-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('the remembered bench run', () => {
  it('lives under OSLENS_HOME when set', () => {
    expect(defaultBenchFile({ OSLENS_HOME: home })).toBe(join(home, 'last-bench.json'));
  });

  it('merges a partial run into the previous one of the same host', async () => {
    const file = join(home, 'merge.json');
    const a = await runBenchmarks(['mutex', 'syscall-getpid'], { quick: true, heapBytes: 1 << 26, pin: true });
    rememberRun(a, file);
    const b = await runBenchmarks(['mutex'], { quick: true, heapBytes: 1 << 26, pin: true });
    rememberRun(b, file);
    const saved = loadSavedBench(file);
    expect(measuredNs(saved, 'syscall-getpid')).toBe(a.results.find((r) => r.id === 'syscall-getpid')!.nsPerOp);
    expect(measuredNs(saved, 'mutex')).toBe(b.results.find((r) => r.id === 'mutex')!.nsPerOp);
    expect(loadSavedBench(join(home, 'absent.json'))).toBeNull();
  });

  it('oslens bench remembers its run and oslens learn shows this machine beside the reference', () => {
    const env = { OSLENS_HOME: join(home, 'cli') };
    // --remember-noisy: this is about remembering; on a busy test machine the run may be noisy
    expect(oslens(['bench', '--quick', '--remember-noisy', 'syscall-getpid'], { env }).status).toBe(0);
    const ns = measuredNs(loadSavedBench(join(home, 'cli', 'last-bench.json')), 'syscall-getpid');
    expect(ns).toBeGreaterThan(0);
    const r = oslens(['learn', 'syscall-boundary', '--no-run'], { env });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Measured on this machine \(oslens bench, \d{4}-\d\d-\d\d\):\n\s+syscall-getpid\s+\d/);
  });
});

describe('where runs are written: no planted link followed, nothing left to chance', () => {
  const bench = (env: Record<string, string>, ...extra: string[]) =>
    oslens(['bench', '--quick', '--remember-noisy', 'counter-inc', ...extra], { env, timeout: 30_000 });
  const oneLine = (r: { stderr: string }) => r.stderr.trim().split('\n');

  it('an OSLENS_HOME under /proc (where mkdir -p used to spin) is a one-line error', () => {
    const r = bench({ OSLENS_HOME: '/proc/nope' });
    expect(r.signal).toBeNull(); // not killed by the timeout
    expect(r.status).toBe(1);
    expect(oneLine(r)).toEqual(['oslens: cannot create /proc/nope: ENOENT (set OSLENS_HOME to a directory of yours)']);
  });

  it('refuses a symlinked or foreign-owned OSLENS_HOME before measuring', () => {
    const target = mkdtempSync(join(home, 'target-'));
    const link = join(home, 'link');
    symlinkSync(target, link);
    let r = bench({ OSLENS_HOME: link });
    expect(r.status).toBe(1);
    expect(oneLine(r)).toEqual([
      `oslens: refusing ${link}: it is a symbolic link (set OSLENS_HOME to a directory of yours)`,
    ]);
    expect(readdirSync(target)).toEqual([]);
    if (process.getuid?.() === 0) {
      const theirs = mkdtempSync(join(home, 'theirs-'));
      chownSync(theirs, 65534, 65534);
      r = bench({ OSLENS_HOME: theirs });
      expect(r.status).toBe(1);
      expect(oneLine(r)[0]).toMatch(/^oslens: refusing .*theirs-\w+: it belongs to uid 65534, not to uid 0 \(/);
      expect(readdirSync(theirs)).toEqual([]);
    }
  });

  it('replaces a symlink planted as last-bench.json or as the --save file, never writes through it', () => {
    const own = mkdtempSync(join(home, 'own-'));
    const victim = join(home, 'victim');
    writeFileSync(victim, 'precious\n');
    symlinkSync(victim, join(own, 'last-bench.json'));
    const saveLink = join(home, 'saved-link.json');
    symlinkSync(victim, saveLink);
    const r = bench({ OSLENS_HOME: own }, '--save', saveLink);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    for (const f of [join(own, 'last-bench.json'), saveLink]) {
      expect(lstatSync(f).isFile(), f).toBe(true);
      expect(loadSavedBench(f)?.run.results[0]?.id).toBe('counter-inc');
    }
    expect(readdirSync(own)).toEqual(['last-bench.json']); // no temporary file left
  });

  it('bench --save and time -o to a directory that does not exist fail before the work', () => {
    const own = mkdtempSync(join(home, 'own-'));
    const r = bench({ OSLENS_HOME: own }, '--save', '/nonexistent-dir/x.json');
    expect(r.status).toBe(1);
    expect(oneLine(r)).toEqual(['oslens: --save: cannot write /nonexistent-dir/x.json: no directory /nonexistent-dir']);
    expect(readdirSync(own)).toEqual([]); // nothing ran, nothing remembered
    const marker = join(own, 'ran');
    const t = oslens(['time', '-o', '/nonexistent-dir/report', '--', 'touch', marker]);
    expect(t.status).toBe(1);
    expect(oneLine(t)).toEqual(['oslens: -o: cannot write /nonexistent-dir/report: no directory /nonexistent-dir']);
    expect(existsSync(marker)).toBe(false);
  });
});
