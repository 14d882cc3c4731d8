/** The decoder's tables, and decodes checked against strace on a real program. */
import { describe, expect, it } from 'vitest';
import { specSyscalls, SPEC_NAMES, unknownSpecTypes } from '../../src/trace/decode.js';
import { traceBoth } from '../helpers/strace-diff.js';

describe('decoder tables', () => {
  it('every type a spec names is registered, and every spec is a real syscall', () => {
    expect(unknownSpecTypes()).toEqual([]);
    expect(specSyscalls().sort()).toEqual([...SPEC_NAMES].sort());
  });
});

describe('decodes against strace', () => {
  it('an O_DIRECTORY open has no mode argument (O_TMPFILE includes the O_DIRECTORY bit)', () => {
    const pair = traceBoth(['ls', '/'], ['-e', 'trace=openat']);
    // Until ` = ` is aligned at column 40, compare with single spaces.
    const pick = (lines: string[]) =>
      lines.filter((l) => l.includes('O_DIRECTORY')).map((l) => l.replace(/\s+= /, ' = '));
    expect(pick(pair.strace).length).toBeGreaterThan(0);
    expect(pick(pair.oslens)).toEqual(pick(pair.strace));
  });
});
