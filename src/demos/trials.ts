/**
 * Verdicts from repeated trials. One run of a timing demo is a coin toss on a shared machine;
 * a verdict here needs every trial on the same side, and says "inconclusive" when the spreads
 * overlap. Pure functions over numbers.
 */

export interface Spread {
  values: number[];
  median: number;
  min: number;
  max: number;
}

export function spreadOf(values: readonly number[]): Spread {
  if (values.length === 0) throw new Error('no trials');
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { values: [...values], median, min: s[0]!, max: s[s.length - 1]! };
}

/** Runs `trial` n times (sequentially) and returns the spread of its results. */
export async function repeat(n: number, trial: (i: number) => number | Promise<number>): Promise<Spread> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(await trial(i));
  return spreadOf(out);
}

/** 'a' when every trial of a is above every trial of b (times `factor`), 'b' the other way, else 'overlap'. */
export function separated(a: Spread, b: Spread, factor = 1): 'a' | 'b' | 'overlap' {
  if (a.min > b.max * factor) return 'a';
  if (b.min > a.max * factor) return 'b';
  return 'overlap';
}

/** Where a spread sits against a claimed range: every trial inside, every trial on one side, or across a bound. */
export function againstRange(s: Spread, [lo, hi]: [number, number]): 'within' | 'below' | 'above' | 'across' {
  if (s.min >= lo && s.max <= hi) return 'within';
  if (s.max < lo) return 'below';
  if (s.min > hi) return 'above';
  return 'across';
}

/** "12.3 (10.1-15.0, 5 trials)" */
export function describeSpread(s: Spread, digits = 1, unit = ''): string {
  const f = (x: number): string => x.toFixed(digits);
  const u = unit ? ` ${unit}` : '';
  return `${f(s.median)}${u} (${f(s.min)}-${f(s.max)}${u}, ${s.values.length} trials)`;
}
