/**
 * Puts measured figures next to the reference table: verdicts per result, the ratio rows, and the
 * notes that explain where this machine and the seed disagree. Pure functions over records.
 */
import type { Clocksource } from './host-facts.js';
import type { LatencyRow } from '../lessons/types.js';
import type { BenchSpec } from './catalog.js';
import type { BenchResult, RatioResult, Verdict } from './types.js';

export function verdictFor(spec: BenchSpec, nsPerOp: number | null, reference: LatencyRow['reference']): Verdict {
  if (spec.compare === 'reference-only') return { kind: 'reference-only' };
  if (nsPerOp === null) return { kind: 'skipped' };
  if (!reference) return { kind: 'no-reference' };
  const factor =
    nsPerOp > reference.highNs ? nsPerOp / reference.highNs : nsPerOp < reference.lowNs ? nsPerOp / reference.lowNs : 1;
  if (spec.compare === 'contrast') return { kind: 'contrast', factor: nsPerOp / reference.highNs };
  // "~x" figures are order-of-magnitude: within 1.5x either way still reads as "as the table says".
  if (factor === 1 || (reference.lowNs === reference.highNs && factor < 1.5 && factor > 1 / 1.5)) {
    return { kind: 'within', factor: 1 };
  }
  return { kind: nsPerOp > reference.highNs ? 'above' : 'below', factor };
}

export function describeVerdict(v: Verdict): string {
  switch (v.kind) {
    case 'within':
      return 'within range';
    case 'above':
    case 'below':
      return `${formatFactor(v.factor)} the reference`;
    case 'contrast':
      return v.factor === null ? 'for contrast' : `${formatFactor(v.factor)} (contrast)`;
    case 'no-reference':
      return 'see ratio';
    case 'reference-only':
      return 'reference only';
    case 'skipped':
      return 'skipped';
  }
}

export function formatFactor(f: number): string {
  if (f >= 100) return `${Math.round(f).toLocaleString('en-US')}×`;
  if (f >= 10) return `${f.toFixed(0)}×`;
  if (f >= 0.1) return `${f.toFixed(1)}×`;
  return `${f.toPrecision(1)}×`;
}

export function computeRatios(results: readonly BenchResult[], rows: readonly LatencyRow[]): RatioResult[] {
  const ns = (id: string) => results.find((r) => r.id === id)?.nsPerOp ?? null;
  const out: RatioResult[] = [];
  for (const row of rows) {
    if (!row.ratio) continue;
    const a = ns(row.ratio.numerator);
    const b = ns(row.ratio.denominator);
    if (a === null || b === null || b <= 0) continue;
    out.push({
      row: row.id,
      title: row.title,
      numerator: row.ratio.numerator,
      denominator: row.ratio.denominator,
      measured: a / b,
      reference: row.ratio.value,
    });
  }
  return out;
}

/** Where the machine contradicts the folklore, say so and say why: the facts the notes use. */
export interface FolkloreFacts {
  /** The guest hands freed pages back to the hypervisor (virtio-balloon free page reporting). */
  freePageReporting: boolean;
  /** The clock the vDSO reads (host-facts.ts), when known. */
  clocksource?: Clocksource | null;
  /** The hypervisor vendor when a guest, else null. */
  hypervisor?: string | null;
}

