/** The lens wraps at word boundaries to its panel's width (blessed's own wrap split "thread-group"). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lensFor, lensLines } from '../../src/ui/collect/lens.js';
import { MODEL_IDS } from '../../src/lessons/types.js';

const words = (lines: string[]) => lines.join(' ').split(/\s+/).filter(Boolean);

describe('lens lines', () => {
  it('fit the width and keep every word whole, for every model', () => {
    fc.assert(
      fc.property(fc.constantFrom(...MODEL_IDS), fc.integer({ min: 24, max: 60 }), (model, width) => {
        const c = lensFor({ label: 'row: thread-group leader (pid 1)', model, row: 'thread-create' }, null);
        const wrapped = lensLines(c, width);
        const longest = Math.max(...words(wrapped).map((w) => w.length));
        for (const l of wrapped) expect(l.length).toBeLessThanOrEqual(Math.max(width, longest));
        expect(words(wrapped)).toEqual(words(lensLines(c)));
      }),
      { numRuns: 40 },
    );
  });
});
