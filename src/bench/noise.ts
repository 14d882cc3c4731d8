/**
 * Telling a noisy machine from a slow one. Three kinds of signs, each with its limit:
 * - the system over the whole run: load average before and after, and from /proc/stat the share
 *   of CPU time the hypervisor stole and the share other work used (busy time that is not ours);
 * - a reference loop (native/bench/probe.c) run between benchmarks on the benchmark CPU: on a
 *   quiet CPU every run takes the same time and is all on-CPU; a competing task shows as wall
 *   time beyond CPU time, a slower CPU as runs slower than the run's best;
 * - the rounds (runner.ts): a benchmark whose rounds disagree was measured on a changing machine.
 * The JSON shape (BenchRun.noise, BenchResult.noise) is a contract: README "bench --json".
 */
import { readFileSync } from 'node:fs';
import { quantile } from './stats.js';
import type { BenchResult } from './types.js';

export type LoadAverage = [number, number, number];

/** One run of the reference loop: when, and its wall and on-CPU time (ns). */
export interface ProbeSample {
  /** ms since the run started. */
  atMs: number;
  /** The benchmark that ran just before it (null for the first probe). */
  after: string | null;
  wallNs: number;
  cpuNs: number;
  /** Of wallNs, the time its thread waited runnable for the CPU (schedstat run_delay); null without schedstat. */
  waitedNs: number | null;
}

export interface NoiseLimits {
  /** Steal time above this % of all CPU time. */
  stealPct: number;
  /** Other work's CPU time above this % of all CPU time (all CPUs together). */
  otherBusyPct: number;
  /** 1-minute load average above this many runnable tasks per CPU (ours not counted). */
  loadPerCpu: number;
  /** A probe beside a benchmark slower than its run's best by this factor (wall time). */
  probeSlowdown: number;
  /** A probe whose thread had the CPU less than this fraction of its wall time. */
  probeOnCpu: number;
  /** A benchmark's median batch spent more than this share of its time waiting runnable for the CPU. */
  waitShare: number;
  /** Rounds of one benchmark disagreeing by more than this ((max - min) / min of their medians). */
  roundDisagreement: number;
}

export const NOISE_LIMITS: NoiseLimits = {
  stealPct: 2,
  otherBusyPct: 10,
  loadPerCpu: 0.5,
  probeSlowdown: 1.3,
  probeOnCpu: 0.85,
  waitShare: 0.05,
  roundDisagreement: 0.25,
};

/** BenchRun.noise. */
export interface NoiseReport {
  /** True when any sign crossed its limit: the figures then describe the load as much as the machine. */
  noisy: boolean;
  /** One sentence per sign of the whole run that crossed its limit (row signs are on the rows). */
  reasons: string[];
  /** Ids of the rows marked noisy (BenchResult.noise.noisy). */
  noisyRows: string[];
  /** /proc/loadavg (1, 5, 15 min) before and after; cpus = CPUs online. */
  load: { before: LoadAverage; after: LoadAverage; cpus: number };
  /** /proc/stat between the start and the end of the run, % of all CPUs' time. */
  cpu: { seconds: number; stealPct: number; otherBusyPct: number };
  /** The reference loop: every sample, and its best (least) wall and CPU time. */
  probe: { samples: ProbeSample[]; bestWallNs: number | null; bestCpuNs: number | null };
  limits: NoiseLimits;
  /** True when this run was remembered as the machine's figures despite being noisy (--remember-noisy). */
  rememberedAnyway: boolean;
}

/** BenchResult.noise: this row's signs. */
export interface RowNoise {
  noisy: boolean;
  reasons: string[];
  /** (max - min) / min of the rounds' medians; null with fewer than two measured rounds. */
  roundDisagreement: number | null;
  /** The worst probe beside this row (before or after any of its rounds): wall / best wall, and on-CPU share. */
  probeSlowdown: number | null;
  probeOnCpu: number | null;
  /** The median over its batches of the share of a batch's time its thread waited runnable for
   * the CPU (schedstat run_delay): above the limit, the median figure itself is inflated; null
   * without schedstat. */
  waitShare: number | null;
}

/** Busy and idle jiffies of all CPUs together (the "cpu" line of /proc/stat). */
export interface CpuTimes {
  busy: number;
  idle: number;
  steal: number;
}

/** The aggregate "cpu" line: user nice system idle iowait irq softirq steal (guest is inside user). */
export function parseProcStat(text: string): CpuTimes {
  const line = /^cpu\s+(.+)$/m.exec(text)?.[1];
  if (!line) throw new Error('no cpu line in /proc/stat');
  const f = line.trim().split(/\s+/).map(Number);
  const at = (i: number) => (Number.isFinite(f[i]) ? (f[i] as number) : 0);
  return {
    busy: at(0) + at(1) + at(2) + at(5) + at(6),
    idle: at(3) + at(4),
    steal: at(7),
  };
}

