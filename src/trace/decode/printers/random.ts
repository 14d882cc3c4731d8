/** getrandom: the random bytes (strace forces hex escapes for them) and its GRND_* flags. */
import * as F from '../../flags.js';
import { Cap } from '../../records.js';
import { pack, type ArgType } from '../types.js';

const GRND_FLAGS: F.FlagTable = [
  [1, 'GRND_NONBLOCK'],
  [2, 'GRND_RANDOM'],
  [4, 'GRND_INSECURE'],
];

/** `"\x8e\x05..."`: every byte as \xNN, as strace's QUOTE_FORCE_HEX. */
export function hexQuote(d: Buffer, truncated: boolean): string {
  let s = '"';
  for (const b of d) s += `\\x${b.toString(16).padStart(2, '0')}`;
  return s + (truncated ? '"...' : '"');
}

export const RANDOM_TYPES: Record<string, ArgType> = {
  /** The buffer getrandom filled: `ret` bytes, at most -s. */
  random_out: {
    capture: () => pack(Cap.bufOutRet, 0, 0),
    output: true,
    memory: true,
    render: (a) => hexQuote(a.c!.data, a.c!.truncated),
  },
  random_flags: { render: (a) => F.renderFlagsX(Number(a.v & 0xffffffffn), GRND_FLAGS, 'GRND_???') },
};
