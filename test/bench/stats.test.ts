import { describe, expect, it } from 'vitest';
import { quantile, summarize } from '../../src/bench/stats.js';

describe('quantile', () => {
  it('interpolates between order statistics regardless of input order', () => {
    const values = [9, 1, 5, 3, 7];
    expect(quantile(values, 0.5)).toBe(5);
    expect(quantile(values, 0)).toBe(1);
    expect(quantile(values, 1)).toBe(9);
    expect(quantile(values, 0.1)).toBeCloseTo(1.8); // pos 0.4 between 1 and 3
    expect(quantile([], 0.5)).toBeNaN();
  });
});

describe('summarize', () => {
  it('gives median, p10, p90 and a relative spread', () => {
    const values = Array.from({ length: 11 }, (_, i) => 100 + i); // 100..110
    const s = summarize(values);
    expect(s.median).toBe(105);
    expect(s.p10).toBe(101);
    expect(s.p90).toBe(109);
    expect(s.spread).toBeCloseTo(8 / 105);
  });
});
