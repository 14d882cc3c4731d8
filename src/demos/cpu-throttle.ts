/**
 * CPU quota throttling: a busy loop in a throwaway cgroup with a CPU quota, its longest stall
 * measured against the same loop outside. cgroup v2 (cpu.max) when the cpu controller is
 * there, else the v1 cpu controller (cpu.cfs_quota_us): the same CFS bandwidth control.
 */
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type { Demo, Measurement } from './types.js';
import { num, parseKeyValues, round, SCRATCH_PREFIX, startHelper } from './helper.js';
import { readMounts, type MountEntry } from './mounts.js';
import { describeSpread, separated, spreadOf } from './trials.js';
import type { Cleanup } from './cleanup.js';

const QUOTA_US = 20_000;
const PERIOD_US = 100_000;

interface Hierarchy {
  version: 1 | 2;
  root: string;
}

/** Where a child cgroup with a CPU quota can be made, or why not. */
export function findCpuHierarchy(mounts: MountEntry[]): Hierarchy | string {
  const v2 = mounts.find((m) => m.fsType === 'cgroup2');
  if (v2 && existsSync(join(v2.mountPoint, 'cgroup.controllers'))) {
    const ctrl = readFileSync(join(v2.mountPoint, 'cgroup.controllers'), 'utf8').split(/\s+/);
    if (ctrl.includes('cpu')) return { version: 2, root: v2.mountPoint };
  }
  const v1 = mounts.find((m) => m.fsType === 'cgroup' && m.superOptions.split(',').includes('cpu'));
  if (v1) return { version: 1, root: v1.mountPoint };
  return v2
    ? `the cpu controller is not available in cgroup v2 at ${v2.mountPoint} (cgroup.controllers lacks "cpu") and no cgroup v1 cpu hierarchy is mounted`
    : 'no cgroup filesystem is mounted';
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function readLines(child: ChildProcess): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', () => resolve(parseKeyValues(out)));
  });
}

function waitReady(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer): void => {
      if (d.toString().includes('ready=1')) {
        child.stdout!.off('data', onData);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.on('error', reject);
  });
}

async function spin(ms: number, cleanup: Cleanup, place?: (pid: number) => void): Promise<Record<string, string>> {
  const child = startHelper(['spin', String(ms)], cleanup);
  await waitReady(child);
  place?.(child.pid!);
  const done = readLines(child);
  child.stdin!.end('go\n');
  return done;
}

