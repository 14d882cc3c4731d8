/**
 * The bench report: one self-contained HTML file from one or more runs. The ladder (every row on
 * one log axis, grouped by mental model, reference band and measured points), each row's spread,
 * the ratios, where the folklore and this machine disagree, and the hosts side by side. No
 * script, no external resource (a CSP forbids both), so it opens anywhere, offline.
 */
import { BENCH_IDS } from '../bench/catalog.js';
import { describeVerdict, formatFactor, formatNs } from '../bench/compare.js';
import type { BenchResult, BenchRun, RatioResult } from '../bench/types.js';
import { loadLatencyTable, loadModels } from '../lessons/load.js';
import { escapeHtml, htmlText } from '../util/html.js';
import { factList, hostFacts, noiseFacts, noiseVerdict, rowNoise, runFacts, type Fact } from './facts.js';
import { ladderAxis, ladderStrip, type StripPoint } from './ladder.js';
import { REPORT_CSS } from './style.js';

/** A run and the name the report gives it (its file name, or "this run"). */
export interface NamedRun {
  name: string;
  run: BenchRun;
}

/** One colour per run (colour-blind-safe Okabe–Ito hues), repeating after eight. */
const COLORS = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#e69f00', '#56b4e9', '#000000', '#f0e442'];
export const runColor = (i: number) => COLORS[i % COLORS.length] as string;

/** Off by more than this factor either way: listed under "where the folklore and this machine disagree". */
const DISAGREE = 2;

interface Row {
  id: string;
  title: string;
  model: string;
  row: string;
  op: string;
  reference: { lowNs: number; highNs: number } | null;
  /** Per run, in run order; undefined where that run did not have the benchmark. */
  results: (BenchResult | undefined)[];
}

/** Every benchmark of any run, in the catalog's order. */
function unionRows(runs: readonly NamedRun[]): Row[] {
  const rows = new Map<string, Row>();
  for (const { run } of runs) {
    for (const r of run.results) {
      if (rows.has(r.id)) continue;
      const ref = r.reference && r.reference.lowNs !== null && r.reference.highNs !== null ? r.reference : null;
      const row = {
        id: r.id,
        title: r.title,
        model: r.model,
        row: r.row,
        op: r.op ?? 'op',
        reference: ref,
        results: [],
      };
      rows.set(r.id, row);
    }
  }
  for (const row of rows.values()) row.results = runs.map(({ run }) => run.results.find((r) => r.id === row.id));
  // The catalog's order (runs of a few ids list theirs in another); ids it does not know, last.
  const rank = (id: string) => (BENCH_IDS.includes(id) ? BENCH_IDS.indexOf(id) : BENCH_IDS.length);
  return [...rows.values()].sort((a, b) => rank(a.id) - rank(b.id));
}

function referenceText(row: Row): string {
  const latency = loadLatencyTable().find((x) => x.id === row.row);
  if (latency?.reference) return latency.display;
  if (row.reference)
    return row.reference.lowNs === row.reference.highNs
      ? `~${formatNs(row.reference.lowNs)}`
      : `${formatNs(row.reference.lowNs)}–${formatNs(row.reference.highNs)}`;
  return latency ? 'ratio, below' : '';
}

function isFigure(n: number | null | undefined): n is number {
  return typeof n === 'number' && Number.isFinite(n) && n > 0;
}

/** How far a measured figure is off the reference (>1 above, <1 below), null when within it. */
function offBy(r: BenchResult | undefined): number | null {
  if (!r || (r.verdict.kind !== 'above' && r.verdict.kind !== 'below')) return null;
  const f = (r.verdict as { factor: number }).factor;
  return typeof f === 'number' && Number.isFinite(f) && f > 0 ? f : null;
}

