/**
 * Claims: a notice that names a figure is judged against the figure on screen. Pure parts are
 * property-tested; the content lint checks that no notice states a figure in fixed words and
 * that every claim names something that exists.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BENCH_IDS } from '../../src/bench/catalog.js';
import { formatNs } from '../../src/bench/compare.js';
import {
  benchFigureOnScreen,
  demoFigureOnScreen,
  evaluateClaim,
  fieldFigureOnScreen,
  formatFigure,
  outcomeOf,
  parseNs,
  type Claim,
} from '../../src/lessons/claims.js';
import { loadClaims, loadLiveSteps, loadPaths, parseClaim, stepClaims, type Step } from '../../src/lessons/content.js';

function allSteps(): Array<{ where: string; step: Step }> {
  const out: Array<{ where: string; step: Step }> = [];
  for (const [id, steps] of loadLiveSteps())
    steps.forEach((s, i) => out.push({ where: `live ${id} ${i + 1}`, step: s }));
  for (const p of loadPaths()) p.steps.forEach((s, i) => out.push({ where: `path ${p.id} ${i + 1}`, step: s }));
  return out;
}

/** Words that state a figure or a comparison: those belong in a claim, judged against the screen. */
const FIGURE_WORDS =
  /\b\d+(\.\d+)?\s*(ns|µs|us|ms|KiB|MiB|GiB|kB)\b|\d+\s*[x×]\b|\b(tens|hundreds|thousands) of\b|\borders? of magnitude\b|\b(faster|slower|cheaper|dearer)\b/i;

describe('claims: parsing what is on screen', () => {
  it('parseNs reads back what formatNs prints, to its three digits', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.5, max: 5e10, noNaN: true }), (ns) => {
        const back = parseNs(formatNs(ns));
        expect(back).not.toBeNull();
        expect(Math.abs(back! - ns) / ns).toBeLessThan(0.01);
      }),
    );
  });

  it('finds a benchmark row, a /proc field and a demo measurement', () => {
    const bench =
      '  fork                            244 µs  216 µs–491 µs       microseconds    2.4× the reference    ███\n';
    expect(benchFigureOnScreen(bench, 'fork')).toEqual({ value: 244_000, unit: 'ns', spread: [216_000, 491_000] });
    expect(benchFigureOnScreen(bench, 'fork-exec')).toBeNull();
    expect(fieldFigureOnScreen('VmSize:\t    5516 kB\nVmRSS:\t 1792 kB\n', 'VmRSS')).toEqual({
      value: 1792,
      unit: 'kB',
    });
    expect(demoFigureOnScreen('    VmSize per thread                 7.96 MiB\n', 'VmSize per thread')).toEqual({
      value: 7.96,
      unit: 'MiB',
    });
  });
});

describe('claims: the text never contradicts the figure', () => {
  const claim = (lo: number, hi: number): Claim => ({
    measure: { kind: 'bench', id: 'fork' },
    folklore: 'forks are cheap',
    range: [lo, hi],
    why: { below: 'WHY-BELOW', within: 'WHY-WITHIN', above: 'WHY-ABOVE' },
  });

  it('states the figure shown and the outcome that figure has', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1e9 }),
        fc.integer({ min: 1, max: 1e8 }),
        fc.integer({ min: 1, max: 1e8 }),
        (ns, a, b) => {
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          const screen = `  fork   ${formatNs(ns)}  ${formatNs(ns)}–${formatNs(ns)}   x\n`;
          const shown = benchFigureOnScreen(screen, 'fork')!.value;
          const r = evaluateClaim(claim(lo, hi), screen, null);
          const expected = outcomeOf(shown, [lo, hi]);
          expect(r.source).toBe('screen');
          expect(r.outcome).toBe(expected);
          expect(r.text).toContain(formatFigure(shown, 'ns'));
          expect(r.text).toContain(`WHY-${expected.toUpperCase()}`);
          for (const other of ['below', 'within', 'above'].filter((o) => o !== expected))
            expect(r.text).not.toContain(`WHY-${other.toUpperCase()}`);
        },
      ),
    );
  });

  it('says "not measured yet" rather than guessing when nothing is on screen or saved', () => {
    const r = evaluateClaim(claim(1, 2), '', null);
    expect(r.outcome).toBeNull();
    expect(r.text).toMatch(/Not measured yet/);
  });

  it('rejects a claim without its three explanations, naming it', () => {
    expect(() => parseClaim({ bench: 'fork', folklore: 'x', range: [1, 2], why: { below: 'a' } }, 'c.yaml x')).toThrow(
      /c.yaml x/,
    );
  });
});

describe('claims: the content', () => {
  const claims = loadClaims();

  it('every claim measures something that exists', () => {
    for (const [id, c] of claims) {
      const m = c.measure;
      if (m.kind === 'bench') expect(BENCH_IDS, id).toContain(m.id);
      if (m.kind === 'ratio') {
        expect(BENCH_IDS, id).toContain(m.numerator);
        expect(BENCH_IDS, id).toContain(m.denominator);
      }
      expect(c.range[0], id).toBeLessThanOrEqual(c.range[1]);
    }
  });

  it('no notice states a figure in fixed words, and every step notice points at what it shows', () => {
    for (const { where, step } of allSteps()) {
      if (step.notice)
        expect(step.notice, `${where}: "${step.notice}" names a figure; make it a claim`).not.toMatch(FIGURE_WORDS);
      if (step.run || step.file)
        expect(step.points?.length ?? 0, `${where}: a live step needs "points"`).toBeGreaterThan(0);
      expect(() => stepClaims(step), where).not.toThrow();
    }
  });

  it('a bench claim is only on a step whose command runs that benchmark', () => {
    for (const { where, step } of allSteps()) {
      for (const c of stepClaims(step)) {
        const ids =
          c.measure.kind === 'bench'
            ? [c.measure.id]
            : c.measure.kind === 'ratio'
              ? [c.measure.numerator, c.measure.denominator]
              : [];
        for (const id of ids)
          expect(step.run ?? '', `${where} claims ${id}`).toMatch(new RegExp(`^oslens bench .*\\b${id}\\b`));
        if (c.measure.kind === 'field' || c.measure.kind === 'field-ratio') expect(step.file, where).toBeDefined();
        if (c.measure.kind === 'demo') expect(step.run ?? '', where).toMatch(/^oslens demo /);
      }
    }
  });
});
