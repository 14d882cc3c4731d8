/**
 * The report's host and run blocks: the facts a run carries, as definition lists. Known fields
 * get a label and a unit; any other field a run carries (newer runs add host facts, the noise
 * block) is still shown, under its own key, so an older oslens's report loses nothing.
 */
import type { BenchRun } from '../bench/types.js';
import { htmlText } from '../util/html.js';

const bytes = (b: unknown) => {
  if (typeof b !== 'number' || !Number.isFinite(b)) return String(b);
  if (b >= 2 ** 30) return `${(b / 2 ** 30).toFixed(1)} GiB`;
  if (b >= 2 ** 20) return `${(b / 2 ** 20).toFixed(b % 2 ** 20 ? 1 : 0)} MiB`;
  return `${(b / 1024).toFixed(0)} KiB`;
};

const obj = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const str = (v: unknown) => String(v ?? '?');
/** " (a; b)" of the parts that are not empty, or "". */
const paren = (...parts: string[]) => (parts.some(Boolean) ? ` (${parts.filter(Boolean).join('; ')})` : '');

/**
 * /sys/devices/system/cpu/vulnerabilities in one line: what is mitigated or vulnerable, by
 * name and state; the "Not affected" ones only counted (they cost nothing).
 */
function mitigationsText(v: unknown): string {
  const entries = Object.entries(obj(v)).map(([k, x]) => [k, str(x)] as const);
  if (entries.length === 0) return 'not reported';
  const affected = entries.filter(([, x]) => !/^not affected$/i.test(x));
  const calm = entries.length - affected.length;
  const listed = affected.map(([k, x]) => `${k}: ${x}`).join(' · ');
  return `${listed || 'none needed'}${calm ? ` · ${calm} not affected` : ''}`;
}

/** "cpuModel" → "cpu model", for keys without a label of their own. */
const words = (key: string) => key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();

const HOST_LABELS: Record<string, [string, (v: unknown, host: Record<string, unknown>) => string]> = {
  hostname: ['host', String],
  cpuModel: ['CPU', (v, h) => `${String(v)}${typeof h.cores === 'number' ? `, ${h.cores} cores` : ''}`],
  kernel: ['kernel', (v, h) => `Linux ${String(v)}${typeof h.arch === 'string' ? ` (${h.arch})` : ''}`],
  memoryBytes: ['memory', bytes],
  cache: [
    'caches',
    (v) => {
      const c = (v ?? {}) as Record<string, unknown>;
      const src = c.source === 'default' ? ' (defaults: no sysfs cache info)' : '';
      return `L1d ${bytes(c.l1dBytes)} · L2 ${bytes(c.l2Bytes)} · LLC ${bytes(c.llcBytes)}${src}`;
    },
  ],
  clocksource: [
    'clocksource',
    (v) => {
      const c = obj(v);
      const vdso =
        c.vdsoCapable === true
          ? 'the vDSO reads it'
          : c.vdsoCapable === false
            ? 'the vDSO cannot read it: clock_gettime is a syscall'
            : '';
      const offered = Array.isArray(c.available) ? `offered: ${c.available.map(String).join(', ')}` : '';
      return `${str(c.current)}${paren(vdso, offered)}`;
    },
  ],
  hypervisor: [
    'hypervisor',
    (v) => {
      const hv = obj(v);
      if (hv.guest !== true) return 'none (the CPU does not say it is a guest)';
      return `${hv.vendor ? str(hv.vendor) : 'a guest, vendor unknown'}${paren(hv.evidence ? `from ${str(hv.evidence)}` : '')}`;
    },
  ],
  preemption: [
    'preemption',
    (v) => `${str(obj(v).model ?? 'unknown')}${paren(obj(v).source ? str(obj(v).source) : '')}`,
  ],
  cpufreq: [
    'CPU clock',
    (v) => {
      const f = obj(v);
      const range = typeof f.minMhz === 'number' && typeof f.maxMhz === 'number' ? `${f.minMhz}–${f.maxMhz} MHz` : '';
      const gov = f.governor ? `governor ${str(f.governor)}` : 'no cpufreq governor';
      return `${typeof f.mhz === 'number' ? `${Math.round(f.mhz)} MHz` : '?'}${paren(gov, f.driver ? `driver ${str(f.driver)}` : '', range)}`;
    },
  ],
  thp: ['THP', (v) => `enabled ${str(obj(v).enabled ?? '?')}, defrag ${str(obj(v).defrag ?? '?')}`],
  disk: [
    'disk',
    (v) => {
      const d = obj(v);
      const kind = d.rotational === true ? 'rotational' : d.rotational === false ? 'non-rotational' : '';
      const sched = d.scheduler ? `scheduler ${str(d.scheduler)}` : '';
      const dev = d.device ? str(d.device) : 'no block device';
      return `${str(d.dir)}: ${str(d.fsType ?? '?')} on ${dev}${paren(d.model ? str(d.model) : '', kind, sched)}`;
    },
  ],
  node: ['Node', String],
  date: ['date', String],
  cmdline: [
    'kernel options',
    (v) => (Array.isArray(v) && v.length > 0 ? v.map(String).join(' ') : 'none that change a figure'),
  ],
  mitigations: ['CPU mitigations', mitigationsText],
};
/** Long lines, each across the whole card, after the others. */
const WIDE = new Set(['cmdline', 'mitigations']);
/** Folded into another field's line. */
const FOLDED = new Set(['cores', 'arch']);

