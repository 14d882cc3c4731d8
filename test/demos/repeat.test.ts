/**
 * A timing demo's verdict is not a coin toss: ten runs of each fast one give the same verdict
 * every time, or "inconclusive". (The slow ones, mmap-vs-read and cpu-throttle, are checked by
 * `npm run demos:repeat`, which runs all four ten times.)
 */
import { describe, expect, it } from 'vitest';
import { findDemo, runDemo } from '../../src/demos/index.js';

const verdict = (r: { status: string; inconclusive?: boolean; holds: boolean | null }): string =>
  r.status === 'skipped' ? 'skipped' : r.inconclusive ? 'inconclusive' : r.holds ? 'holds' : 'does not hold';

describe('repeated demo verdicts', () => {
  for (const id of ['thread-cost', 'getrandom']) {
    it(`${id}: ten runs, one verdict (or inconclusive)`, { timeout: 300_000 }, async () => {
      const seen: string[] = [];
      for (let i = 0; i < 10; i++) {
        const r = await runDemo(findDemo(id)!, { quick: true, log: () => undefined });
        seen.push(verdict(r));
        // The spread behind the verdict is shown, not just the verdict.
        expect(
          r.measurements.some((m) => /trials\)/.test(String(m.value))),
          id,
        ).toBe(true);
      }
      expect(new Set(seen.filter((v) => v !== 'inconclusive')).size, seen.join(', ')).toBeLessThanOrEqual(1);
      expect(seen).not.toContain('skipped');
    });
  }
});