function resultCell(r: BenchResult | undefined): string {
  if (!r) return '<td class="figure absent">not in this run</td>';
  if (r.status === 'reference-only') return '<td class="figure dim">reference only</td>';
  if (!isFigure(r.nsPerOp)) {
    const why = r.skipped ? `: ${r.skipped}` : '';
    return `<td class="figure skipped"><span class="line">skipped<span class="why">${htmlText(why)}</span></span></td>`;
  }
  const off = offBy(r);
  const cls = off !== null && (off >= DISAGREE || off <= 1 / DISAGREE) ? 'verdict disagrees' : 'verdict';
  const lines = [
    `<span class="line"><span class="median">${htmlText(formatNs(r.nsPerOp))}</span> ` +
      `<span class="${cls}">${htmlText(describeVerdict(r.verdict))}</span></span>`,
  ];
  if (isFigure(r.p10) && isFigure(r.p90)) {
    const pct = ((r.p90 - r.p10) / r.nsPerOp) * 100;
    lines.push(
      `<span class="spread">p10–p90 ${htmlText(formatNs(r.p10))}–${htmlText(formatNs(r.p90))} (${pct < 10 ? pct.toFixed(1) : pct.toFixed(0)}%)</span>`,
    );
  }
  if (r.note) lines.push(`<span class="note">${htmlText(r.note)}</span>`);
  const noise = rowNoise(r);
  if (noise?.noisy) {
    // The reasons can be long: two lines shown, all of them on hover.
    const why = htmlText(noise.reasons.join('; ') || 'measured beside other work');
    lines.push(`<span class="noisy-row" title="${why}">~ noisy: ${why}</span>`);
    return `<td class="figure marked-noisy">${lines.join('')}</td>`;
  }
  return `<td class="figure">${lines.join('')}</td>`;
}

function ladderRows(runs: readonly NamedRun[], rows: readonly Row[]): string {
  const models = new Map(loadModels().map((m) => [m.id as string, m]));
  const groups: string[] = [];
  for (const row of rows) if (!groups.includes(row.model)) groups.push(row.model);
  const cols = 3 + runs.length;
  return groups
    .map((model) => {
      const m = models.get(model);
      const head =
        `<tr class="model"><th colspan="${cols}"><span class="model-title">${htmlText(m?.title ?? model)}</span>` +
        (m ? ` <span class="summary">${htmlText(m.summary)}</span>` : '') +
        '</th></tr>';
      const body = rows
        .filter((row) => row.model === model)
        .map((row) => {
          const ref = referenceText(row);
          const points: StripPoint[] = row.results.map((r, i) => ({
            run: i,
            label: runs[i]?.name ?? `run ${i + 1}`,
            color: runColor(i),
            medianNs: r && isFigure(r.nsPerOp) ? r.nsPerOp : null,
            p10Ns: r && isFigure(r.p10) ? r.p10 : null,
            p90Ns: r && isFigure(r.p90) ? r.p90 : null,
            noisy: Boolean(r && rowNoise(r)?.noisy),
          }));
          return (
            `<tr class="bench" data-id="${escapeHtml(row.id)}" data-model="${escapeHtml(row.model)}">` +
            `<th scope="row"><code>${htmlText(row.id)}</code><span class="title">${htmlText(row.title)} · per ${htmlText(row.op)}</span></th>` +
            `<td class="ladder">${ladderStrip(row.reference, ref, points)}</td>` +
            `<td class="reference">${htmlText(ref)}</td>` +
            row.results.map(resultCell).join('') +
            '</tr>'
          );
        })
        .join('');
      return `<tbody data-model="${escapeHtml(model)}">${head}${body}</tbody>`;
    })
    .join('');
}

function runHeader(runs: readonly NamedRun[]): string {
  return runs
    .map(
      ({ name, run }, i) =>
        `<th class="run" scope="col"><span class="swatch" style="background:${runColor(i)}"></span>${htmlText(name)}` +
        `<span class="sub">${htmlText(run.host.hostname)}</span></th>`,
    )
    .join('');
}