function valueHtml(v: unknown, depth = 0): string {
  if (v === null || v === undefined) return '<span class="dim">—</span>';
  if (Array.isArray(v))
    return v.length === 0 ? '<span class="dim">none</span>' : v.map((x) => valueHtml(x, depth)).join(', ');
  if (typeof v === 'object') {
    if (depth >= 2) return htmlText(JSON.stringify(v));
    return factList(
      Object.entries(v as Record<string, unknown>).map(([k, x]) => [htmlText(k), valueHtml(x, depth + 1)]),
      'nested',
    );
  }
  return htmlText(v);
}

/** A term and its definition, both HTML; 'wide' spans the card. */
export type Fact = [string, string] | [string, string, 'wide'];

export function factList(rows: readonly Fact[], cls = 'facts'): string {
  // Each pair in its own div (valid in a dl): the list can flow into columns without splitting one.
  const item = ([k, v, wide]: Fact) => `<div${wide ? ' class="wide"' : ''}><dt>${k}</dt><dd>${v}</dd></div>`;
  return `<dl class="${cls}">${rows.map(item).join('')}</dl>`;
}

/** The host's facts (term, definition HTML): the known ones first, labelled, then whatever else the run recorded. */
export function hostFacts(host: BenchRun['host']): Fact[] {
  const h = host as unknown as Record<string, unknown>;
  const rows: Fact[] = [];
  for (const [key, [label, show]] of Object.entries(HOST_LABELS)) {
    if (!(key in h)) continue;
    rows.push(WIDE.has(key) ? [label, htmlText(show(h[key], h)), 'wide'] : [label, htmlText(show(h[key], h))]);
  }
  for (const [key, value] of Object.entries(h)) {
    if (key in HOST_LABELS || FOLDED.has(key)) continue;
    rows.push([htmlText(words(key)), valueHtml(value)]);
  }
  return rows;
}

/** How the run was made: batches, --quick, heap, the disk directory. */
export function runFacts(run: BenchRun): Fact[] {
  const o = (run.options ?? {}) as Partial<BenchRun['options']>;
  const rows: Fact[] = [];
  rows.push(['oslens', htmlText(run.oslens ?? '?')]);
  if (typeof o.batches === 'number')
    rows.push(['batches', htmlText(`${o.batches} per benchmark${o.quick ? ' (--quick)' : ''}; median, p10–p90`)]);
  if (typeof o.heapBytes === 'number') rows.push(['heap', htmlText(bytes(o.heapBytes))]);
  // Newer runs name the directory in host.disk, with its filesystem and device.
  if (typeof o.tmpdir === 'string' && !run.host.disk) rows.push(['disk dir', htmlText(o.tmpdir)]);
  return rows;
}

