/**
 * Claims: the part of a lesson notice that names a figure. A claim is data (lessons/live.yaml,
 * paths.yaml): what it measures (a benchmark, a ratio of two, a /proc field, a demo's
 * measurement), the range the folklore states, and one explanation per outcome. It is rendered
 * against the figure on screen (the step's own output) or, when the step did not run, the last
 * saved bench run: "folklore says X; measured here Y; because Z". The outcome picks Z; no view
 * decides anything.
 */
import { formatFactor, formatNs } from '../bench/compare.js';
import type { SavedBench } from '../bench/saved.js';

export type ClaimMeasure =
  | { kind: 'bench'; id: string }
  | { kind: 'ratio'; numerator: string; denominator: string }
  | { kind: 'field'; name: string }
  | { kind: 'field-ratio'; numerator: string; denominator: string }
  | { kind: 'demo'; label: string };

export type Outcome = 'below' | 'within' | 'above';

export interface Claim {
  measure: ClaimMeasure;
  /** What the folklore (or the seed) says, in words. */
  folklore: string;
  /** The range the folklore states: ns for a benchmark, a factor for ratios, else the figure's unit. */
  range: [number, number];
  /** Why the figure lands where it does, one text per outcome. */
  why: Record<Outcome, string>;
}

/** A figure read from a step's output or a saved run. */
export interface Figure {
  value: number;
  /** 'ns', 'x' (a ratio), or the unit printed next to the figure (kB, MiB, µs...). */
  unit: string;
  /** p10..p90 when the source gives one. */
  spread?: [number, number];
}

export interface ClaimResult {
  claim: Claim;
  /** Where the figure came from: 'screen' (this step's output), 'saved' (last bench run), or none. */
  source: 'screen' | 'saved' | 'none';
  figure: Figure | null;
  outcome: Outcome | null;
  /** The rendered sentence(s). */
  text: string;
}

const NS_UNITS: Record<string, number> = { ns: 1, µs: 1e3, us: 1e3, ms: 1e6, s: 1e9 };