function ratioTable(runs: readonly NamedRun[]): string {
  const ids: string[] = [];
  const byRow = new Map<string, RatioResult>();
  for (const { run } of runs)
    for (const q of run.ratios) {
      if (!byRow.has(q.row)) ids.push(q.row);
      if (!byRow.has(q.row)) byRow.set(q.row, q);
    }
  if (ids.length === 0) return '';
  const body = ids
    .map((id) => {
      const q = byRow.get(id) as RatioResult;
      const seed = typeof q.reference === 'number' ? `~${formatFactor(q.reference)}` : 'no seed figure';
      const cells = runs.map(({ run }) => {
        const m = run.ratios.find((x) => x.row === id);
        if (!m || !Number.isFinite(m.measured)) return '<td class="figure absent">—</td>';
        const far =
          typeof q.reference === 'number' &&
          q.reference > 0 &&
          Math.abs(Math.log10(m.measured / q.reference)) >= Math.log10(DISAGREE);
        // A ratio of a row measured beside other work is as doubtful as that row.
        const noisy = [m.numerator, m.denominator].some(
          (b) => rowNoise(run.results.find((r) => r.id === b) ?? {})?.noisy,
        );
        return (
          `<td class="figure"><span class="line"><span class="median${far ? ' disagrees' : ''}">${htmlText(formatFactor(m.measured))}</span>` +
          `${noisy ? ' <span class="noisy-mark">~ noisy</span>' : ''}</span></td>`
        );
      });
      return (
        `<tr class="ratio" data-row="${escapeHtml(id)}"><th scope="row">${htmlText(q.title)}</th>` +
        `<td><code>${htmlText(q.numerator)}</code> / <code>${htmlText(q.denominator)}</code></td>` +
        `<td class="reference">${htmlText(seed)}</td>${cells.join('')}</tr>`
      );
    })
    .join('');
  return (
    '<section id="ratios"><h2>Ratios</h2><table class="ratios"><thead><tr><th>ratio</th><th>measured as</th><th>seed</th>' +
    `${runHeader(runs)}</tr></thead><tbody>${body}</tbody></table></section>`
  );
}

/** The runs' own notes, then every row off its reference by more than ×DISAGREE, furthest first. */
function disagreements(runs: readonly NamedRun[], rows: readonly Row[]): string {
  const several = runs.length > 1;
  const items: string[] = [];
  runs.forEach(({ name, run }) => {
    for (const n of run.notes)
      items.push(`<li class="folklore">${several ? `<b>${htmlText(name)}:</b> ` : ''}${htmlText(n)}</li>`);
  });
  const off: { f: number; html: string }[] = [];
  for (const row of rows) {
    row.results.forEach((r, i) => {
      const f = offBy(r);
      if (f === null || (f < DISAGREE && f > 1 / DISAGREE) || !r || !isFigure(r.nsPerOp)) return;
      const who = several ? ` on ${htmlText(runs[i]?.name ?? '')}` : '';
      off.push({
        f: Math.abs(Math.log10(f)),
        html:
          `<li class="off" data-id="${escapeHtml(row.id)}"><code>${htmlText(row.id)}</code>${who}: ${htmlText(formatNs(r.nsPerOp))} against ` +
          `${htmlText(referenceText(row))}, ${htmlText(describeVerdict(r.verdict))} (${htmlText(row.title)})` +
          // Off the folklore on a busy machine may be the load's doing, not the machine's.
          (rowNoise(r)?.noisy ? ' <span class="noisy-mark">~ measured noisy</span>' : '') +
          '</li>',
      });
    });
  }
  off.sort((a, b) => b.f - a.f);
  if (items.length === 0 && off.length === 0) return '';
  return (
    '<section id="folklore"><h2>Where the folklore and this machine disagree</h2>' +
    (items.length ? `<ul>${items.join('')}</ul>` : '') +
    (off.length
      ? `<h3>Rows off their reference by more than ${DISAGREE}×</h3><ul>${off.map((o) => o.html).join('')}</ul>`
      : '') +
    '</section>'
  );
}

/** The run's noise reasons, and how many rows were marked, as noiseWarning says them. */
function noiseSigns(run: BenchRun): string[] {
  const noise = noiseVerdict(run);
  if (!noise) return [];
  const measured = run.results.filter((r) => r.status === 'measured').length;
  const rows = noise.noisyRows.length;
  return [...noise.reasons, ...(rows > 0 ? [`${rows} of ${measured} rows noisy (marked ~)`] : [])];
}