export const cpuThrottle: Demo = {
  id: 'cpu-throttle',
  title: 'CPU quota throttling (CFS bandwidth control)',
  mistake: 'ignoring-cfs-throttling',
  models: ['namespaces-cgroups', 'scheduling'],
  claim: `A cgroup limited to ${QUOTA_US / 1000} ms of CPU per ${PERIOD_US / 1000} ms period is stopped once it spends its quota: a busy loop inside sees stalls of tens of milliseconds (the ~${(PERIOD_US - QUOTA_US) / 1000} ms of each period without quota, longer when a refill is late), far beyond the same loop outside, and cpu.stat counts them.`,
  async run(ctx) {
    const ms = ctx.quick ? 500 : 1000;
    const trials = ctx.quick ? 3 : 5;
    const h = findCpuHierarchy(readMounts());
    const skip = (reason: string): Awaited<ReturnType<Demo['run']>> => ({
      status: 'skipped',
      reason,
      measurements: [],
      holds: null,
      verdict: 'Not run: CFS bandwidth control needs a cgroup with a CPU quota.',
      notes: [
        'What it would show: Kubernetes CPU limits become cpu.max (v2) or cpu.cfs_quota_us (v1); a burst that spends the quota early stalls every thread of the group until the next 100 ms period.',
      ],
    });
    if (typeof h === 'string') return skip(h);
    if (process.getuid?.() !== 0)
      return skip('creating a cgroup needs root (or a delegated subtree); run `sudo oslens demo cpu-throttle`');
    const dir = join(h.root, `${SCRATCH_PREFIX}${process.pid}`);
    try {
      mkdirSync(dir);
    } catch (err) {
      return skip(`cannot create ${dir}: ${(err as Error).message}`);
    }
    let helperPid = 0;
    ctx.cleanup.add(`remove cgroup ${dir}`, () => {
      // A cgroup can only be removed once empty: move a straggler out, then retry briefly.
      if (helperPid) {
        try {
          writeFileSync(join(h.root, 'cgroup.procs'), String(helperPid));
        } catch {
          /* already gone */
        }
      }
      for (let i = 0; i < 50; i++) {
        try {
          rmdirSync(dir);
          return;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
          sleepSync(20);
        }
      }
      rmdirSync(dir);
    });
    try {
      if (h.version === 2) writeFileSync(join(dir, 'cpu.max'), `${QUOTA_US} ${PERIOD_US}`);
      else {
        writeFileSync(join(dir, 'cpu.cfs_period_us'), String(PERIOD_US));
        writeFileSync(join(dir, 'cpu.cfs_quota_us'), String(QUOTA_US));
      }
    } catch (err) {
      return skip(`cannot set the quota in ${dir}: ${(err as Error).message}`);
    }
    // Baseline and throttled runs alternate, so a busy neighbour disturbs both alike.
    const baseGaps: number[] = [];
    const thrGaps: number[] = [];
    let over5 = { base: 0, thr: 0 };
    for (let i = 0; i < trials; i++) {
      ctx.log(`trial ${i + 1} of ${trials}: busy loop for ${ms} ms outside any quota, then in ${dir}`);
      const base = await spin(ms, ctx.cleanup);
      const thr = await spin(ms, ctx.cleanup, (pid) => {
        helperPid = pid;
        writeFileSync(join(dir, 'cgroup.procs'), String(pid));
      });
      baseGaps.push(num(base, 'max_gap_ns') / 1e6);
      thrGaps.push(num(thr, 'max_gap_ns') / 1e6);
      over5 = { base: over5.base + Number(base.gaps_over_5ms), thr: over5.thr + Number(thr.gaps_over_5ms) };
    }
    const stat = Object.fromEntries(
      readFileSync(join(dir, 'cpu.stat'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => l.split(' ') as [string, string]),
    );
    const throttledMs = h.version === 2 ? Number(stat.throttled_usec) / 1000 : Number(stat.throttled_time) / 1e6;
    const baseS = spreadOf(baseGaps);
    const thrS = spreadOf(thrGaps);
    // Holds when every throttled run stalled far (3x) longer than every free run; fails when the
    // group was never throttled or the free runs stalled as long; otherwise the host was too noisy.
    const apart = separated(thrS, baseS, 3);
    const holds = Number(stat.nr_throttled) === 0 || apart === 'b' ? false : apart === 'a' ? true : null;
    const baseGap = baseS.median;
    const thrGap = thrS.median;
    const m: Measurement[] = [
      { label: 'cgroup', value: `${dir} (cgroup v${h.version})` },
      {
        label: 'quota',
        value:
          h.version === 2
            ? `cpu.max = ${QUOTA_US} ${PERIOD_US}`
            : `cfs_quota_us=${QUOTA_US} cfs_period_us=${PERIOD_US}`,
      },
      { label: 'longest stall, no quota (median)', value: round(baseGap, 2), unit: 'ms' },
      { label: 'longest stall, in the cgroup (median)', value: round(thrGap, 1), unit: 'ms' },
      { label: 'longest stall per trial, no quota', value: describeSpread(baseS, 2, 'ms') },
      { label: 'longest stall per trial, quota', value: describeSpread(thrS, 1, 'ms') },
      { label: 'stalls over 5 ms, no quota / quota', value: `${over5.base} / ${over5.thr}` },
      { label: 'nr_periods', value: Number(stat.nr_periods) },
      { label: 'nr_throttled', value: Number(stat.nr_throttled) },
      { label: h.version === 2 ? 'throttled_usec' : 'throttled_time', value: round(throttledMs, 1), unit: 'ms' },
    ];
    return {
      status: 'done',
      measurements: m,
      holds,
      inconclusive: holds === null,
      verdict:
        holds === null
          ? `the loop without quota also stalled, for up to ${round(baseS.max, 1)} ms, within 3x of the throttled loop's stalls (${describeSpread(thrS, 1, 'ms')}): this host is too busy right now to tell the quota's stalls from its own.`
          : `inside the quota the loop's longest stall was ${describeSpread(thrS, 1, 'ms')}, outside ${describeSpread(baseS, 2, 'ms')}; the group was throttled in ${stat.nr_throttled} of ${stat.nr_periods} periods, ${round(throttledMs, 0)} ms in total. The stalls line up with the ${PERIOD_US / 1000} ms period.`,
      notes: [
        h.version === 1
          ? 'This kernel has the cpu controller on cgroup v1 (a hybrid setup), so the demo used cpu.cfs_quota_us/cpu.cfs_period_us, the v1 spelling of cpu.max; the mechanism is the same CFS bandwidth control.'
          : 'cgroup v2: cpu.max holds "QUOTA PERIOD" in microseconds.',
        'The cgroup was removed after the run.',
      ],
    };
  },
};
