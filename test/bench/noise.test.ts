/**
 * Noise detection: the /proc parsers (on fixtures, generated input and the live files), the
 * classifier on a quiet and a busy picture, and a real CPU hog started during a real run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { allowedCpus } from '../../src/bench/host.js';
import {
  NOISE_LIMITS,
  assessNoise,
  parseLoadavg,
  parseOwnTicks,
  parseProcStat,
  type ProbeSample,
  type SystemSnapshot,
} from '../../src/bench/noise.js';
import { runBenchmarks } from '../../src/bench/runner.js';
import type { BenchResult } from '../../src/bench/types.js';
import { oslens } from '../helpers/env.js';

const home = mkdtempSync(join(tmpdir(), 'oslens-noise-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

/** A busy loop in a shell of its own, pinned to `cpu`: a real competitor for that CPU. */
const hogs: ChildProcess[] = [];
function startHog(cpu: number): ChildProcess {
  const hog = spawn('taskset', ['-c', String(cpu), 'sh', '-c', 'while :; do :; done'], { stdio: 'ignore' });
  hogs.push(hog);
  return hog;
}
afterEach(() => {
  for (const h of hogs.splice(0)) if (h.exitCode === null && h.signalCode === null) h.kill('SIGKILL');
});

/** The CPU the runner pins benchmarks to (the last allowed one). */
const benchCpu = () => allowedCpus().at(-1) ?? 0;

describe('the /proc readers behind the run signs', () => {
  it('parse captured lines and the live files', () => {
    const stat = parseProcStat('cpu  100 5 40 800 7 0 3 11 0 0\ncpu0 50 2 20 400 3 0 1 5 0 0\n');
    expect(stat).toEqual({ busy: 148, idle: 807, steal: 11 });
    expect(parseLoadavg('0.52 1.10 2.00 3/245 1234\n')).toEqual([0.52, 1.1, 2]);
    const live = parseProcStat(readFileSync('/proc/stat', 'utf8'));
    expect(live.busy + live.idle).toBeGreaterThan(0);
    expect(parseLoadavg(readFileSync('/proc/loadavg', 'utf8')).every((x) => x >= 0)).toBe(true);
    expect(parseOwnTicks(readFileSync('/proc/self/stat', 'utf8'))).toBeGreaterThanOrEqual(0);
  });

  it("find this process's CPU ticks whatever its command name holds", () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 15 }),
        fc.array(fc.nat(1e9), { minLength: 4, maxLength: 4 }),
        (comm, [u, s, cu, cs]) => {
          const fields = ['S', '1', '2', '3', '0', '-1', '4194560', '10', '0', '0', '0', u, s, cu, cs, '20', '0', '1'];
          expect(parseOwnTicks(`4242 (${comm}) ${fields.join(' ')}`)).toBe(u! + s! + cu! + cs!);
        },
      ),
    );
  });
});

