/**
 * Credentials as strace 6 prints them: uids and gids (-1 for "unchanged"), getres*id's out
 * pointers, group lists, capget/capset's header and capability sets (`1<<CAP_CHOWN|...`).
 */
import { CAPABILITY_NAMES } from '../../../proc/caps.js';
import * as F from '../../flags.js';
import { Cap } from '../../records.js';
import { hex, pack, type ArgCtx, type ArgType } from '../types.js';

/** strace's printuid: -1 (no change) as -1, every other id unsigned. */
export const uidText = (v: number): string => (v >>> 0 === 0xffffffff ? '-1' : String(v >>> 0));

/** Capability names by number (linux/capability.h): the table /proc's readers use. */
export const CAPABILITIES = CAPABILITY_NAMES;

/** A capability number: `CAP_SYS_ADMIN`, or `0x63 /* CAP_??? *\/`. */
export function capText(v: bigint): string {
  const name = v < BigInt(CAPABILITIES.length) && v >= 0n ? CAPABILITIES[Number(v)] : undefined;
  return name ?? `${v === 0n ? '0' : hex(v)} /* CAP_??? */`;
}

/** A capability set: `1<<CAP_CHOWN|1<<CAP_KILL`, unknown bits in hex, 0 as 0. */
export function capSetText(v: bigint): string {
  if (v === 0n) return '0';
  const out: string[] = [];
  for (let i = 0; i < CAPABILITIES.length; i++)
    if (v & (1n << BigInt(i))) {
      out.push(`1<<${CAPABILITIES[i]}`);
      v &= ~(1n << BigInt(i));
    }
  if (v) out.push(hex(v));
  return out.join('|');
}

const CAP_VERSIONS: F.FlagTable = [
  [0x19980330, '_LINUX_CAPABILITY_VERSION_1'],
  [0x20071026, '_LINUX_CAPABILITY_VERSION_2'],
  [0x20080522, '_LINUX_CAPABILITY_VERSION_3'],
];

function capHeaderText(a: ArgCtx): string {
  const d = a.c!.data;
  if (d.length < 8) return hex(a.v);
  return `{version=${F.renderXlat(d.readUInt32LE(0), CAP_VERSIONS, '_LINUX_CAPABILITY_VERSION_???')}, pid=${d.readInt32LE(4)}}`;
}

/** The version in capget/capset's header (argument 0): one 32-bit set for v1, two for v2 and v3. */
function capVersion(a: ArgCtx): number | undefined {
  const h = a.captures.find((c) => c.arg === 0 && c.phase === 0 && !c.fault);
  return h && h.data.length >= 4 ? h.data.readUInt32LE(0) : undefined;
}

function capDataText(a: ArgCtx): string {
  const d = a.c!.data;
  const version = capVersion(a);
  const words = version === 0x19980330 ? 1 : version === 0x20071026 || version === 0x20080522 ? 2 : 0;
  if (!words || d.length < 12 * words) return hex(a.v);
  const set = (field: number) => {
    let v = BigInt(d.readUInt32LE(4 * field));
    if (words === 2) v |= BigInt(d.readUInt32LE(12 + 4 * field)) << 32n;
    return capSetText(v);
  };
  return `{effective=${set(0)}, permitted=${set(1)}, inheritable=${set(2)}}`;
}

function idArray(d: Buffer, count: number, truncated: boolean): string {
  const items: string[] = [];
  for (let i = 0; i < count && 4 * i + 4 <= d.length; i++) items.push(uidText(d.readUInt32LE(4 * i)));
  if (truncated) items.push('...');
  return `[${items.join(', ')}]`;
}

export const CRED_TYPES: Record<string, ArgType> = {
  uid: { render: (a) => uidText(Number(a.v & 0xffffffffn)) },
  /** getresuid's out pointers: `[0]`. */
  uid_out: {
    capture: () => pack(Cap.structOut, 0, 4),
    output: true,
    memory: true,
    render: (a) => (a.c!.data.length >= 4 ? `[${uidText(a.c!.data.readUInt32LE(0))}]` : hex(a.v)),
  },
  /** setgroups' list: argument `param` gids. */
  gids: {
    capture: (p) => pack(Cap.arrayIn, p ?? 0, 4),
    memory: true,
    render: (a) => idArray(a.c!.data, a.c!.data.length / 4, a.c!.truncated),
  },
  /** getgroups' list: `ret` gids. */
  gids_out: {
    capture: () => pack(Cap.arrayOutRet, 0, 4),
    output: true,
    memory: true,
    render: (a) => idArray(a.c!.data, a.c!.data.length / 4, a.c!.truncated),
  },
  cap_header: { capture: () => pack(Cap.structIn, 0, 8), memory: true, render: capHeaderText },
  cap_data: { capture: () => pack(Cap.structIn, 0, 24), memory: true, render: capDataText },
  cap_data_out: { capture: () => pack(Cap.structOut, 0, 24), output: true, memory: true, render: capDataText },
};