/** "244 µs" → 244000; null when it is not a time. */
export function parseNs(text: string): number | null {
  const m = /^\s*([\d.,]+)\s*(ns|µs|us|ms|s)\s*$/.exec(text);
  if (!m) return null;
  const v = Number(m[1]!.replaceAll(',', ''));
  return Number.isFinite(v) ? v * NS_UNITS[m[2]!]! : null;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const TIME = String.raw`[\d.,]+ (?:ns|µs|ms|s)`;

/** A benchmark's row in `oslens bench` output: median and p10–p90. */
export function benchFigureOnScreen(output: string, id: string): Figure | null {
  // a noisy row starts with "~" (README "Noise")
  const re = new RegExp(String.raw`^~?\s+${escapeRe(id)}\s+(${TIME})\s+(${TIME})–(${TIME})(?:\s|$)`, 'm');
  const m = re.exec(output);
  if (!m) return null;
  const [v, lo, hi] = [parseNs(m[1]!), parseNs(m[2]!), parseNs(m[3]!)];
  if (v === null || lo === null || hi === null) return null;
  return { value: v, unit: 'ns', spread: [lo, hi] };
}

/** A `Key: value unit` line of a /proc file. */
export function fieldFigureOnScreen(output: string, name: string): Figure | null {
  const m = new RegExp(String.raw`^${escapeRe(name)}:\s+([\d.]+)(?:\s+(\S+))?\s*$`, 'm').exec(output);
  if (!m) return null;
  return { value: Number(m[1]), unit: m[2] ?? '' };
}

/** A `label  value unit` line of a demo's "Measured on this machine" block. */
export function demoFigureOnScreen(output: string, label: string): Figure | null {
  const m = new RegExp(String.raw`^\s+${escapeRe(label)}\s{2,}(-?[\d.,]+)(?:\s+(\S+))?\s*$`, 'm').exec(output);
  if (!m) return null;
  const v = Number(m[1]!.replaceAll(',', ''));
  return Number.isFinite(v) ? { value: v, unit: m[2] ?? '' } : null;
}

function savedBenchFigure(saved: SavedBench | null, id: string): Figure | null {
  const r = saved?.run.results.find((x) => x.id === id && x.status === 'measured' && x.nsPerOp !== null);
  if (!r || r.nsPerOp === null) return null;
  return { value: r.nsPerOp, unit: 'ns', spread: r.p10 !== null && r.p90 !== null ? [r.p10, r.p90] : undefined };
}

function ratioOf(a: Figure | null, b: Figure | null): Figure | null {
  if (!a || !b || b.value <= 0) return null;
  return { value: a.value / b.value, unit: 'x' };
}

/** The figure a claim is about, from the step's output (or, for benchmarks, the saved run). */
export function figureFor(
  m: ClaimMeasure,
  output: string | null,
  saved: SavedBench | null,
): { figure: Figure | null; source: ClaimResult['source'] } {
  const pick = (screen: Figure | null, fallback: () => Figure | null) => {
    if (screen) return { figure: screen, source: 'screen' as const };
    const f = fallback();
    return f ? { figure: f, source: 'saved' as const } : { figure: null, source: 'none' as const };
  };
  const out = output ?? '';
  switch (m.kind) {
    case 'bench':
      return pick(output === null ? null : benchFigureOnScreen(out, m.id), () => savedBenchFigure(saved, m.id));
    case 'ratio': {
      const screen =
        output === null
          ? null
          : ratioOf(benchFigureOnScreen(out, m.numerator), benchFigureOnScreen(out, m.denominator));
      return pick(screen, () => ratioOf(savedBenchFigure(saved, m.numerator), savedBenchFigure(saved, m.denominator)));
    }
    case 'field':
      return pick(output === null ? null : fieldFigureOnScreen(out, m.name), () => null);
    case 'field-ratio':
      return pick(
        output === null
          ? null
          : ratioOf(fieldFigureOnScreen(out, m.numerator), fieldFigureOnScreen(out, m.denominator)),
        () => null,
      );
    case 'demo':
      return pick(output === null ? null : demoFigureOnScreen(out, m.label), () => null);
  }
}

export function formatFigure(v: number, unit: string): string {
  if (unit === 'ns') return formatNs(v);
  if (unit === 'x') return formatFactor(v);
  const shown = Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en-US') : String(Math.round(v * 100) / 100);
  return unit ? `${shown} ${unit}` : shown;
}

export function outcomeOf(value: number, [lo, hi]: [number, number]): Outcome {
  return value < lo ? 'below' : value > hi ? 'above' : 'within';
}

function measureName(m: ClaimMeasure): string {
  switch (m.kind) {
    case 'bench':
      return m.id;
    case 'ratio':
    case 'field-ratio':
      return `${m.numerator} / ${m.denominator}`;
    case 'field':
      return m.name;
    case 'demo':
      return m.label;
  }
}

function unitOf(m: ClaimMeasure, figure: Figure | null): string {
  if (m.kind === 'bench') return 'ns';
  if (m.kind === 'ratio' || m.kind === 'field-ratio') return 'x';
  return figure?.unit ?? '';
}

/** What a claim says against the figure: folklore, measurement, and the reason for the difference. */
export function evaluateClaim(
  claim: Claim,
  output: string | null,
  saved: SavedBench | null,
  savedDate?: string,
): ClaimResult {
  const { figure, source } = figureFor(claim.measure, output, saved);
  const unit = unitOf(claim.measure, figure);
  const [lo, hi] = claim.range;
  const range = lo === hi ? `~${formatFigure(lo, unit)}` : `${formatFigure(lo, unit)}–${formatFigure(hi, unit)}`;
  const said = `Folklore: ${claim.folklore} (${range}).`;
  if (!figure) {
    const how =
      claim.measure.kind === 'bench' || claim.measure.kind === 'ratio'
        ? `run \`oslens bench ${measureName(claim.measure).replace(' / ', ' ')}\``
        : 'run the step';
    return { claim, source, figure: null, outcome: null, text: `${said} Not measured yet (${how}).` };
  }
  const outcome = outcomeOf(figure.value, claim.range);
  const where = source === 'screen' ? 'Measured here' : `Last bench run${savedDate ? ` (${savedDate})` : ''}`;
  const spread = figure.spread
    ? `, p10–p90 ${formatFigure(figure.spread[0], unit)}–${formatFigure(figure.spread[1], unit)}`
    : '';
  const place =
    outcome === 'within'
      ? 'inside that range'
      : outcome === 'above'
        ? `${formatFactor(figure.value / hi)} above it`
        : `${formatFactor(lo / figure.value)} below it`;
  return {
    claim,
    source,
    figure,
    outcome,
    text: `${said} ${where}: ${measureName(claim.measure)} ${formatFigure(figure.value, unit)}${spread}, ${place}. ${claim.why[outcome]}`,
  };
}
