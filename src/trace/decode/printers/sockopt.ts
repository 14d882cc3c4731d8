/**
 * setsockopt and getsockopt: the level, the option name by level, the value as strace 6 prints
 * it (`[1]`, struct linger, ucred, SO_ERROR's errno name, a string otherwise) and getsockopt's
 * optlen in/out. Options whose value strace decodes as a struct we do not (socket filters,
 * multicast requests, packet rings) print as the address.
 */
import { errnoByNr } from '../../errno.js';
import type { FlagTable } from '../../flags.js';
import * as N from '../../net-flags.js';
import { Cap } from '../../records.js';
import { quote } from '../quote.js';
import { hex, i32, pack, ptr, type ArgCtx, type ArgType } from '../types.js';
import { socklenPair, socklenText } from './socket.js';

const SOL_IP = 0;
const SOL_SOCKET = 1;
const SOL_TCP = 6;
const SOL_UDP = 17;
const SOL_IPV6 = 41;
const SOL_RAW = 255;
const SOL_PACKET = 263;
const SOL_NETLINK = 270;

/** Option-name tables by level: [table, unknown text, getsockopt-only names]. */
const OPTION_NAMES: Record<number, [FlagTable, string, FlagTable?]> = {
  [SOL_SOCKET]: [N.SO_OPTIONS, 'SO_???', N.SO_GET_ONLY],
  [SOL_IP]: [N.IP_OPTIONS, 'IP_???', N.IP_GET_ONLY],
  [SOL_IPV6]: [N.IPV6_OPTIONS, 'IPV6_???', N.IPV6_GET_ONLY],
  [SOL_TCP]: [N.TCP_OPTIONS, 'TCP_???'],
  [SOL_UDP]: [N.UDP_OPTIONS, 'UDP_???'],
  [SOL_PACKET]: [N.PACKET_OPTIONS, 'PACKET_???'],
  [SOL_NETLINK]: [N.NETLINK_OPTIONS, 'NETLINK_???'],
  [SOL_RAW]: [N.RAW_OPTIONS, 'RAW_???'],
};

function optnameText(level: number, name: number, get: boolean): string {
  const t = OPTION_NAMES[level];
  if (!t) return String(name >>> 0);
  const [table, unknown, getOnly] = t;
  if (get && getOnly) {
    const n = getOnly.find(([v]) => v === name);
    if (n) return n[1];
  }
  return N.xlat(name, table, unknown);
}

/** SOL_SOCKET options strace prints as an int (when the length holds one). */
const SO_INT_OPTIONS = new Set([
  1, 2, 5, 6, 7, 8, 9, 10, 11, 12, 14, 15, 16, 18, 19, 27, 29, 30, 32, 33, 34, 35, 36, 37, 40, 41, 42, 43, 44, 45, 46,
  49, 53, 56, 60, 63, 64, 65, 68, 69, 70, 73, 75,
]);

/** (level, name) whose value strace decodes as a struct this decoder does not: the address. */
function structOption(level: number, name: number, get: boolean): boolean {
  switch (level) {
    case SOL_SOCKET:
      return name === 26 || name === 74 || (!get && name === 51);
    case SOL_IP:
      return !get && [35, 36, 42, 45].includes(name);
    case SOL_IPV6:
      return !get && [20, 21, 27, 28, 42, 45].includes(name);
    case SOL_PACKET:
      return get ? name === 6 : [1, 2, 5, 13].includes(name);
    case SOL_RAW:
      return name === 1;
    default:
      return false;
  }
}

const int = (d: Buffer) => `[${d.readInt32LE(0)}]`;
const forcedHex = (d: Buffer) => `"${[...d].map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join('')}"`;

