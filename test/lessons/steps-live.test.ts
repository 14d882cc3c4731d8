/**
 * Runs every live step of every lesson and path (lessons/live.yaml, paths.yaml) on this machine
 * and checks what the notice says against what the step shows: each thing the notice points to
 * is on screen, and each claim is judged on the figure on screen, with the outcome that figure
 * has. A command runs once per lesson even when several steps name it.
 */
import { describe, expect, it } from 'vitest';
import { benchFigureOnScreen, demoFigureOnScreen, fieldFigureOnScreen, outcomeOf } from '../../src/lessons/claims.js';
import { loadLiveSteps, loadPaths, stepClaims, type Step } from '../../src/lessons/content.js';
import { stepNotice } from '../../src/lessons/notice.js';
import { runStep, stopLessonProcess } from '../../src/lessons/steps.js';
import { registeredCommands } from './registered.js';

const lessons: Array<[string, Step[]]> = [
  ...[...loadLiveSteps()].map(([id, steps]): [string, Step[]] => [id, steps]),
  ...loadPaths().map((p): [string, Step[]] => [p.id, p.steps]),
];

/** The figure a claim is about, read independently of the claim code's own lookup. */
function figureShown(step: Step, output: string, i: number): number | null {
  const c = stepClaims(step)[i]!;
  const m = c.measure;
  const bench = (id: string): number | null => benchFigureOnScreen(output, id)?.value ?? null;
  const field = (n: string): number | null => fieldFigureOnScreen(output, n)?.value ?? null;
  const ratio = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : a / b);
  switch (m.kind) {
    case 'bench':
      return bench(m.id);
    case 'ratio':
      return ratio(bench(m.numerator), bench(m.denominator));
    case 'field':
      return field(m.name);
    case 'field-ratio':
      return ratio(field(m.numerator), field(m.denominator));
    case 'demo':
      return demoFigureOnScreen(output, m.label)?.value ?? null;
  }
}

describe('every lesson step, run here: the notice matches the screen', () => {
  const registered = registeredCommands();
  for (const [id, steps] of lessons) {
    it(`${id}`, { timeout: 300_000 }, async () => {
      const seen = new Map<string, string>();
      try {
        for (const [n, step] of steps.entries()) {
          if (!step.run && !step.file) continue;
          const where = `${id} step ${n + 1} (${step.title})`;
          const key = step.run ?? `file:${step.file}:${(step.fields ?? []).join(',')}`;
          let output = seen.get(key);
          if (output === undefined) {
            const r = await runStep(step, registered);
            expect(r?.unavailable, where).toBeUndefined();
            expect(r?.ok, `${where}: ${r?.output.slice(-400)}`).toBe(true);
            output = r!.output;
            seen.set(key, output);
          }
          for (const p of step.points ?? []) expect(output, `${where} points to "${p}", not on screen`).toContain(p);
          const notice = stepNotice(step, output, null);
          notice.claims.forEach((c, i) => {
            const shown = figureShown(step, output, i);
            expect(shown, `${where}: claim ${step.claims![i]} has no figure on screen`).not.toBeNull();
            expect(c.source, where).toBe('screen');
            expect(c.outcome, `${where}: claim ${step.claims![i]} against ${shown}`).toBe(
              outcomeOf(shown!, c.claim.range),
            );
            expect(c.text, where).toContain(c.claim.why[c.outcome!]);
          });
        }
      } finally {
        stopLessonProcess();
      }
    });
  }
});
