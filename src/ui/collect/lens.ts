/**
 * The "lens" side panel's content: the mental model behind whatever has focus, in plain words
 * (from lessons/ data), with its latency row and, when a bench run was saved, what this machine
 * measured for it. Pure apart from reading the lessons (cached by src/lessons).
 */
import { formatFactor, formatNs } from '../../bench/compare.js';
import type { BenchRun } from '../../bench/types.js';
import { findLatencyRow, findModel } from '../../lessons/load.js';
import { wrap } from '../../lessons/text.js';
import type { ModelId } from '../../lessons/types.js';

/** What has focus: a panel (or a row of it) and the model that explains it. */
export interface LensFocus {
  /** The panel or row, as the user sees it ("Page faults/s", "row: python3 (1234)"). */
  label: string;
  model: ModelId;
  /** lessons/latency.yaml row the figure shown relates to. */
  row?: string;
  /** Prefer this benchmark's measurement for the row (several measure one row). */
  benchId?: string;
  /** A line or two about the focused figure itself (what it counts, where it comes from). */
  detail?: string[];
}

export interface LensLatency {
  title: string;
  /** The seed's figure, e.g. "~100-300 ns". */
  reference: string;
  /** This machine's figure from the saved bench run, e.g. "412 ns (syscall-getpid)". */
  measured: string | null;
}

export interface LensContent {
  label: string;
  modelTitle: string;
  summary: string;
  /** A few lines of the lesson ("The illusion and the truth"), markdown stripped. */
  excerpt: string;
  latency: LensLatency | null;
  detail: string[];
  /** Where the measured figure came from, or how to get one. */
  benchNote: string;
}

// The remembered bench run lives with the bench code; re-exported for the views.
export { defaultBenchFile, loadSavedBench, type SavedBench } from '../../bench/saved.js';
import type { SavedBench } from '../../bench/saved.js';

/** Markdown → plain words: no backticks, emphasis, links. */
export function plainText(md: string): string {
  return md
    .replace(/`([^`]*)`/g, '$1')
    .replace(/\*\*([^*]+)\*\*/g, '$1')
    .replace(/\*([^*]+)\*/g, '$1')
    .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The first paragraph of a "## Heading" section of a lesson body. */
export function lessonSection(body: string, heading: string): string | null {
  const at = body.indexOf(`## ${heading}`);
  if (at < 0) return null;
  const rest = body.slice(at).split('\n').slice(1).join('\n');
  const end = rest.search(/\n## /);
  const section = end < 0 ? rest : rest.slice(0, end);
  const para = section
    .trim()
    .split(/\n\s*\n/)
    .find((p) => p.trim() !== '');
  return para ? plainText(para) : null;
}

/** The figure this machine measured for a latency row, from a saved run. */
export function measuredFor(run: BenchRun, row: string, benchId?: string): string | null {
  const measured = run.results.filter((r) => r.row === row && r.nsPerOp !== null);
  const pick = measured.find((r) => r.id === benchId) ?? measured[0];
  if (pick && pick.nsPerOp !== null) return `${formatNs(pick.nsPerOp)} (${pick.id})`;
  const ratio = run.ratios.find((r) => r.row === row);
  if (ratio) return `${formatFactor(ratio.measured)} (${ratio.numerator} / ${ratio.denominator})`;
  return null;
}

/** Each model's excerpt, worked out once: the dashboards ask for the lens every tick. */
const excerpts = new Map<string, string>();

let last: { key: string; bench: SavedBench | null; content: LensContent } | null = null;

/**
 * The lens content for `focus`. Dashboards ask every tick; the same focus (and bench run) gives
 * the same object back, so the shell can skip the re-wrap by identity.
 */
export function lensFor(focus: LensFocus, bench: SavedBench | null): LensContent {
  const key = JSON.stringify(focus);
  if (last && last.key === key && last.bench === bench) return last.content;
  const content = buildLens(focus, bench);
  last = { key, bench, content };
  return content;
}

function buildLens(focus: LensFocus, bench: SavedBench | null): LensContent {
  const model = findModel(focus.model);
  let excerpt = excerpts.get(model.body);
  if (excerpt === undefined) {
    excerpt = lessonSection(model.body, 'The illusion and the truth') ?? lessonSection(model.body, 'What it is') ?? '';
    excerpts.set(model.body, excerpt);
  }
  let latency: LensLatency | null = null;
  if (focus.row) {
    const row = findLatencyRow(focus.row);
    latency = {
      title: row.title,
      reference: row.display,
      measured: bench ? measuredFor(bench.run, row.id, focus.benchId) : null,
    };
  }
  const benchNote = bench
    ? `measured: ${bench.file} (${bench.date.slice(0, 10)})`
    : "no saved bench run: `oslens bench --live` (or bench --save FILE, then --bench FILE) adds this machine's figures";
  return {
    label: focus.label,
    modelTitle: `${model.number}. ${model.title}`,
    summary: model.summary,
    excerpt,
    latency,
    detail: focus.detail ?? [],
    benchNote,
  };
}

/**
 * The lens as plain lines (the view adds colour; the no-TTY mode prints these), wrapped at word
 * boundaries to `width` when given: blessed's own wrap cuts a word that has no space within ten
 * characters before the edge ("thread-gro up").
 */
export function lensLines(c: LensContent, width?: number): string[] {
  const lines = unwrappedLensLines(c);
  if (!width || width < 10) return lines;
  return lines.flatMap((l) => {
    const indent = /^\s*/.exec(l)![0];
    return l.length <= width ? [l] : wrap(l.trim(), width, indent, true).split('\n');
  });
}

function unwrappedLensLines(c: LensContent): string[] {
  const lines = [`Focus: ${c.label}`, `Model: ${c.modelTitle}`, '', c.summary];
  if (c.detail.length > 0) lines.push('', ...c.detail);
  if (c.latency) {
    lines.push('', `Latency row: ${c.latency.title}`, `  reference ${c.latency.reference}`);
    lines.push(`  this machine: ${c.latency.measured ?? 'not measured yet'}`);
  }
  if (c.excerpt) lines.push('', c.excerpt);
  if (c.latency) lines.push('', c.benchNote);
  return lines;
}