export function parseLoadavg(text: string): LoadAverage {
  const [a, b, c] = text.trim().split(/\s+/).map(Number);
  return [a ?? Number.NaN, b ?? Number.NaN, c ?? Number.NaN];
}

/** utime + stime + cutime + cstime of /proc/self/stat (clock ticks): what this run itself used. */
export function parseOwnTicks(statText: string): number {
  // the fields after the command name, which may hold spaces and parentheses
  const rest = statText
    .slice(statText.lastIndexOf(')') + 2)
    .split(' ')
    .map(Number);
  // rest[0] is field 3 (state): utime is field 14, cstime field 17
  return (rest[11] ?? 0) + (rest[12] ?? 0) + (rest[13] ?? 0) + (rest[14] ?? 0);
}

/** What the system looked like at one moment: taken before and after the run. */
export interface SystemSnapshot {
  atMs: number;
  load: LoadAverage;
  cpu: CpuTimes;
  ownTicks: number;
}

export function systemSnapshot(): SystemSnapshot {
  return {
    atMs: performance.now(),
    load: parseLoadavg(readFileSync('/proc/loadavg', 'utf8')),
    cpu: parseProcStat(readFileSync('/proc/stat', 'utf8')),
    ownTicks: parseOwnTicks(readFileSync('/proc/self/stat', 'utf8')),
  };
}

const MIN_STAT_TICKS = 50;

const pct = (n: number) => `${n.toFixed(n < 10 ? 1 : 0)}%`;

/**
 * Benchmarks whose partner shares their CPU by design (the ping-pong pins both ends to one CPU,
 * wakeup-1ms-hog runs its hog there): their thread waiting for the CPU is what they measure.
 */
const PARTNER_ON_CPU = new Set(['ctxsw-thread', 'ctxsw-process', 'wakeup-1ms-hog']);

/** The per-row signs: its rounds, and the probes that ran beside it. */
export function rowNoise(
  result: BenchResult,
  probes: readonly ProbeSample[],
  limits: NoiseLimits,
  waitShares: readonly number[] = [],
): RowNoise {
  const reasons: string[] = [];
  const wait = waitShares.length > 0 && !PARTNER_ON_CPU.has(result.id) ? quantile(waitShares, 0.5) : null;
  if (wait !== null && wait > limits.waitShare)
    reasons.push(
      `its median batch waited for the CPU ${pct(wait * 100)} of its time (runnable while another task ran)`,
    );
  const rounds = result.roundMedians;
  let disagreement: number | null = null;
  if (rounds.length >= 2) {
    const lo = Math.min(...rounds);
    const hi = Math.max(...rounds);
    disagreement = lo > 0 ? (hi - lo) / lo : null;
    if (disagreement !== null && disagreement > limits.roundDisagreement)
      reasons.push(`its ${rounds.length} rounds disagree by ${pct(disagreement * 100)}`);
  }
  const bestWall = Math.min(...probes.map((p) => p.wallNs));
  // the probe before a round of this row is the one after the benchmark that preceded it
  const beside = probes.filter((p, i) => p.after === result.id || probes[i + 1]?.after === result.id);
  let slowdown: number | null = null;
  let onCpu: number | null = null;
  for (const p of beside) {
    const s = p.wallNs / bestWall;
    // the thread's CPU time, or wall minus its wait on the run queue when the kernel says that;
    // a wait longer than the timed wall fell (partly) outside it (run_delay is read around the
    // whole call), and then only the thread's CPU clock is trusted
    const waited = p.waitedNs !== null && p.waitedNs <= p.wallNs ? p.waitedNs : null;
    const cpu = waited !== null ? Math.min(p.cpuNs, p.wallNs - waited) : p.cpuNs;
    const c = p.wallNs > 0 ? Math.max(0, Math.min(1, cpu / p.wallNs)) : 1;
    if (slowdown === null || s > slowdown) slowdown = s;
    if (onCpu === null || c < onCpu) onCpu = c;
  }
  if (slowdown !== null && slowdown > limits.probeSlowdown)
    reasons.push(`the reference loop beside it ran ${slowdown.toFixed(1)}x slower than its best`);
  if (onCpu !== null && onCpu < limits.probeOnCpu)
    reasons.push(`the reference loop beside it had the CPU ${pct(onCpu * 100)} of the time (another task shared it)`);
  return {
    noisy: reasons.length > 0,
    reasons,
    roundDisagreement: disagreement,
    probeSlowdown: slowdown,
    probeOnCpu: onCpu,
    waitShare: wait,
  };
}