export function folkloreNotes(
  results: readonly BenchResult[],
  ratios: readonly RatioResult[],
  heapBytes: number,
  facts: FolkloreFacts = { freePageReporting: false },
): string[] {
  const notes: string[] = [];
  const ns = (id: string) => results.find((r) => r.id === id)?.nsPerOp ?? null;
  const vdso = ratios.find((r) => r.row === 'vdso-vs-syscall');
  if (vdso && vdso.reference && vdso.measured < vdso.reference / 2) {
    notes.push(
      `vDSO: here clock_gettime through the vDSO is ${formatFactor(vdso.measured)} faster than the syscall, not the seed's ~${vdso.reference}×. ` +
        'The vDSO call still costs a few ns of reading the clock (rdtsc, and more under a hypervisor); ' +
        'the ratio depends as much on how cheap this kernel makes its syscall entry as on the vDSO itself.' +
        clockNote(facts),
    );
  }
  const forkLarge = ns('fork-large');
  const copy = ns('memcpy-large');
  if (forkLarge !== null) {
    const gib = heapBytes / 2 ** 30;
    const ptes = Math.round(heapBytes / 4096);
    const parts = [
      `fork of a process with a ${gib >= 1 ? `${gib} GiB` : `${Math.round(heapBytes / 2 ** 20)} MiB`} heap took ${formatNs(forkLarge)}`,
    ];
    if (copy !== null)
      parts.push(
        `copying that heap takes ${formatNs(copy)} (${formatFactor(copy / forkLarge)} more): copy-on-write really does skip the data`,
      );
    if (forkLarge > 1e6) {
      parts.push(
        `but "fork is microseconds" is folklore for small processes: the kernel still copies ${ptes.toLocaleString('en-US')} page-table entries ` +
          'and write-protects and counts every page, so the cost grows with the mapped size (and exit has to undo it)',
      );
    }
    notes.push(parts.join('; ') + '.');
  }
  const faults = ratios.find((r) => r.row === 'minor-vs-major-fault');
  if (faults && faults.reference && faults.measured < faults.reference / 10) {
    notes.push(
      `Major vs minor fault: ${formatFactor(faults.measured)} here, not ~${faults.reference.toLocaleString('en-US')}×. ` +
        'The "disk" answers in tens of µs (an SSD, or a virtual disk cached by the host), not milliseconds; and a minor fault ' +
        'costs more than the folklore assumes once the kernel zeroes the page' +
        (facts.freePageReporting
          ? ', and on this VM freed memory is reported back to the hypervisor (page_reporting), so a first touch faults in the host as well.'
          : '.'),
    );
  }
  const p50 = (id: string) => {
    const m = /p50 (\d+)/.exec(results.find((r) => r.id === id)?.note ?? '');
    return m ? Number(m[1]) : null;
  };
  const idle = p50('wakeup-1ms');
  const busy = p50('wakeup-1ms-hog');
  if (idle !== null && busy !== null && busy < idle) {
    notes.push(
      `Wakeup: a sleeper here wakes sooner beside a CPU hog (p50 ${formatNs(busy)}) than on an idle CPU (${formatNs(idle)}). ` +
        'An idle CPU halts' +
        (facts.hypervisor
          ? `, and a halted vCPU of this ${facts.hypervisor} guest waits for the host to run it again`
          : ' in a C-state it must leave') +
        '; a busy one only has to switch tasks. cyclictest sets /dev/cpu_dma_latency to 0 to keep CPUs out of deep idle for this reason.',
    );
  }
  return notes;
}

/** The clocksource behind the vDSO figure, as a sentence to add to the vDSO note. */
function clockNote(facts: FolkloreFacts): string {
  const cs = facts.clocksource;
  if (!cs) return '';
  if (!cs.vdsoCapable)
    return ` Here the clocksource is ${cs.current}, which the vDSO cannot read from user space: it falls back to the syscall, so the two cost nearly the same.`;
  const guest = facts.hypervisor ? ` on this ${facts.hypervisor} guest` : '';
  return ` Here the clocksource is ${cs.current}${guest}: ${cs.current === 'kvm-clock' ? 'the vDSO reads the TSC and scales it with a page the hypervisor keeps up to date' : 'the vDSO reads it with one instruction'}.`;
}

const UNITS: [number, string][] = [
  [1e9, 's'],
  [1e6, 'ms'],
  [1e3, 'µs'],
  [1, 'ns'],
];

/** 1234 → "1.23 µs"; three significant digits, the unit chosen to fit. */
export function formatNs(ns: number): string {
  if (!Number.isFinite(ns)) return '—';
  for (const [scale, unit] of UNITS) {
    if (Math.abs(ns) >= scale || scale === 1) {
      const v = ns / scale;
      return `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)} ${unit}`;
    }
  }
  return `${ns} ns`;
}
