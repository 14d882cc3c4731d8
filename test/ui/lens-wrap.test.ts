/**
 * The lens wraps at word boundaries to its panel's width (blessed's own wrap split "thread-group");
 * only a word longer than the line is split, after a | , / or - where it can be.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lensFor, lensLines } from '../../src/ui/collect/lens.js';
import { wrap } from '../../src/lessons/text.js';
import { MODEL_IDS } from '../../src/lessons/types.js';

const words = (lines: string[]) => lines.join(' ').split(/\s+/).filter(Boolean);
const letters = (lines: string[]) => lines.join('').replace(/\s+/g, '');

/** Every line fits; no letter is lost or moved; a word that fits a line is never split. */
function expectWrapped(wrapped: string[], original: string[], width: number, indent = 0): void {
  for (const l of wrapped) expect(l.length).toBeLessThanOrEqual(width);
  expect(letters(wrapped)).toEqual(letters(original));
  const kept = new Set(words(wrapped));
  for (const w of words(original)) if (w.length <= width - indent) expect(kept.has(w), w).toBe(true);
}

describe('lens lines', () => {
  it('fit the width and keep every word that fits whole, for every model', () => {
    fc.assert(
      fc.property(fc.constantFrom(...MODEL_IDS), fc.integer({ min: 24, max: 60 }), (model, width) => {
        const c = lensFor({ label: 'row: thread-group leader (pid 1)', model, row: 'thread-create' }, null);
        // Lines are wrapped with their own indent (at most a few spaces).
        expectWrapped(lensLines(c, width), lensLines(c), width, 4);
      }),
      { numRuns: 40 },
    );
  });

  it('wrap with split: any text, any width; a long flag list breaks between flags', () => {
    const word = fc.stringMatching(/^[A-Za-z_|,/-]{1,70}$/);
    fc.assert(
      fc.property(fc.array(word, { maxLength: 30 }), fc.integer({ min: 4, max: 80 }), fc.nat(3), (ws, width, ind) => {
        const indent = ' '.repeat(Math.min(ind, width - 2));
        const text = ws.join(' ');
        expectWrapped(wrap(text, width, indent, true).split('\n'), [text], width, indent.length);
      }),
      { numRuns: 300 },
    );
    const flags = 'clone3 flags (CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM, among others)';
    const lines = wrap(flags, 40, '', true).split('\n');
    // Without `split` (lessons on stdout) a long word stays whole.
    expect(wrap('a '.repeat(3) + 'x'.repeat(50), 20).split('\n')).toEqual(['a a a', 'x'.repeat(50)]);
    expect(lines).toEqual([
      'clone3 flags',
      '(CLONE_VM|CLONE_FS|CLONE_FILES|',
      'CLONE_SIGHAND|CLONE_THREAD|',
      'CLONE_SYSVSEM, among others)',
    ]);
  });
});
