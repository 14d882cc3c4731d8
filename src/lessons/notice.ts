/**
 * What a step's notice says once the step has run (or not): the notice in words, then each of
 * its claims judged against the figure on screen, or against the last saved bench run.
 */
import { loadSavedBench, type SavedBench } from '../bench/saved.js';
import { evaluateClaim, type ClaimResult } from './claims.js';
import { stepClaims, type Step } from './content.js';

export interface StepNotice {
  notice: string | null;
  claims: ClaimResult[];
}

export function stepNotice(step: Step, output: string | null, saved: SavedBench | null = loadSavedBench()): StepNotice {
  const date = saved?.date.slice(0, 10);
  return {
    notice: step.notice ?? null,
    claims: stepClaims(step).map((c) => evaluateClaim(c, output, saved, date)),
  };
}

/** Lines keeping the head and the tail of a long output, so what a notice points to at the end stays on screen. */
export function fitLines(text: string, max: number): string[] {
  let lines = text.split('\n');
  if (lines.length <= max) return lines;
  lines = lines.filter((l) => l.trim() !== ''); // blank lines go first
  if (lines.length <= max || max < 8) return lines;
  const tail = Math.max(3, Math.floor(max / 3));
  const head = max - tail - 1;
  return [...lines.slice(0, head), `... (${lines.length - head - tail} lines omitted) ...`, ...lines.slice(-tail)];
}