function setValue(a: ArgCtx): string {
  const level = i32(a.raw[1]!);
  const name = i32(a.raw[2]!);
  const len = i32(a.raw[4]!);
  const d = a.c!.data;
  if (structOption(level, name, false)) return hex(a.v);
  if (level === SOL_SOCKET && name === 13)
    return len < 8 || d.length < 8 ? hex(a.v) : `{l_onoff=${d.readInt32LE(0)}, l_linger=${d.readInt32LE(4)}}`;
  if ((level === SOL_SOCKET && SO_INT_OPTIONS.has(name)) || level === SOL_NETLINK)
    return len < 4 || d.length < 4 ? hex(a.v) : int(d);
  if (len === 4) return d.length < 4 ? hex(a.v) : int(d);
  if (len < 0) return hex(a.v);
  return quote(d, a.c!.truncated);
}

function getValue(a: ArgCtx, ulen: number, rlen: number): string {
  const level = i32(a.raw[1]!);
  const name = i32(a.raw[2]!);
  const c = a.captures.find((c) => c.arg === a.i && c.kind === Cap.bufOutLenp && !c.fault);
  if (ulen <= 0 || rlen <= 0 || a.v === 0n || !c) return ptr(a.v);
  const d = c.data;
  if (structOption(level, name, true)) return hex(a.v);
  if (level === SOL_SOCKET) {
    if (name === 13 && rlen >= 8 && d.length >= 8) return `{l_onoff=${d.readInt32LE(0)}, l_linger=${d.readInt32LE(4)}}`;
    if (name === 17 && rlen >= 12 && d.length >= 12)
      return `{pid=${d.readInt32LE(0)}, uid=${d.readUInt32LE(4)}, gid=${d.readUInt32LE(8)}}`;
    if (name === 13 || name === 17) return hex(a.v);
    if (name === 4 || SO_INT_OPTIONS.has(name)) {
      if (rlen < 4) return forcedHex(d.subarray(0, rlen));
      if (d.length < 4) return hex(a.v);
      if (name !== 4) return int(d);
      const err = d.readUInt32LE(0);
      return `[${err === 0 ? '0' : (errnoByNr(err)?.name ?? String(err))}]`;
    }
  }
  if (level === SOL_NETLINK) {
    if (name === 9) {
      const n = Math.floor(Math.min(ulen, rlen) / 4);
      if (d.length < n * 4) return hex(a.v);
      const items = [];
      for (let i = 0; i < n; i++) items.push(String(d.readUInt32LE(4 * i)));
      return `[${items.join(', ')}]`;
    }
    return d.length < 4 ? hex(a.v) : int(d);
  }
  if (rlen === 4) return d.length < 4 ? hex(a.v) : int(d);
  return quote(d, c.truncated);
}

export const SOCKOPT_TYPES: Record<string, ArgType> = {
  sockoptlevel: { render: (a) => N.xlat(i32(a.v), N.SOCKET_LEVELS, 'SOL_??') },
  /** The option name; its table depends on the level (argument 1). */
  sockoptname: { render: (a) => optnameText(i32(a.raw[1]!), i32(a.v), a.name === 'getsockopt') },
  /** setsockopt's optval, optlen (argument `param`) bytes. */
  sockoptval_in: { capture: (p) => pack(Cap.bufIn, p ?? 4, 0), memory: true, render: setValue },
  /** getsockopt's optval: *optlen (argument `param`) bytes at exit. */
  sockoptval_out: {
    capture: (p) => pack(Cap.bufOutLenp, p ?? 4, 0),
    output: true,
    render: (a) => {
      const { ulen, rlen } = socklenPair(a, a.param ?? 4);
      if (ulen === undefined || (a.raw[a.param ?? 4] ?? 0n) === 0n) return ptr(a.v);
      if (a.failed || rlen === undefined) return ptr(a.v);
      return getValue(a, ulen, rlen);
    },
  },
  /** getsockopt's socklen_t *optlen: `[16]` or `[32 => 16]`. */
  sockoptlen_io: {
    capture: () => pack(Cap.structInOut, 0, 4),
    output: true,
    render: (a) => {
      const { ulen, rlen } = socklenPair(a, a.i);
      if (a.v === 0n || ulen === undefined) return ptr(a.v);
      return socklenText(ulen, a.failed ? undefined : rlen);
    },
  },
};
