/**
 * The whole suite in --quick mode on the real machine, and what physics guarantees about it.
 * No timing bounds here (those belong in the bench scripts): only orderings that hold on any
 * sane x86_64 Linux host, and that every figure is a real positive number.
 */
import { availableParallelism } from 'node:os';
import { beforeAll, describe, expect, it } from 'vitest';
import { BENCH_IDS } from '../../src/bench/catalog.js';
import { runBenchmarks } from '../../src/bench/runner.js';
import type { BenchRun } from '../../src/bench/types.js';
import { IN_CI, skipUnlessCapable } from '../helpers/env.js';

let run: BenchRun;

beforeAll(async () => {
  // The documented default heap (1 GiB): at smaller sizes fork's fixed costs and noise blur the point.
  run = await runBenchmarks(BENCH_IDS, { quick: true, heapBytes: 1 << 30, pin: true });
}, 300_000);

function ns(id: string): number {
  const r = run.results.find((x) => x.id === id);
  if (!r || r.nsPerOp === null) throw new Error(`${id} has no figure: ${r?.skipped ?? 'missing'}`);
  return r.nsPerOp;
}

function p10(id: string): number {
  ns(id); // same "has a figure" check
  return run.results.find((x) => x.id === id)!.p10!;
}

describe('bench --quick on this machine', () => {
  it('runs every benchmark (only a stated reason may skip one, and never under CI)', (ctx) => {
    expect(run.results.map((r) => r.id)).toEqual(BENCH_IDS);
    // A benchmark that needs more CPUs than this machine has (the two-thread TLB shootdown on 2
    // CPUs) skips as a fact of the machine, which CI cannot install: checked, not a capability gap.
    const tooFewCpus = (r: (typeof run.results)[number]) => {
      const n = /needs (\d+) CPUs/.exec(r.skipped ?? '')?.[1];
      return n !== undefined && Number(n) > availableParallelism();
    };
    const skipped = run.results.filter((r) => r.status === 'skipped' && !tooFewCpus(r));
    for (const r of skipped) expect(r.skipped).toMatch(/\S/);
    if (skipped.length > 0) {
      skipUnlessCapable(ctx.skip, skipped.map((r) => `${r.id}: ${r.skipped}`).join('; '));
    }
    expect(IN_CI ? skipped : []).toEqual([]);
  });

  it('gives positive, finite figures with p10 <= median <= p90', () => {
    for (const r of run.results.filter((x) => x.status === 'measured')) {
      expect(Number.isFinite(r.nsPerOp), r.id).toBe(true);
      expect(r.nsPerOp!, r.id).toBeGreaterThan(0);
      expect(r.p10!, r.id).toBeLessThanOrEqual(r.nsPerOp!);
      expect(r.nsPerOp!, r.id).toBeLessThanOrEqual(r.p90!);
      expect(r.batches, r.id).toBe(7);
    }
    const cross = run.results.find((r) => r.id === 'cross-region')!;
    expect(cross.status).toBe('reference-only');
    expect(cross.nsPerOp).toBeNull();
  });

  it('L1 < L2 < DRAM', () => {
    expect(ns('l1-hit')).toBeLessThan(ns('l2-hit'));
    expect(ns('l2-hit')).toBeLessThan(ns('dram'));
  });

  it('the vDSO clock is cheaper than the same clock through the syscall', () => {
    expect(ns('clock-vdso')).toBeLessThan(ns('clock-syscall'));
  });

  it('a minor fault is cheaper than a major fault', () => {
    expect(ns('fault-minor')).toBeLessThan(ns('fault-major'));
  });

  it('an in-memory counter is cheaper than write() to /dev/null', () => {
    expect(ns('counter-inc')).toBeLessThan(ns('write-devnull'));
  });

  it('fork of a large heap is far below copying that heap (copy-on-write)', () => {
    // p10: the least disturbed batches, so a noisy neighbour cannot flip the order
    expect(p10('fork-large')).toBeLessThan(p10('memcpy-large'));
    // and the heap makes fork costlier than forking a small process: page tables are copied
    expect(ns('fork')).toBeLessThan(ns('fork-large'));
  });

  it('a page-cache read is cheaper than a read from the device', () => {
    expect(ns('read-4k-cached')).toBeLessThan(ns('read-4k-direct'));
  });

  it('reports the ratios the seeds state, from the measured figures', () => {
    const vdso = run.ratios.find((r) => r.row === 'vdso-vs-syscall')!;
    expect(vdso.measured).toBeCloseTo(ns('clock-syscall') / ns('clock-vdso'));
    expect(vdso.reference).toBe(50);
    expect(run.ratios.find((r) => r.row === 'syscall-vs-counter')!.measured).toBeGreaterThan(1);
  });
});