function hostCards(runs: readonly NamedRun[]): string {
  // The run's facts among the host's, the long lines last; side by side, every card lists the
  // same facts in the same order ("—" where a run has none, e.g. one saved before they existed).
  const facts = runs.map(({ run }) => [...hostFacts(run.host), ...runFacts(run)]);
  const terms: Fact[] = [];
  for (const rows of facts) for (const f of rows) if (!terms.some((t) => t[0] === f[0])) terms.push(f);
  terms.sort((a, b) => Number(a[2] === 'wide') - Number(b[2] === 'wide'));
  const first = new Map((facts[0] ?? []).map(([k, v]) => [k, v]));
  const aligned = facts.map((rows, i) =>
    terms.map(([k, , wide]): Fact => {
      const v = rows.find((f) => f[0] === k)?.[1] ?? '<span class="dim">—</span>';
      // A fact that differs from the first machine's is marked (the host name and date aside).
      const html =
        i > 0 && !['host', 'date'].includes(k) && first.get(k) !== v ? `<span class="differs">${v}</span>` : v;
      return wide ? [k, html, wide] : [k, html];
    }),
  );
  const cards = runs.map(({ name, run }, i) => {
    const noise = noiseVerdict(run);
    const badge = noise?.noisy
      ? '<p class="noisy">noisy run (see above)</p>'
      : noise
        ? '<p class="quiet">no noise detected</p>'
        : '<p class="dim">no noise checks (a run from an older oslens)</p>';
    const checks = noise ? `<h4>noise checks</h4>${factList(noiseFacts(run))}` : '';
    return (
      `<div class="host" data-run="${i}"><h3><span class="swatch" style="background:${runColor(i)}"></span>${htmlText(name)}</h3>` +
      `${badge}${factList(aligned[i] ?? [])}${checks}</div>`
    );
  });
  return `<section id="hosts"><h2>${runs.length > 1 ? 'The machines' : 'The machine'}</h2><div class="hosts">${cards.join('')}</div></section>`;
}

/** The whole document. `generated` is the report's date (the runs carry their own). */
export function renderReport(runs: readonly NamedRun[], generated: string = new Date().toISOString()): string {
  const rows = unionRows(runs);
  const title =
    runs.length === 1
      ? `oslens bench on ${runs[0]?.run.host.hostname}`
      : `oslens bench: ${runs.map((r) => r.run.host.hostname).join(' vs ')}`;
  const noisy = runs.filter(({ run }) => noiseVerdict(run)?.noisy);
  const warning = noisy
    .map(
      ({ name, run }) =>
        `<p class="noisy banner">Noisy run${runs.length > 1 ? ` (${htmlText(name)})` : ''}: ${htmlText(noiseSigns(run).join('; '))}. ` +
        'Its figures describe the load as much as the machine; the rows marked ~ most of all.</p>',
    )
    .join('');
  const legend =
    '<p class="legend"><span class="key band"></span>reference (a "~x" figure: ×1.5 either way, tick at x) ' +
    '<span class="key dot"></span>median <span class="key whisker"></span>p10–p90 across batches ' +
    '<span class="key gap"></span>distance to the reference <span class="key hollow"></span>~ noisy: measured beside other work</p>';
  return (
    `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${htmlText(title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<header><h1>${htmlText(title)}</h1>
<p class="sub">${runs.map(({ name, run }) => `${htmlText(name)}: ${htmlText(run.host.date)}`).join(' · ')} · report written ${htmlText(generated)}</p>
${warning}</header>
<main>
${hostCards(runs)}
<section id="ladder"><h2>The latency ladder</h2>${legend}
<table class="ladder"><thead><tr><th scope="col">benchmark</th><th scope="col" class="axis-head">${ladderAxis()}</th>` +
    `<th scope="col">reference</th>${runHeader(runs)}</tr></thead>${ladderRows(runs, rows)}</table></section>
${ratioTable(runs)}
${disagreements(runs, rows)}
</main>
<footer>Written by oslens ${htmlText(runs[0]?.run.oslens ?? '')}: <code>oslens bench --report FILE.html</code> or <code>oslens report A.json [B.json …] -o FILE.html</code>. One file, no script, no network.</footer>
</body>
</html>
`
  );
}
