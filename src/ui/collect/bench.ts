/**
 * `bench --live` view model: one row per benchmark of the run (waiting, running, done), each with a
 * bar on a log scale (0.1 ns .. 1 s) drawn against the latency row's reference range.
 */
import { describeVerdict, formatNs } from '../../bench/compare.js';
import type { BenchResult } from '../../bench/types.js';
import { findLatencyRow } from '../../lessons/load.js';
import type { ModelId } from '../../lessons/types.js';

import { logPosition } from '../../bench/scale.js';

export { AXIS_DECADES, AXIS_MIN_NS, axisLabels, logPosition } from '../../bench/scale.js';

export type BenchRowState = 'waiting' | 'running' | 'done' | 'skipped';

export interface BenchSpecLike {
  id: string;
  title: string;
  model: ModelId;
  row: string;
}

export interface BenchRowView {
  id: string;
  title: string;
  model: ModelId;
  row: string;
  state: BenchRowState;
  /** "412 ns", "running…", "skipped: …", "". */
  measured: string;
  /** The row's reference as the seed states it. */
  reference: string;
  verdict: string;
  /** Measured ns per op (null until measured). */
  nsPerOp: number | null;
  refNs: { lowNs: number; highNs: number } | null;
  /** within / above / below / other, for colouring. */
  tone: 'within' | 'above' | 'below' | 'neutral';
}

export interface BenchLiveModel {
  rows: BenchRowView[];
  done: number;
  total: number;
  running: string | null;
}

export type SegmentKind = 'bar' | 'bar-in-ref' | 'ref' | 'empty';
export interface BarSegment {
  kind: SegmentKind;
  length: number;
}

/**
 * The bar of one row as runs of cells: the measured bar from the left edge, the reference range
 * shaded where it lies (overlap marked, so "inside the range" is visible at a glance).
 */
export function barSegments(
  nsPerOp: number | null,
  ref: { lowNs: number; highNs: number } | null,
  width: number,
): BarSegment[] {
  const bar = nsPerOp === null ? 0 : Math.max(1, logPosition(nsPerOp, width));
  let refFrom = -1;
  let refTo = -1;
  if (ref) {
    refFrom = logPosition(ref.lowNs, width);
    refTo = Math.max(refFrom + 1, logPosition(ref.highNs, width));
    if (refFrom >= width) refFrom = width - 1;
  }
  const kinds: SegmentKind[] = [];
  for (let i = 0; i < width; i++) {
    const inBar = i < bar;
    const inRef = i >= refFrom && i < refTo;
    kinds.push(inBar && inRef ? 'bar-in-ref' : inBar ? 'bar' : inRef ? 'ref' : 'empty');
  }
  const out: BarSegment[] = [];
  for (const k of kinds) {
    const last = out[out.length - 1];
    if (last && last.kind === k) last.length++;
    else out.push({ kind: k, length: 1 });
  }
  return out;
}

function toneOf(r: BenchResult): BenchRowView['tone'] {
  const k = r.verdict.kind;
  return k === 'within' ? 'within' : k === 'above' ? 'above' : k === 'below' ? 'below' : 'neutral';
}

export function benchLiveModel(
  specs: readonly BenchSpecLike[],
  results: ReadonlyMap<string, BenchResult>,
  running: string | null,
): BenchLiveModel {
  const rows = specs.map((s): BenchRowView => {
    const row = findLatencyRow(s.row);
    const r = results.get(s.id);
    const base = {
      id: s.id,
      title: s.title,
      model: s.model,
      row: s.row,
      reference: row.display,
      refNs: row.reference,
    };
    if (!r) {
      const state: BenchRowState = s.id === running ? 'running' : 'waiting';
      return {
        ...base,
        state,
        measured: state === 'running' ? 'running…' : '',
        verdict: '',
        nsPerOp: null,
        tone: 'neutral',
      };
    }
    if (r.nsPerOp === null) {
      const why = r.status === 'reference-only' ? 'reference only' : `skipped: ${r.skipped ?? ''}`;
      return { ...base, state: 'skipped', measured: why, verdict: '', nsPerOp: null, tone: 'neutral' };
    }
    return {
      ...base,
      state: 'done',
      measured: formatNs(r.nsPerOp),
      verdict:
        r.verdict.kind === 'above' || r.verdict.kind === 'below'
          ? `${r.verdict.kind}: ${describeVerdict(r.verdict)}`
          : describeVerdict(r.verdict),
      nsPerOp: r.nsPerOp,
      tone: toneOf(r),
    };
  });
  return { rows, done: results.size, total: specs.length, running };
}

/** One finished result as a plain line (no TTY). */
export function benchPlainLine(v: BenchRowView, index: number, total: number): string {
  const bar = barSegments(v.nsPerOp, v.refNs, 20)
    .map((s) => (s.kind === 'empty' ? ' ' : s.kind === 'ref' ? '░' : '█').repeat(s.length))
    .join('');
  return `[${index}/${total}] ${v.id.padEnd(16)} ${v.measured.padStart(10)}  ref ${v.reference.padEnd(14)} ${v.verdict.padEnd(18)} |${bar}|`;
}