describe('the classifier', () => {
  const snap = (
    atMs: number,
    busy: number,
    idle: number,
    steal: number,
    own: number,
    load: number,
  ): SystemSnapshot => ({
    atMs,
    load: [load, load, load],
    cpu: { busy, idle, steal },
    ownTicks: own,
  });
  const row = (id: string, roundMedians: number[]): BenchResult =>
    ({ id, status: 'measured', roundMedians }) as unknown as BenchResult;
  const probes = (...pairs: [string | null, number, number][]): ProbeSample[] =>
    pairs.map(([after, wallNs, cpuNs], i) => ({ atMs: i, after, wallNs, cpuNs, waitedNs: null }));

  it('calls a quiet machine quiet', () => {
    // 10 s on 2 CPUs: we used 1000 of 2000 ticks, nothing else ran
    const { report, rows } = assessNoise(
      snap(0, 0, 0, 0, 0, 0.1),
      snap(10_000, 1000, 1000, 0, 1000, 1.05),
      probes([null, 2e6, 2e6], ['a', 2.02e6, 2.01e6], ['b', 2.05e6, 2.04e6]),
      [row('a', [100, 103]), row('b', [50, 51])],
      { cpus: 2, waits: new Map([['a', [0, 0.01, 0.002]]]) },
    );
    expect(report.noisy).toBe(false);
    expect(report.reasons).toEqual([]);
    expect(rows.get('a')!.noisy).toBe(false);
    expect(rows.get('a')!.waitShare).toBe(0.002);
    expect(rows.get('b')!.probeOnCpu).toBeCloseTo(0.995, 2);
  });

  it('names each sign of a busy machine', () => {
    const { report, rows } = assessNoise(
      snap(0, 0, 0, 0, 0, 1.5),
      snap(10_000, 1800, 100, 100, 1000, 2.5),
      probes([null, 2e6, 2e6], ['a', 4.4e6, 2.1e6], ['b', 2e6, 2e6], ['c', 2e6, 2e6]),
      [
        row('a', [100, 101]),
        row('b', [100, 101]),
        row('c', [100, 160]),
        row('ctxsw-thread', [10, 10]),
        row('d', [9, 9]),
      ],
      {
        cpus: 2,
        waits: new Map([
          ['ctxsw-thread', [0.5, 0.5]],
          ['d', [0.01, 0.3, 0.4]],
        ]),
      },
    );
    expect(report.noisy).toBe(true);
    expect(report.reasons.join('\n')).toMatch(/stole 5\.0%/);
    expect(report.reasons.join('\n')).toMatch(/other work used 40%/);
    expect(report.reasons.join('\n')).toMatch(/load average 1\.5 on 2 CPUs/);
    expect(report.noisyRows).toEqual(['a', 'b', 'c', 'd']);
    expect(rows.get('d')!.reasons).toEqual([
      'its median batch waited for the CPU 30% of its time (runnable while another task ran)',
    ]);
    expect(rows.get('ctxsw-thread')!.waitShare).toBeNull(); // its partner shares the CPU by design
    // a's probe after it, and the same probe before b, ran 2.2x slower with half the CPU
    expect(rows.get('a')!.reasons.join()).toMatch(/2\.2x slower.*CPU 48%/);
    expect(rows.get('b')!.probeSlowdown).toBeCloseTo(2.2, 5);
    expect(rows.get('c')!.reasons).toEqual(['its 2 rounds disagree by 60%']);
    expect(report.limits).toEqual(NOISE_LIMITS);
  });
});

describe('a CPU hog started during a run', () => {
  it('marks the run noisy, and rows measured beside it', async () => {
    const ids = ['syscall-getpid', 'mutex', 'clock-vdso', 'counter-inc', 'function-call', 'l1-hit'];
    let hogAt: number | null = null;
    const t0 = performance.now();
    const run = await runBenchmarks(ids, {
      quick: true,
      heapBytes: 1 << 20,
      pin: true,
      batches: 16,
      rounds: 2,
      onProgress: (done) => {
        if (done === 2 && hogAt === null) {
          startHog(benchCpu());
          hogAt = performance.now() - t0;
        }
      },
    });
    expect(hogAt).not.toBeNull();
    const n = run.noise;
    expect(n.noisy).toBe(true);
    // the hog took the benchmark CPU: the probes after it started lost the CPU to it
    const after = n.probe.samples.filter((s) => s.atMs > hogAt! + 50);
    expect(after.length).toBeGreaterThan(3);
    const onCpu = Math.min(...after.map((s) => s.cpuNs / s.wallNs));
    expect(onCpu).toBeLessThan(NOISE_LIMITS.probeOnCpu);
    expect(n.noisyRows.length).toBeGreaterThan(0);
    for (const id of n.noisyRows)
      expect(run.results.find((r) => r.id === id)!.noise!.reasons.length).toBeGreaterThan(0);
    // and /proc/stat saw a whole CPU's worth of work that was not the run's
    expect(n.cpu.otherBusyPct).toBeGreaterThan(NOISE_LIMITS.otherBusyPct);
  }, 120_000);

  it('oslens bench warns and does not remember the run, unless --remember-noisy', async () => {
    startHog(benchCpu());
    await new Promise((r) => setTimeout(r, 300)); // the hog is running before the run starts
    const env = { OSLENS_HOME: join(home, 'cli') };
    const args = ['bench', '--quick', '--batches', '12', 'syscall-getpid', 'mutex', 'counter-inc'];
    const r = oslens(args, { env });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^warning: noisy run: .*Not remembered as this machine's figures/m);
    expect(r.stdout).toMatch(/^NOISY RUN: /m);
    expect(r.stdout).toMatch(/^~ \S+/m);
    expect(existsSync(join(home, 'cli', 'last-bench.json'))).toBe(false);

    const kept = oslens([...args, '--remember-noisy'], { env });
    expect(kept.status, kept.stderr).toBe(0);
    expect(kept.stderr).toMatch(/Remembered as this machine's figures anyway \(--remember-noisy\)/);
    const saved = JSON.parse(readFileSync(join(home, 'cli', 'last-bench.json'), 'utf8'));
    expect(saved.noise.noisy).toBe(true);
    expect(saved.noise.rememberedAnyway).toBe(true);
  }, 120_000);
});
