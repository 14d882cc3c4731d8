/**
 * The latency ladder as inline SVG, one strip per benchmark row, all on the same log axis as the
 * terminal views (scale.ts: 0.1 ns .. 1 s), so strips stacked in a table read as one chart.
 * Hand-written rather than a charting library: the chart is a band and a few points per row,
 * drawn when the file is written, so the page needs no script at all (it opens with scripts
 * and network blocked) and the DOM holds one element per figure for the browser test to check.
 */
import { formatNs } from '../bench/compare.js';
import { AXIS_DECADES, AXIS_MIN_NS } from '../bench/scale.js';
import { htmlText } from '../util/html.js';

/** Width of every strip, in px: ~52 px per decade. */
export const STRIP_WIDTH = 520;
const PAD = 8;
const LANE = 14;

/** One run's figure on a row. */
export interface StripPoint {
  run: number;
  label: string;
  color: string;
  medianNs: number | null;
  p10Ns: number | null;
  p90Ns: number | null;
  /** Measured beside other work (BenchResult.noise): drawn hollow. */
  noisy: boolean;
}

/** x of `ns` on the strip (clamped to the axis). */
export function xOf(ns: number): number {
  const decades = Math.log10(Math.max(ns, AXIS_MIN_NS) / AXIS_MIN_NS);
  const inner = STRIP_WIDTH - 2 * PAD;
  return PAD + (Math.min(decades, AXIS_DECADES) / AXIS_DECADES) * inner;
}

const fx = (n: number) => n.toFixed(1);

/**
 * The reference band: low..high, or for a "~x" figure (low == high) the ×1.5 either way that the
 * verdict still calls "within range" (compare.ts), with a tick at the figure itself.
 */
export function bandEdges(ref: { lowNs: number; highNs: number }): [number, number] {
  return ref.lowNs === ref.highNs ? [ref.lowNs / 1.5, ref.highNs * 1.5] : [ref.lowNs, ref.highNs];
}

function gridLines(height: number): string {
  const lines: string[] = [];
  for (let d = 0; d <= AXIS_DECADES; d++) {
    const x = fx(xOf(AXIS_MIN_NS * 10 ** d));
    const major = d % 3 === 1; // 1 ns, 1 µs, 1 ms, 1 s
    lines.push(`<line class="${major ? 'grid major' : 'grid'}" x1="${x}" x2="${x}" y1="0" y2="${height}"/>`);
  }
  return lines.join('');
}

/** One row's strip: grid, reference band, and per run a p10–p90 whisker and the median dot. */
export function ladderStrip(
  reference: { lowNs: number; highNs: number } | null,
  referenceText: string,
  points: readonly StripPoint[],
): string {
  const lanes = Math.max(1, points.length);
  const height = lanes * LANE + 6;
  const parts = [gridLines(height)];
  let band: [number, number] | null = null;
  if (reference && reference.lowNs > 0 && reference.highNs > 0) {
    band = bandEdges(reference);
    const [x0, x1] = [xOf(band[0]), xOf(band[1])];
    parts.push(
      `<rect class="band" x="${fx(x0)}" y="1" width="${fx(Math.max(2, x1 - x0))}" height="${height - 2}" rx="3">` +
        `<title>reference: ${htmlText(referenceText)}</title></rect>`,
    );
    if (reference.lowNs === reference.highNs) {
      const x = fx(xOf(reference.lowNs));
      parts.push(`<line class="band-tick" x1="${x}" x2="${x}" y1="1" y2="${height - 1}"/>`);
    }
  }
  points.forEach((p, lane) => {
    if (p.medianNs === null || !(p.medianNs > 0)) return;
    const y = fx(3 + lane * LANE + LANE / 2);
    const x = xOf(p.medianNs);
    const spread =
      p.p10Ns !== null && p.p90Ns !== null && p.p10Ns > 0 && p.p90Ns > 0
        ? ` (p10–p90 ${formatNs(p.p10Ns)}–${formatNs(p.p90Ns)})`
        : '';
    // Outside the band: a dashed line from the band's edge shows how far off the folklore is.
    if (band && (p.medianNs < band[0] || p.medianNs > band[1])) {
      const edge = xOf(p.medianNs < band[0] ? band[0] : band[1]);
      parts.push(`<line class="gap" x1="${fx(edge)}" x2="${fx(x)}" y1="${y}" y2="${y}" stroke="${p.color}"/>`);
    }
    if (spread) {
      const [a, b] = [fx(xOf(p.p10Ns as number)), fx(xOf(p.p90Ns as number))];
      parts.push(
        `<path class="whisker" d="M${a} ${y}H${b}M${a} ${Number(y) - 4}v8M${b} ${Number(y) - 4}v8" stroke="${p.color}"/>`,
      );
    }
    parts.push(
      `<circle class="${p.noisy ? 'point noisy' : 'point'}" data-run="${p.run}" cx="${fx(x)}" cy="${y}" r="4.5" ` +
        (p.noisy ? `fill="#fff" style="stroke:${p.color}">` : `fill="${p.color}">`) +
        `<title>${htmlText(p.label)}: ${htmlText(formatNs(p.medianNs))}${htmlText(spread)}${p.noisy ? ' (noisy)' : ''}</title></circle>`,
    );
  });
  return (
    `<svg class="strip" width="${STRIP_WIDTH}" height="${height}" viewBox="0 0 ${STRIP_WIDTH} ${height}" ` +
    `role="img" aria-label="${htmlText(referenceText)}">${parts.join('')}</svg>`
  );
}

/** The axis above (and below) the ladder: decade labels where the strips' grid lines are. */
export function ladderAxis(): string {
  const labels = ['0.1 ns', '1 ns', '10 ns', '100 ns', '1 µs', '10 µs', '100 µs', '1 ms', '10 ms', '100 ms', '1 s'];
  const text = labels
    .map((l, d) => {
      const x = xOf(AXIS_MIN_NS * 10 ** d);
      const anchor = d === 0 ? 'start' : d === AXIS_DECADES ? 'end' : 'middle';
      return `<text x="${fx(d === 0 ? x - PAD : d === AXIS_DECADES ? x + PAD : x)}" y="13" text-anchor="${anchor}" class="${d % 3 === 1 ? 'major' : ''}">${l}</text>`;
    })
    .join('');
  return `<svg class="axis" width="${STRIP_WIDTH}" height="18" viewBox="0 0 ${STRIP_WIDTH} 18">${text}</svg>`;
}
