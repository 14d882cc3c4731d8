/**
 * Properties of the pure framing helpers (the strace oracle tests are render-format.test.ts and
 * summary-format.test.ts): where ` = ` lands, and the -c table's fixed columns.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { withReturn } from '../../src/trace/render.js';
import { renderSummary } from '../../src/trace/summary-table.js';

describe('withReturn (strace tabto)', () => {
  it('puts `=` at column 40 when the call is shorter, else one space after `)`', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', '(', ',', ' ', '"'), maxLength: 80 }),
        fc.string(),
        (head, ret) => {
          const line = withReturn(head, ret);
          expect(line.startsWith(head + ')')).toBe(true);
          expect(line.endsWith('= ' + ret)).toBe(true);
          const eq = head.length + 1 + line.slice(head.length + 1).indexOf('=');
          expect(eq).toBe(Math.max(40, head.length + 2));
          expect(line.slice(head.length + 1, eq).trim()).toBe('');
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('renderSummary (strace -c)', () => {
  const row = fc.record({
    name: fc.constantFrom('read', 'write', 'openat', 'close', 'mmap', 'wait4', 'futex'),
    nr: fc.integer({ min: 0, max: 450 }),
    calls: fc.integer({ min: 1, max: 10_000_000 }),
    errors: fc.integer({ min: 0, max: 1000 }),
    seconds: fc.double({ min: 0, max: 999, noNaN: true }),
  });
  it('keeps strace’s columns, sorts by time, and totals calls and errors', () => {
    fc.assert(
      fc.property(fc.uniqueArray(row, { selector: (r) => r.name, maxLength: 7 }), (rows) => {
        const lines = renderSummary(rows, false).trimEnd().split('\n');
        expect(lines.length).toBe(rows.length + 4);
        const body = [...lines.slice(2, -2), lines.at(-1)!];
        let previous = Infinity;
        for (const l of body) {
          expect(l[6]).toBe(' ');
          expect(l[18]).toBe(' ');
          expect(l[30]).toBe(' ');
          expect(l[40]).toBe(' ');
          expect(l[50]).toBe(' ');
          expect(l.slice(51)).toMatch(/^\w+$/);
          const seconds = Number(l.slice(7, 18));
          if (l.endsWith(' total')) continue;
          expect(seconds).toBeLessThanOrEqual(previous);
          previous = seconds;
        }
        const total = lines.at(-1)!;
        expect(Number(total.slice(31, 40))).toBe(rows.reduce((a, r) => a + r.calls, 0));
        const errors = rows.reduce((a, r) => a + r.errors, 0);
        expect(total.slice(41, 50).trim()).toBe(errors ? String(errors) : '');
      }),
      { numRuns: 300 },
    );
  });
});
