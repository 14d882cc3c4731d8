/**
 * Verdicts from repeated trials. One run of a timing demo is a coin toss on a shared machine;
 * a verdict here needs the middle trials (all but the fastest and the slowest fifth) on one
 * side, and says "inconclusive" when those spreads overlap. One stall from a neighbour cannot
 * decide a verdict nor block one. Pure functions over numbers.
 */

export interface Spread {
  values: number[];
  median: number;
  min: number;
  max: number;
  /** The middle trials' range (20th to 80th percentile): what verdicts are decided on. */
  lo: number;
  hi: number;
}

export function spreadOf(values: readonly number[]): Spread {
  if (values.length === 0) throw new Error('no trials');
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  const cut = Math.floor(s.length / 5);
  return { values: [...values], median, min: s[0]!, max: s[s.length - 1]!, lo: s[cut]!, hi: s[s.length - 1 - cut]! };
}

/** Runs `trial` n times (sequentially) and returns the spread of its results. */
export async function repeat(n: number, trial: (i: number) => number | Promise<number>): Promise<Spread> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(await trial(i));
  return spreadOf(out);
}

/** 'a' when a's middle trials are all above b's (times `factor`), 'b' the other way, else 'overlap'. */
export function separated(a: Spread, b: Spread, factor = 1): 'a' | 'b' | 'overlap' {
  if (a.lo > b.hi * factor) return 'a';
  if (b.lo > a.hi * factor) return 'b';
  return 'overlap';
}

/** Where a spread's middle trials sit against a claimed range: inside, all on one side, or across a bound. */
export function againstRange(
  s: Spread,
  [lo, hi]: [number, number],
  /** How far outside (a factor) the middle trials must be to count as outside; in between is 'across'. */
  margin = 1,
): 'within' | 'below' | 'above' | 'across' {
  if (s.lo >= lo && s.hi <= hi) return 'within';
  if (s.hi < lo / margin) return 'below';
  if (s.lo > hi * margin) return 'above';
  return 'across';
}

/** "12.3 µs (middle 11.0-13.9, all 10.1-25.0 µs, 5 trials)" */
export function describeSpread(s: Spread, digits = 1, unit = ''): string {
  const f = (x: number): string => x.toFixed(digits);
  const u = unit ? ` ${unit}` : '';
  return `${f(s.median)}${u} (middle ${f(s.lo)}-${f(s.hi)}, all ${f(s.min)}-${f(s.max)}${u}, ${s.values.length} trials)`;
}
