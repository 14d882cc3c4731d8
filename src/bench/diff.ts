/**
 * Two bench runs side by side (bench --compare): the rows both or either measured, their ratio,
 * which of them were noisy, and the host facts that differ (what may explain a difference).
 */
import { BENCHMARKS, findBench } from './catalog.js';
import { activeMitigations } from './host-facts.js';
import type { HostInfo } from './host.js';
import type { BenchRun } from './types.js';

export interface RunDiffRow {
  id: string;
  /** Median ns/op in each run, null when that run did not measure it. */
  a: number | null;
  b: number | null;
  /** a / b, null unless both measured it. */
  ratio: number | null;
  noisyA: boolean;
  noisyB: boolean;
}

export interface RunDiff {
  rows: RunDiffRow[];
  /** Host facts whose values differ, as text for each run ("—" when a run does not record it). */
  hostDifferences: { fact: string; a: string; b: string }[];
}

/** One comparable text per fact: what a reader would want to see differ between two machines. */
function factTexts(h: HostInfo): Record<string, string> {
  const dash = '—';
  return {
    cpu: `${h.cpuModel}, ${h.cores} cores`,
    kernel: h.kernel,
    clocksource: h.clocksource?.current ?? dash,
    hypervisor: h.hypervisor ? (h.hypervisor.guest ? (h.hypervisor.vendor ?? 'unknown') : 'none') : dash,
    thp: h.thp?.enabled ?? dash,
    'cpufreq governor': h.cpufreq ? (h.cpufreq.governor ?? 'none') : dash,
    MHz: h.cpufreq?.mhz != null ? String(h.cpufreq.mhz) : dash,
    preemption: h.preemption?.model ?? dash,
    disk: h.disk ? `${h.disk.device ?? 'none'} (${h.disk.fsType ?? '?'})` : dash,
    mitigations: h.mitigations ? activeMitigations(h.mitigations).join('; ') || 'none' : dash,
    'kernel options': h.cmdline ? h.cmdline.join(' ') || 'none' : dash,
  };
}

/** The comparison; `ids` (when not empty) keeps only those rows, in that order. */
export function diffRuns(a: BenchRun, b: BenchRun, ids: readonly string[] = []): RunDiff {
  const union = new Set([...a.results.map((r) => r.id), ...b.results.map((r) => r.id)]);
  // catalog order (the table's), then any id this version does not know
  const all = [
    ...BENCHMARKS.map((x) => x.id).filter((id) => union.has(id)),
    ...[...union].filter((id) => !findBench(id)),
  ];
  const rows = (ids.length > 0 ? ids.filter((id) => all.includes(id)) : all).map((id) => {
    const ra = a.results.find((r) => r.id === id);
    const rb = b.results.find((r) => r.id === id);
    const na = ra?.nsPerOp ?? null;
    const nb = rb?.nsPerOp ?? null;
    return {
      id,
      a: na,
      b: nb,
      ratio: na !== null && nb !== null && nb > 0 ? na / nb : null,
      noisyA: Boolean(ra?.noise?.noisy),
      noisyB: Boolean(rb?.noise?.noisy),
    };
  });
  const fa = factTexts(a.host);
  const fb = factTexts(b.host);
  const hostDifferences = Object.keys(fa)
    .filter((k) => fa[k] !== fb[k])
    .map((fact) => ({ fact, a: fa[fact] as string, b: fb[fact] as string }));
  return { rows, hostDifferences };
}
