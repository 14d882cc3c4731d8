/** /proc/PID/limits: the rlimits, soft and hard. null = unlimited. */
import { ParseError } from './stat.js';

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
  const num = (v: string | undefined) => (v === undefined || v === 'unlimited' ? null : Number(v));
  return lines.slice(1).map((line) => {
    // The name has single spaces inside; columns are separated by two or more.
    const m = /^(.+?)\s{2,}(\S+)\s+(\S+)\s*(\S*)\s*$/.exec(line);
    if (!m) throw new ParseError(`limits: bad line "${line}"`);
    return { name: m[1] ?? '', soft: num(m[2]), hard: num(m[3]), unit: m[4] ?? '' };
  });
}
