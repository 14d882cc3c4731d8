/**
 * Text views of a BenchRun: the table grouped by mental model, with a log-scale bar so the orders
 * of magnitude are seen, the ratio rows, the folklore notes, and a side-by-side comparison.
 */
import { findModel, loadLatencyTable } from '../lessons/load.js';
import type { ModelId } from '../lessons/types.js';
import { describeVerdict, formatFactor, formatNs } from './compare.js';
import { diffRuns } from './diff.js';
import { hostFactLines } from './host-facts.js';
import { AXIS_DECADES, AXIS_MIN_NS, axisLabels } from './scale.js';
import type { BenchResult, BenchRun } from './types.js';

/** Bar scale: the shared log axis (scale.ts), BAR_PER_DECADE cells per decade. */
const BAR_PER_DECADE = 2;
const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

export function logBar(ns: number): string {
  if (!(ns > 0)) return '';
  const cells = Math.max(0, Math.min(AXIS_DECADES, Math.log10(ns / AXIS_MIN_NS))) * BAR_PER_DECADE;
  const full = Math.floor(cells);
  return '█'.repeat(full) + (EIGHTHS[Math.round((cells - full) * 7)] ?? '');
}

const BAR_WIDTH = AXIS_DECADES * BAR_PER_DECADE;

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}
function padStart(s: string, n: number): string {
  return s.length >= n ? s : ' '.repeat(n - s.length) + s;
}

function referenceText(r: BenchResult): string {
  const row = loadLatencyTable().find((x) => x.id === r.row);
  if (!row) return '';
  return row.reference ? row.display : 'ratio, below';
}

function measuredText(r: BenchResult): string {
  if (r.status === 'reference-only') return '—';
  if (r.nsPerOp === null) return 'skipped';
  return formatNs(r.nsPerOp);
}

function spreadText(r: BenchResult): string {
  if (r.p10 === null || r.p90 === null) return '';
  return `${formatNs(r.p10)}–${formatNs(r.p90)}`;
}

/**
 * The table. `width` (the terminal's columns) drops the bar column when the full table would not
 * fit, and wraps the prose lines, so a narrow terminal still shows every figure and verdict.
 */
export function renderTable(run: BenchRun, opts: { color?: boolean; width?: number } = {}): string {
  const lines: string[] = [];
  const h = run.host;
  const kib = (b: number) => (b >= 1 << 20 ? `${b / (1 << 20)} MiB` : `${b / 1024} KiB`);
  const proseWidth = Math.min(100, Math.max(40, (opts.width ?? 200) - 2));
  const bars = opts.width === undefined || opts.width >= 100 + BAR_WIDTH;
  // Below 100 columns each row takes two lines: the figures, then the reference and verdict.
  const twoLine = opts.width !== undefined && opts.width < 100;
  lines.push(
    ...wrap(
      `oslens bench on ${h.hostname}: ${h.cpuModel}, ${h.cores} cores, Linux ${h.kernel}, ` +
        `L1d ${kib(h.cache.l1dBytes)} / L2 ${kib(h.cache.l2Bytes)} / LLC ${kib(h.cache.llcBytes)}` +
        `${h.cache.source === 'default' ? ' (defaults: no sysfs cache info)' : ''}`,
      opts.width === undefined ? 1000 : proseWidth,
    ),
  );
  for (const fact of hostFactLines(h)) lines.push(...wrap(fact, opts.width === undefined ? 1000 : proseWidth));
  lines.push(
    ...wrap(
      `median of ${run.options.batches} batches per benchmark${(run.options.rounds ?? 1) > 1 ? ` in ${run.options.rounds} interleaved rounds` : ''}${run.options.quick ? ' (--quick)' : ''}; p10–p90 shows the spread` +
        (bars ? `; bar: log scale, 1 cell = ×${Math.round(10 ** (1 / BAR_PER_DECADE) * 10) / 10}` : ''),
      opts.width === undefined ? 1000 : proseWidth,
    ),
  );
  if (run.noise?.noisy) {
    const signs =
      run.noise.reasons.length > 0 ? run.noise.reasons.join('; ') : 'some rows were measured beside other work';
    lines.push(
      ...wrap(`NOISY RUN: ${signs}. Rows marked ~ had their own signs.`, opts.width === undefined ? 1000 : proseWidth),
    );
  }
  const header = twoLine
    ? pad('benchmark', 24) + padStart('measured', 10) + '  p10–p90\n' + pad('', 6) + 'reference: verdict'
    : pad('benchmark', 30) +
      padStart('measured', 10) +
      '  ' +
      pad('p10–p90', 20) +
      pad('reference', 16) +
      (bars ? pad('verdict', 22) + 'bar' : 'verdict');
  const scale = pad('', header.length - 'bar'.length) + axisLabels(BAR_WIDTH);
  lines.push('', header);
  if (bars) lines.push(scale);
  const dim = (s: string) => (opts.color ? `\x1b[2m${s}\x1b[0m` : s);
  const bold = (s: string) => (opts.color ? `\x1b[1m${s}\x1b[0m` : s);
  const models: ModelId[] = [];
  for (const r of run.results) if (!models.includes(r.model)) models.push(r.model);
  for (const model of models) {
    const m = findModel(model);
    if (opts.width === undefined) lines.push('', bold(`${m.title}`) + dim(` — ${m.summary}`));
    else lines.push('', ...wrap(`${m.title} — ${m.summary}`, proseWidth).map((l, i) => (i === 0 ? bold(l) : dim(l))));
    for (const r of run.results.filter((x) => x.model === model)) {
      const mark = r.noise?.noisy ? '~ ' : '  ';
      const bar = r.nsPerOp !== null ? logBar(r.nsPerOp) : '';
      if (twoLine) {
        lines.push(`${mark}${pad(r.id, 22)}${padStart(measuredText(r), 10)}  ${spreadText(r)}`.trimEnd());
        lines.push(`      ${referenceText(r)}: ${describeVerdict(r.verdict)}`);
        if (r.status === 'skipped') lines.push(dim(`      skipped: ${r.skipped}`));
        if (r.note) lines.push(dim(`      ${r.note}`));
        if (r.noise?.noisy) lines.push(dim(`      noisy: ${r.noise.reasons.join('; ')}`));
        continue;
      }
      lines.push(
        mark +
          pad(r.id, 28) +
          padStart(measuredText(r), 10) +
          '  ' +
          pad(spreadText(r), 20) +
          pad(referenceText(r), 16) +
          (bars ? pad(describeVerdict(r.verdict), 22) + pad(bar, BAR_WIDTH) : describeVerdict(r.verdict)),
      );
      if (r.status === 'skipped') lines.push(dim(`      skipped: ${r.skipped}`));
      if (r.note) lines.push(dim(`      ${r.note}`));
      if (r.noise?.noisy) lines.push(dim(`      noisy: ${r.noise.reasons.join('; ')}`));
    }
  }
  if (run.ratios.length > 0) {
    lines.push('', bold('Ratios'));
    for (const q of run.ratios) {
      const ref = q.reference === null ? 'no seed figure' : `seed: ~${q.reference.toLocaleString('en-US')}×`;
      const pair = `${q.numerator} / ${q.denominator}`;
      if (bars)
        lines.push(`  ${pad(q.title, 46)} ${pad(pair, 30)} ${padStart(formatFactor(q.measured), 9)}   (${ref})`);
      else lines.push(`  ${q.title}`, `    ${pad(pair, 40)} ${padStart(formatFactor(q.measured), 9)}   (${ref})`);
    }
  }
  if (run.notes.length > 0) {
    lines.push('', bold('Where this machine and the folklore disagree'));
    for (const n of run.notes)
      lines.push(...wrap(n, proseWidth - 4).map((l, i) => (i === 0 ? `  - ${l}` : `    ${l}`)));
  }
  return lines.join('\n') + '\n';
}

