/**
 * The benchmarks that cover the page-table, file-descriptor, epoll/io_uring and namespace models
 * (and the syscall, scheduling and page-cache additions), run --quick on the real machine. Only
 * orderings that physics guarantees, with generous margins: timings belong in bench scripts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { runBenchmarks } from '../../src/bench/runner.js';
import type { BenchResult, BenchRun } from '../../src/bench/types.js';
import { allowedCpus } from '../../src/bench/host.js';
import { skipUnlessCapable } from '../helpers/env.js';

const IDS = [
  'syscall-getpid',
  'function-call',
  'signal-catch',
  'wakeup-1ms',
  'wakeup-1ms-hog',
  'write-4k',
  'write-fsync-4k',
  'fd-open-close',
  'fd-dup-close',
  'fd-low',
  'fd-high',
  'poll-10',
  'poll-1000',
  'select-10',
  'select-1000',
  'epoll-10',
  'epoll-1000',
  'select-10000',
  'poll-10000',
  'epoll-10000',
  'read-n-4k',
  'uring-n-4k',
  'uring-nop',
  'shootdown-munmap-0',
  'shootdown-munmap-1',
  'shootdown-munmap-2',
  'shootdown-mprotect-0',
  'shootdown-mprotect-1',
  'fork',
  'clone-ns',
  'unshare-pid',
  'unshare-mnt',
  'unshare-net',
  'unshare-uts',
];

let run: BenchRun;
/** The two TLB chases again, in four interleaved rounds: a load that comes and goes hits both. */
let tlb: BenchRun;

beforeAll(async () => {
  run = await runBenchmarks(IDS, { quick: true, heapBytes: 1 << 20, pin: true });
  tlb = await runBenchmarks(['tlb-4k', 'tlb-2m'], {
    quick: true,
    heapBytes: 1 << 20,
    pin: true,
    rounds: 4,
    batches: 12,
  });
}, 300_000);

function result(id: string): BenchResult {
  return run.results.find((r) => r.id === id)!;
}

/** The figure, or a skip (a failure under CI) with the benchmark's own reason. */
function measured(id: string, skip: (note?: string) => void): BenchResult {
  const r = result(id);
  if (r.status !== 'measured') skipUnlessCapable(skip, `${id}: ${r.skipped}`);
  expect(r.nsPerOp!, id).toBeGreaterThan(0);
  return r;
}