/** The run's signs, from the snapshots around it and the rows' own signs. */
export function assessNoise(
  before: SystemSnapshot,
  after: SystemSnapshot,
  probes: readonly ProbeSample[],
  rows: readonly BenchResult[],
  opts: { cpus: number; limits?: NoiseLimits; waits?: ReadonlyMap<string, readonly number[]> },
): { report: NoiseReport; rows: Map<string, RowNoise> } {
  const limits = opts.limits ?? NOISE_LIMITS;
  const reasons: string[] = [];
  const total =
    after.cpu.busy + after.cpu.idle + after.cpu.steal - (before.cpu.busy + before.cpu.idle + before.cpu.steal);
  const steal = total > 0 ? (100 * (after.cpu.steal - before.cpu.steal)) / total : 0;
  const own = after.ownTicks - before.ownTicks;
  const other = total > 0 ? Math.max(0, (100 * (after.cpu.busy - before.cpu.busy - own)) / total) : 0;
  // /proc/stat counts in ticks (1/100 s a CPU): a run shorter than ~50 ticks gives figures too
  // coarse to judge by (they are still reported); the load average and the probe still judge it
  const judged = total >= MIN_STAT_TICKS;
  if (judged && steal > limits.stealPct)
    reasons.push(`the hypervisor stole ${pct(steal)} of the CPU time (steal in /proc/stat)`);
  if (judged && other > limits.otherBusyPct)
    reasons.push(
      `other work used ${pct(other)} of all CPU time during the run (/proc/stat, this run's own time excluded)`,
    );
  // before the run nothing of ours ran; at the end the benchmark thread itself counted as one task
  const othersLoad = Math.max(before.load[0], after.load[0] - 1);
  if (othersLoad > limits.loadPerCpu * opts.cpus)
    reasons.push(`load average ${othersLoad.toFixed(1)} on ${opts.cpus} CPU${opts.cpus === 1 ? '' : 's'}`);
  const rowMap = new Map<string, RowNoise>();
  for (const r of rows)
    if (r.status === 'measured') rowMap.set(r.id, rowNoise(r, probes, limits, opts.waits?.get(r.id)));
  const noisyRows = [...rowMap].filter(([, n]) => n.noisy).map(([id]) => id);
  const bestWall = probes.length > 0 ? Math.min(...probes.map((p) => p.wallNs)) : null;
  const bestCpu = probes.length > 0 ? Math.min(...probes.map((p) => p.cpuNs)) : null;
  return {
    report: {
      noisy: reasons.length > 0 || noisyRows.length > 0,
      reasons,
      noisyRows,
      load: { before: before.load, after: after.load, cpus: opts.cpus },
      cpu: { seconds: (after.atMs - before.atMs) / 1000, stealPct: steal, otherBusyPct: other },
      probe: { samples: [...probes], bestWallNs: bestWall, bestCpuNs: bestCpu },
      limits,
      rememberedAnyway: false,
    },
    rows: rowMap,
  };
}

/**
 * One noise block for runs made one after the other (bench --live runs one benchmark at a time):
 * the first run's load before, the last one's after, /proc/stat shares weighted by duration.
 */
export function mergeNoise(parts: readonly NoiseReport[]): NoiseReport | null {
  const first = parts[0];
  const last = parts[parts.length - 1];
  if (!first || !last) return null;
  const seconds = parts.reduce((a, p) => a + p.cpu.seconds, 0);
  const weighted = (f: (p: NoiseReport) => number) =>
    seconds > 0 ? parts.reduce((a, p) => a + f(p) * p.cpu.seconds, 0) / seconds : 0;
  const samples: ProbeSample[] = [];
  let offset = 0;
  for (const p of parts) {
    for (const s of p.probe.samples) samples.push({ ...s, atMs: s.atMs + offset });
    offset += p.cpu.seconds * 1000;
  }
  const best = (f: (s: ProbeSample) => number) => (samples.length > 0 ? Math.min(...samples.map(f)) : null);
  const reasons = [...new Set(parts.flatMap((p) => p.reasons))];
  const noisyRows = [...new Set(parts.flatMap((p) => p.noisyRows))];
  return {
    noisy: parts.some((p) => p.noisy),
    reasons,
    noisyRows,
    load: { before: first.load.before, after: last.load.after, cpus: first.load.cpus },
    cpu: { seconds, stealPct: weighted((p) => p.cpu.stealPct), otherBusyPct: weighted((p) => p.cpu.otherBusyPct) },
    probe: { samples, bestWallNs: best((s) => s.wallNs), bestCpuNs: best((s) => s.cpuNs) },
    limits: first.limits,
    rememberedAnyway: false,
  };
}

/** The warning a noisy run prints (stderr), or null for a quiet one. */
export function noiseWarning(
  run: { noise?: NoiseReport; results: readonly BenchResult[] },
  remembered: boolean,
): string | null {
  const n = run.noise;
  if (!n?.noisy) return null;
  const rows = n.noisyRows.length;
  const signs = [
    ...n.reasons,
    ...(rows > 0
      ? [`${rows} of ${run.results.filter((r) => r.status === 'measured').length} rows noisy (marked ~)`]
      : []),
  ];
  return (
    `warning: noisy run: ${signs.join('; ')}. ` +
    (remembered
      ? "Remembered as this machine's figures anyway (--remember-noisy)."
      : "Not remembered as this machine's figures (the lessons keep the last quiet run); --remember-noisy to keep it anyway.")
  );
}
