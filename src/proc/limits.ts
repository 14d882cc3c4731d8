/** /proc/PID/limits: the rlimits, soft and hard. null = unlimited. */
import { ParseError, uint } from './parse.js';

export interface ResourceLimit {
  name: string;
  soft: number | null;
  hard: number | null;
  /** The kernel's unit word: seconds, bytes, processes, files, signals, locks, us, or ''. */
  unit: string;
}

export function parseLimits(text: string): ResourceLimit[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (!lines[0]?.startsWith('Limit')) throw new ParseError('limits: no header');
  // Only the word "unlimited" is null: anything else must be a number, not read as unlimited.
  const num = (v: string | undefined) => (v === 'unlimited' ? null : uint(v, 'limits'));
  return lines.slice(1).map((line) => {
    // The name has single spaces inside; columns are separated by two or more.
    const m = /^(.+?)\s{2,}(\S+)\s+(\S+)\s*(\S*)\s*$/.exec(line);
    if (!m) throw new ParseError(`limits: bad line "${line}"`);
    return { name: m[1] ?? '', soft: num(m[2]), hard: num(m[3]), unit: m[4] ?? '' };
  });
}