describe('bench --quick: the models the first suite did not cover', () => {
  it('runs every one of them, or says why not', () => {
    expect(run.results.map((r) => r.id)).toEqual(IDS);
    for (const r of run.results) if (r.status === 'skipped') expect(r.skipped, r.id).toMatch(/\S/);
  });

  it('page table & TLB: a random load costs less with 2 MiB pages, and the note says which kind', (ctx) => {
    const pick = (id: string) => {
      const r = tlb.results.find((x) => x.id === id)!;
      if (r.status !== 'measured') skipUnlessCapable(ctx.skip, `${id}: ${r.skipped}`);
      return r;
    };
    const small = pick('tlb-4k');
    const huge = pick('tlb-2m');
    expect(small.note).toMatch(/4 KiB/);
    expect(huge.note).toMatch(/MAP_HUGETLB|THP/);
    // THP may cover only part of the set on a fragmented machine: the benchmark says how much
    // (and skips under 90%); a mix of page sizes would not be the 2 MiB figure.
    const thp = /(\d+) of (\d+) MiB in huge pages/.exec(huge.note!);
    if (thp) expect(Number(thp[1])).toBeGreaterThanOrEqual(0.9 * Number(thp[2]));
    expect(huge.roundMedians).toHaveLength(4);
    expect(huge.p10!).toBeLessThan(small.p10!);
    expect(Math.min(...huge.roundMedians)).toBeLessThan(Math.min(...small.roundMedians));
  });

  it('TLB shootdown: unmapping or write-protecting costs more when a thread runs on another CPU', (ctx) => {
    const ns = (id: string) => measured(id, ctx.skip).p10!;
    for (const [with1, alone] of [
      ['shootdown-munmap-1', 'shootdown-munmap-0'],
      ['shootdown-mprotect-1', 'shootdown-mprotect-0'],
    ]) {
      // The physics holds only when the spinner really ran on the other CPU (real-time priority
      // as root); the note says how much it did. A loaded machine (CI runs test files side by
      // side) can starve it: then the figure is labelled so, which is what is checked.
      const share = Number(/running (\d+)% of the time/.exec(result(with1!).note ?? '')?.[1]);
      expect(Number.isFinite(share), `${with1}: ${result(with1!).note}`).toBe(true);
      // And only on rows measured quietly: inside node the "alone" case is not alone (its other
      // threads share the address space), so a busy machine inflates either side.
      const quiet = [with1!, alone!].every((id) => (result(id).noise?.reasons.length ?? 0) === 0);
      const [withOther, byItself] = [ns(with1!), ns(alone!)]; // both measured, whatever the load
      if (share >= 80 && quiet) expect(withOther, with1).toBeGreaterThan(1.2 * byItself);
    }
    const two = result('shootdown-munmap-2');
    if (allowedCpus().length < 3) expect(two.skipped).toMatch(/needs 3 CPUs/);
    else expect(ns('shootdown-munmap-2')).toBeGreaterThan(ns('shootdown-munmap-0'));
  });

  it('file descriptor: dup+close is cheaper than open+close; fd 10,000 costs what fd 3 does', (ctx) => {
    expect(measured('fd-dup-close', ctx.skip).nsPerOp!).toBeLessThan(measured('fd-open-close', ctx.skip).nsPerOp!);
    const ratio = measured('fd-high', ctx.skip).p10! / measured('fd-low', ctx.skip).p10!;
    expect(ratio).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
  });

  it('epoll is flat in N while poll and select grow', (ctx) => {
    const ns = (id: string) => measured(id, ctx.skip).p10!;
    expect(ns('epoll-1000')).toBeLessThan(3 * ns('epoll-10'));
    expect(ns('poll-1000')).toBeGreaterThan(5 * ns('poll-10'));
    expect(ns('select-1000')).toBeGreaterThan(5 * ns('select-10'));
    expect(ns('epoll-1000')).toBeLessThan(ns('poll-1000') / 5);
  });

  it('the curve goes on to 10,000 fds: epoll flat, poll and select linear', (ctx) => {
    const ns = (id: string) => measured(id, ctx.skip).p10!;
    expect(ns('epoll-10000')).toBeLessThan(3 * ns('epoll-10'));
    expect(ns('poll-10000')).toBeGreaterThan(3 * ns('poll-1000'));
    expect(ns('select-10000')).toBeGreaterThan(3 * ns('select-1000'));
  });

  it('io_uring reads the same blocks as read(), and a nop costs less than a read (or says why it cannot)', (ctx) => {
    measured('read-n-4k', ctx.skip);
    expect(measured('uring-nop', ctx.skip).p10!).toBeLessThan(measured('uring-n-4k', ctx.skip).p10!);
  });

  it('namespaces: forking into four new namespaces costs more than a plain fork', { timeout: 300_000 }, async (ctx) => {
    // Part of clone-ns's cost is deferred: a dead network namespace is torn down by a kworker
    // after its last process exits, on whichever CPU is free, and lands on what runs next (in
    // the second round, fork). So a run where fork came out dearer is followed by up to three
    // runs of the two alone, fork first: a clone-ns that really is cheaper (a clone that fails
    // fast, say) loses every one of them.
    const cheaper = (r: BenchRun) => {
      const [fork, ns] = ['fork', 'clone-ns'].map((id) => r.results.find((x) => x.id === id)!);
      if (ns!.status !== 'measured' || fork!.status !== 'measured') return `${ns!.skipped ?? fork!.skipped}`;
      return ns!.p10! > fork!.p10! ? null : `clone-ns p10 ${ns!.p10} ns <= fork p10 ${fork!.p10} ns`;
    };
    measured('clone-ns', ctx.skip);
    measured('fork', ctx.skip);
    const seen = [cheaper(run)];
    while (seen.at(-1) !== null && seen.length < 4)
      seen.push(cheaper(await runBenchmarks(['fork', 'clone-ns'], { quick: true, heapBytes: 1 << 20, pin: true })));
    expect(seen.at(-1), seen.join('; ')).toBeNull();
    for (const id of ['unshare-pid', 'unshare-mnt', 'unshare-net', 'unshare-uts']) measured(id, ctx.skip);
    // a network namespace (loopback, tables) is far more work than a copied hostname
    expect(measured('unshare-net', ctx.skip).p10!).toBeGreaterThan(measured('unshare-uts', ctx.skip).p10!);
  });

  it('syscall boundary: a function call is far cheaper than getpid; a signal costs more than getpid', (ctx) => {
    const getpid = measured('syscall-getpid', ctx.skip).p10!;
    expect(measured('function-call', ctx.skip).p10! * 5).toBeLessThan(getpid);
    expect(measured('signal-catch', ctx.skip).p10!).toBeGreaterThan(getpid);
  });

  for (const id of ['wakeup-1ms', 'wakeup-1ms-hog'])
    it(`${id}: the thread wakes after the deadline, and the note gives the distribution`, (ctx) => {
      const r = measured(id, ctx.skip);
      const m = /min (\d+), p50 (\d+), p99 (\d+), max (\d+) ns/.exec(r.note ?? '');
      expect(m, r.note ?? 'no note').not.toBeNull();
      const [min, p50, p99, max] = m!.slice(1).map(Number) as [number, number, number, number];
      expect(min).toBeGreaterThanOrEqual(0);
      expect(min).toBeLessThanOrEqual(p50);
      expect(p50).toBeLessThanOrEqual(p99);
      expect(p99).toBeLessThanOrEqual(max);
    });

  it('page cache: write + fsync costs more than the write alone', (ctx) => {
    expect(measured('write-fsync-4k', ctx.skip).p10!).toBeGreaterThan(measured('write-4k', ctx.skip).p10!);
  });
});
