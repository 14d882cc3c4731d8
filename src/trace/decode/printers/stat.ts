/** struct stat, struct statx and struct statfs as strace prints them by default (abbreviated). */
import * as F from '../../flags.js';
import * as FS from '../../flags-fs.js';
import { Cap } from '../../records.js';
import { hex, pack, type ArgType } from '../types.js';

/** The kernel's dev_t encoding (12-bit major, 20-bit minor, split) → strace's makedev(0x1, 0x3). */
export function makedevText(dev: bigint): string {
  const major = ((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn);
  const minor = (dev & 0xffn) | ((dev >> 12n) & ~0xffn);
  const x = (v: bigint) => (v ? hex(v) : '0');
  return `makedev(${x(major)}, ${x(minor)})`;
}

const isDevice = (mode: number) => (mode & 0o170000) === 0o20000 || (mode & 0o170000) === 0o60000;

export function statText(d: Buffer): string {
  const mode = d.readUInt32LE(24);
  const second = isDevice(mode) ? `st_rdev=${makedevText(d.readBigUInt64LE(40))}` : `st_size=${d.readBigInt64LE(48)}`;
  return `{st_mode=${F.renderMode(mode, true)}, ${second}, ...}`;
}

/** struct statx (256 bytes): mask, attributes, mode and size; the rest is `...` without -v. */
export function statxText(d: Buffer): string {
  const mask = FS.renderFlagsDflt(d.readUInt32LE(0), FS.STATX_MASK, 'STATX_???');
  const attrs = FS.renderFlagsDflt(d.readBigUInt64LE(8), FS.STATX_ATTRS, 'STATX_ATTR_???');
  const mode = F.renderMode(d.readUInt16LE(28), true);
  return `{stx_mask=${mask}, stx_attributes=${attrs}, stx_mode=${mode}, stx_size=${d.readBigUInt64LE(40)}, ...}`;
}

/** The x86_64 struct statfs (120 bytes: eleven longs, f_fsid as two ints, four spare longs). */
export function statfsText(d: Buffer): string {
  const u = (i: number) => d.readBigUInt64LE(8 * i);
  const type = Number(u(0) & 0xffffffffn);
  const x = (v: bigint) => (v ? hex(v) : '0');
  const ftype = u(0) >> 32n ? x(u(0)) : F.renderEnum(type, FS.FS_MAGIC, x(u(0)));
  const fsid = [d.readUInt32LE(56), d.readUInt32LE(60)].map((v) => (v ? hex(BigInt(v)) : '0'));
  const flags = u(10);
  const fflags = flags & 0x20n ? `, f_flags=${FS.renderFlagsDflt(flags, FS.STATFS_FLAGS, 'ST_???')}` : '';
  return (
    `{f_type=${ftype}, f_bsize=${u(1)}, f_blocks=${u(2)}, f_bfree=${u(3)}, f_bavail=${u(4)}, ` +
    `f_files=${u(5)}, f_ffree=${u(6)}, f_fsid={val=[${fsid.join(', ')}]}, f_namelen=${u(8)}, ` +
    `f_frsize=${u(9)}${fflags}}`
  );
}

/** statx's flags: the sync type (AT_STATX_SYNC_AS_STAT for none), then the AT_* flags. */
export function statxFlagsText(v: number): string {
  const sync = v & 0x6000;
  const syncText = sync ? F.renderFlags(sync, FS.AT_STATX_SYNC_TYPES) : 'AT_STATX_SYNC_AS_STAT';
  const rest = v & ~0x6000;
  // strace prints the rest without a default comment (printflags_in with NULL).
  return rest ? `${syncText}|${F.renderFlags(rest >>> 0, F.AT_FLAGS)}` : syncText;
}

const outStruct = (size: number, text: (d: Buffer) => string): ArgType => ({
  capture: () => pack(Cap.structOut, 0, size),
  output: true,
  memory: true,
  render: (a) => (a.c!.data.length >= size ? text(a.c!.data) : hex(a.v)),
});

export const STAT_TYPES: Record<string, ArgType> = {
  stat_out: outStruct(144, statText),
  statx_out: outStruct(256, statxText),
  statfs_out: outStruct(120, statfsText),
  statxflags: { render: (a) => statxFlagsText(Number(a.v & 0xffffffffn)) },
  statxmask: { render: (a) => FS.renderFlagsDflt(Number(a.v & 0xffffffffn), FS.STATX_MASK, 'STATX_???') },
};