/** The `write-devnull` vs `counter-inc` view: the two side by side and their ratio. */
export function renderPair(run: BenchRun, a: string, b: string): string | null {
  const ra = run.results.find((r) => r.id === a);
  const rb = run.results.find((r) => r.id === b);
  if (!ra?.nsPerOp || !rb?.nsPerOp) return null;
  const width = 40;
  const scaleMax = Math.max(ra.nsPerOp, rb.nsPerOp);
  const linear = (ns: number) => '█'.repeat(Math.max(1, Math.round((ns / scaleMax) * width)));
  return [
    `${ra.title} vs ${rb.title}`,
    `  ${pad(ra.id, 16)} ${padStart(formatNs(ra.nsPerOp), 10)} per ${ra.op}  ${linear(ra.nsPerOp)}`,
    `  ${pad(rb.id, 16)} ${padStart(formatNs(rb.nsPerOp), 10)} per ${rb.op}  ${linear(rb.nsPerOp)}`,
    `  ratio: ${formatFactor(ra.nsPerOp / rb.nsPerOp)} (linear bars: what the log-scale table hides)`,
    '',
  ].join('\n');
}

/** A run's one-line identity for a comparison: host, kernel, date, and whether it was noisy. */
function runLine(name: string, run: BenchRun): string {
  const h = run.host;
  const noisy = run.noise?.noisy
    ? `, NOISY (${run.noise.reasons[0] ?? `${run.noise.noisyRows.length} noisy rows`})`
    : '';
  return `${name}: ${h.hostname}, ${h.cpuModel}, Linux ${h.kernel}, ${h.date}${run.options.quick ? ', --quick' : ''}${noisy}`;
}

/**
 * Two runs side by side: `--compare FILE` (this run beside a saved one) and `--compare A B` (two
 * saved runs). A figure from a noisy row carries a ~; the host facts that differ come first.
 */
export function renderComparison(
  current: BenchRun,
  other: BenchRun,
  otherName: string,
  opts: { currentName?: string; ids?: readonly string[] } = {},
): string {
  const currentName = opts.currentName ?? 'this run';
  const diff = diffRuns(current, other, opts.ids);
  const lines = [runLine(currentName, current), runLine(otherName, other)];
  if (diff.hostDifferences.length > 0) {
    lines.push('', 'where the hosts differ:');
    for (const d of diff.hostDifferences) lines.push(`  ${pad(d.fact, 17)} ${d.a}  |  ${d.b}`);
  }
  const short = (name: string) => {
    const base = name.split('/').pop() ?? name;
    return base.length > 11 ? base.slice(0, 10) + '…' : base;
  };
  lines.push(
    '',
    pad('benchmark', 28) + padStart(short(currentName), 12) + padStart(short(otherName), 12) + padStart('ratio', 12),
  );
  const cell = (ns: number | null, noisy: boolean) => (ns === null ? '—' : formatNs(ns) + (noisy ? '~' : ''));
  for (const r of diff.rows) {
    lines.push(
      pad(r.id, 28) +
        padStart(cell(r.a, r.noisyA), 12) +
        padStart(cell(r.b, r.noisyB), 12) +
        padStart(r.ratio !== null ? formatFactor(r.ratio) : '', 12),
    );
  }
  lines.push('', `ratio = ${currentName} / ${otherName}; ~ = a noisy row (README "Noise")`);
  return lines.join('\n') + '\n';
}

export function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out;
}
