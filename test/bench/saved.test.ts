import { mkdtempSync, rmSync } from 'node:fs';
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
    expect(oslens(['bench', '--quick', 'syscall-getpid'], { env }).status).toBe(0);
    const ns = measuredNs(loadSavedBench(join(home, 'cli', 'last-bench.json')), 'syscall-getpid');
    expect(ns).toBeGreaterThan(0);
    const r = oslens(['learn', 'syscall-boundary', '--no-run'], { env });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Measured on this machine \(oslens bench, \d{4}-\d\d-\d\d\):\n\s+syscall-getpid\s+\d/);
  });
});
