/** struct stat (and, as they come, statx and statfs). */
import * as F from '../../flags.js';
import { Cap } from '../../records.js';
import { hex, pack, type ArgType } from '../types.js';

export function statText(d: Buffer): string {
  const mode = d.readUInt32LE(24);
  const type = mode & 0o170000;
  if (type === 0o20000 || type === 0o60000) {
    const rdev = d.readBigUInt64LE(40);
    const major = Number(((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn));
    const minor = Number((rdev & 0xffn) | ((rdev >> 12n) & ~0xffn));
    return `{st_mode=${F.renderMode(mode, true)}, st_rdev=makedev(0x${major.toString(16)}, 0x${minor.toString(16)}), ...}`;
  }
  return `{st_mode=${F.renderMode(mode, true)}, st_size=${d.readBigInt64LE(48)}, ...}`;
}

export const STAT_TYPES: Record<string, ArgType> = {
  stat_out: {
    capture: () => pack(Cap.structOut, 0, 144),
    output: true,
    memory: true,
    render: (a) => (a.c!.data.length >= 144 ? statText(a.c!.data) : hex(a.v)),
  },
};