/** A run's noise verdict (`noise` in the JSON, README "Noise"), or null for a run from before it. */
export function noiseVerdict(run: BenchRun): { noisy: boolean; reasons: string[]; noisyRows: string[] } | null {
  const n = (run as { noise?: unknown }).noise as Record<string, unknown> | undefined;
  if (!n || typeof n !== 'object') return null;
  const strings = (v: unknown) => (Array.isArray(v) ? v.filter((r): r is string => typeof r === 'string') : []);
  return { noisy: n.noisy === true, reasons: strings(n.reasons), noisyRows: strings(n.noisyRows) };
}

/** A row's noise marks (BenchResult.noise), or null when it has none. */
export function rowNoise(r: { noise?: unknown }): { noisy: boolean; reasons: string[] } | null {
  const n = r.noise as Record<string, unknown> | null | undefined;
  if (!n || typeof n !== 'object') return null;
  const reasons = Array.isArray(n.reasons) ? n.reasons.filter((x): x is string => typeof x === 'string') : [];
  return { noisy: n.noisy === true, reasons };
}

const num = (v: unknown, digits = 1) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : '?');

/**
 * What the noise checks saw (term, definition HTML), each beside its limit: load before and
 * after, steal and other work's CPU, the reference loop. The probe's samples stay in the JSON.
 */
export function noiseFacts(run: BenchRun): Fact[] {
  const n = (run as { noise?: unknown }).noise as Record<string, Record<string, unknown>> | undefined;
  if (!n || typeof n !== 'object') return [];
  const limits = (n.limits ?? {}) as Record<string, unknown>;
  const rows: Fact[] = [];
  const load = n.load;
  if (load && Array.isArray(load.before) && Array.isArray(load.after)) {
    rows.push([
      'load (1 min)',
      htmlText(
        `${num(load.before[0], 2)} before, ${num(load.after[0], 2)} after, on ${num(load.cpus, 0)} CPUs (limit ${num(limits.loadPerCpu, 1)} others per CPU)`,
      ),
    ]);
  }
  const cpu = n.cpu;
  if (cpu && typeof cpu === 'object') {
    rows.push(['steal', htmlText(`${num(cpu.stealPct)}% of CPU time (limit ${num(limits.stealPct, 0)}%)`)]);
    rows.push([
      'other work',
      htmlText(
        `${num(cpu.otherBusyPct)}% of CPU time over ${num(cpu.seconds)} s (limit ${num(limits.otherBusyPct, 0)}%)`,
      ),
    ]);
  }
  const probe = n.probe;
  if (probe && typeof probe === 'object') {
    const samples = Array.isArray(probe.samples) ? probe.samples.length : 0;
    const best = typeof probe.bestWallNs === 'number' ? `${(probe.bestWallNs / 1e6).toFixed(2)} ms best` : 'no sample';
    rows.push([
      'reference loop',
      htmlText(
        `${samples} runs, ${best} (a row is noisy beside one > ${num(limits.probeSlowdown, 2)}× slower or < ${Math.round(Number(limits.probeOnCpu) * 100)}% on CPU)`,
      ),
    ]);
  }
  if (typeof limits.waitShare === 'number')
    rows.push([
      'batches',
      htmlText(
        `a row is noisy when its median batch waited for the CPU > ${Math.round(limits.waitShare * 100)}% of its time`,
      ),
    ]);
  if (typeof limits.roundDisagreement === 'number')
    rows.push([
      'rounds',
      htmlText(`a row is noisy when its rounds disagree by > ${Math.round(limits.roundDisagreement * 100)}%`),
    ]);
  if (n.rememberedAnyway === (true as unknown))
    rows.push(['remembered', 'as the machine’s figures anyway (--remember-noisy)']);
  return rows;
}
