/**
 * Netlink messages in the data of sendto, recvfrom, sendmsg and recvmsg, as strace 6 prints
 * them: `[{nlmsg_len=20, nlmsg_type=RTM_GETADDR, nlmsg_flags=NLM_F_REQUEST|NLM_F_DUMP, ...},
 * {ifa_family=AF_UNSPEC, ...}]`, attributes as `[{nla_len=8, nla_type=IFA_ADDRESS},
 * inet_addr("127.0.0.1")]`, NLMSG_ERROR with the request it answers. The engine tells the
 * socket's netlink protocol (CAP_NL_*: read at the stop, as strace reads it) and hands over the
 * whole data. strace prints at most -s messages and -s attributes per list, and buffers it does
 * not decode as -s hex bytes.
 *
 * Anything this file does not know how strace prints (a protocol, a message type, an attribute
 * whose decoder is not here) throws NotDecoded: the caller then prints the buffer as it would
 * for any socket, never a guessed decode.
 */
import * as NL from '../../netlink-flags.js';
import { xlat, xflags } from '../../net-flags.js';
import type { FlagTable } from '../../flags.js';
import { errnoByNr } from '../../errno.js';
import { Cap, type Capture } from '../../records.js';
import { quote } from '../quote.js';

export class NotDecoded extends Error {}

/** Something strace decodes in a way this file does not know. */
export const notDecoded = (what: string): never => {
  throw new NotDecoded(what);
};

let maxStrlen = 32;

/** -s: strace's max_strlen bounds netlink's lists and hex buffers too. */
export function setNetlinkStrsize(n: number): void {
  maxStrlen = n;
}

export const strsize = (): number => maxStrlen;

/** printstr_ex(QUOTE_FORCE_HEX): at most -s bytes as \xNN, `...` when there were more. */
export const hexText = (d: Buffer): string => quote(d.subarray(0, maxStrlen), d.length > maxStrlen, true);

/**
 * decode_nla_str (QUOTE_OMIT_TRAILING_0 | QUOTE_EXPECT_TRAILING_0): past -s bytes, the first -s
 * and `...`; else the trailing NUL is not printed, and a string without one gets `...`.
 */
export function nlaStrText(d: Buffer): string {
  if (d.length > maxStrlen) return quote(d.subarray(0, maxStrlen), true);
  const nul = d.length > 0 && d[d.length - 1] === 0;
  return quote(nul ? d.subarray(0, d.length - 1) : d, !nul);
}

/** One attribute's payload: its text, or null for strace's hex fallback. */
export type NlaDecoder = (d: Buffer) => string | null;

export interface NlaTable {
  names: FlagTable;
  unknown: string;
  /** By attribute type; a type absent here prints its payload in hex. */
  decoders: Record<number, NlaDecoder>;
  /** Types strace decodes in a way this file does not know. */
  unsupported?: ReadonlySet<number>;
}

export const u8: NlaDecoder = (d) => (d.length < 1 ? null : String(d[0]));
export const u16: NlaDecoder = (d) => (d.length < 2 ? null : String(d.readUInt16LE(0)));
export const u32: NlaDecoder = (d) => (d.length < 4 ? null : String(d.readUInt32LE(0)));
export const s32: NlaDecoder = (d) => (d.length < 4 ? null : String(d.readInt32LE(0)));
export const u64: NlaDecoder = (d) => (d.length < 8 ? null : String(d.readBigUInt64LE(0)));
export const str: NlaDecoder = (d) => nlaStrText(d);

/**
 * decode_nla_flags / decode_nla_xval: the first `size` bytes of a payload of size..8 bytes
 * (`any`: of any length from `size` on, as IFA_FLAGS's own decoder).
 */
export function nlaFlags(
  size: number,
  table: FlagTable,
  unknown: string,
  opts: { enumeration?: boolean; any?: boolean } = {},
): NlaDecoder {
  return (d) => {
    if ((d.length > 8 && !opts.any) || d.length < size) return null;
    const v = size === 1 ? d[0]! : size === 2 ? d.readUInt16LE(0) : d.readUInt32LE(0);
    return opts.enumeration ? xlat(v, table, unknown) : xflags(v, table, unknown);
  };
}

/** strace's decode_nlattr: a list of attributes (an array when there are several). */
export function nlattrText(d: Buffer, table: NlaTable): string {
  const items: string[] = [];
  let isArray = false;
  let at = 0;
  let len = d.length;
  for (let elt = 0; ; elt++) {
    if (len < 4) {
      items.push(hexText(d.subarray(at, at + len)));
      break;
    }
    if (elt === maxStrlen) {
      items.push('...');
      break;
    }
    const nlaLen = d.readUInt16LE(at);
    const type = d.readUInt16LE(at + 2);
    const aligned = (nlaLen + 3) & ~3;
    let nextLen = 0;
    if (nlaLen >= 4) nextLen = len >= aligned ? len - aligned : 0;
    if (!isArray && nextLen) isArray = true;
    items.push(nlattrWithData(d.subarray(at, at + len), nlaLen, type, table));
    if (!nextLen) break;
    at += aligned;
    len = nextLen;
  }
  return isArray ? `[${items.join(', ')}]` : items[0]!;
}

function nlattrWithData(d: Buffer, nlaLen: number, type: number, table: NlaTable): string {
  const len = Math.min(nlaLen, d.length);
  let typeText = '';
  if (type & 0x8000) typeText += 'NLA_F_NESTED|';
  if (type & 0x4000) typeText += 'NLA_F_NET_BYTEORDER|';
  const t = type & 0x3fff;
  typeText += xlat(t, table.names, table.unknown);
  const head = `{nla_len=${nlaLen}, nla_type=${typeText}}`;
  if (len <= 4) return head;
  const payload = d.subarray(4, len);
  if (table.unsupported?.has(t)) notDecoded(`attribute ${t}`);
  const dec = table.decoders[t];
  const text = dec ? dec(payload) : null;
  return `[${head}, ${text ?? hexText(payload)}]`;
}

/** Per protocol: message type names and flags tables, and the payload decoder. */
export interface NetlinkFamily {
  types: FlagTable;
  unknownType: string;
  flags(type: number): FlagTable | undefined;
  /** The payload of a message of type >= NLMSG_MIN_TYPE (or NLMSG_DONE); null: strace's fallback. */
  payload(type: number, flags: number, d: Buffer): string | null;
}

const FAMILIES: Record<number, NetlinkFamily> = {};

/** Each protocol's file registers its decoder (rtnetlink.ts: NETLINK_ROUTE). */
export function registerNetlinkFamily(proto: number, family: NetlinkFamily): void {
  FAMILIES[proto] = family;
}
/** Protocols strace names or decodes in a way this file does not (audit, xfrm, generic...). */
const OTHER_DECODED = new Set([6, 7, 12, 16, 21]);

function typeText(type: number, proto: number): string {
  if (type >= NL.NLMSG_MIN_TYPE) {
    const fam = FAMILIES[proto];
    if (fam) return xlat(type, fam.types, fam.unknownType);
    if (OTHER_DECODED.has(proto)) notDecoded(`protocol ${proto}`);
  }
  return xlat(type, NL.NLMSG_TYPES, 'NLMSG_???');
}

function flagsText(flags: number, type: number, proto: number): string {
  let extra: FlagTable = [];
  if (type < NL.NLMSG_MIN_TYPE) {
    if (type === NL.NLMSG_ERROR) extra = NL.NLM_F_ACK_FLAGS;
  } else extra = FAMILIES[proto]?.flags(type) ?? [];
  return xflags(flags, [...NL.NLM_F_COMMON, ...extra], 'NLM_F_???');
}

const headerText = (d: Buffer, proto: number): string =>
  `{nlmsg_len=${d.readUInt32LE(0)}, nlmsg_type=${typeText(d.readUInt16LE(4), proto)}, nlmsg_flags=${flagsText(d.readUInt16LE(6), d.readUInt16LE(4), proto)}, nlmsg_seq=${d.readUInt32LE(8)}, nlmsg_pid=${d.readInt32LE(12)}}`;

const NLMSGERR_TABLE: NlaTable = {
  names: NL.NLMSGERR_ATTRS,
  unknown: 'NLMSGERR_ATTR_???',
  decoders: { 1: str, 2: u32 },
  unsupported: new Set([3, 4, 5, 6]),
};

/**
 * struct nlmsgerr: the error and the message it answers (only its header when NLM_F_CAPPED);
 * extended ACK attributes after it make the whole an array. Shorter than the struct: bytes.
 */
function nlmsgerrText(d: Buffer, proto: number, capped: boolean): string {
  if (d.length < 20) return hexText(d);
  const err = d.readInt32LE(0);
  const name = err < 0 ? errnoByNr(-err)?.name : undefined;
  const rest = d.subarray(4);
  let payload = capped ? 16 : rest.readUInt32LE(0);
  if (payload > rest.length) payload = rest.length;
  const s = `{error=${name ? `-${name}` : err}, msg=${messageText(rest.subarray(0, payload), proto)}}`;
  return rest.length > payload ? `[${s}, ${nlattrText(rest.subarray(payload), NLMSGERR_TABLE)}]` : s;
}

function payloadText(type: number, flags: number, d: Buffer, proto: number): string {
  if (type === NL.NLMSG_ERROR) return nlmsgerrText(d, proto, (flags & 0x100) !== 0);
  if (type >= NL.NLMSG_MIN_TYPE || type === NL.NLMSG_DONE) {
    const fam = FAMILIES[proto];
    if (fam) {
      const text = fam.payload(type, flags, d);
      if (text !== null) return text;
    } else if (OTHER_DECODED.has(proto)) notDecoded(`protocol ${proto}`);
  }
  if (type === NL.NLMSG_DONE && d.length === 4) return String(d.readInt32LE(0));
  return hexText(d);
}

/** decode_nlmsghdr_with_payload: d is the message and what follows, as far as the data goes. */
function messageText(d: Buffer, proto: number): string {
  const nlmsgLen = Math.min(d.readUInt32LE(0), d.length);
  const head = headerText(d, proto);
  if (nlmsgLen <= 16) return head;
  return `[${head}, ${payloadText(d.readUInt16LE(4), d.readUInt16LE(6), d.subarray(16, nlmsgLen), proto)}]`;
}

/**
 * strace's decode_netlink for the data of a socket of netlink protocol `proto` (-1: unknown);
 * undefined when strace prints it in a way this file does not know (the caller prints bytes).
 */
export function netlinkText(d: Buffer, proto: number): string | undefined {
  // NETLINK_KOBJECT_UEVENT: strace prints the data as a string, as for any socket (libudev's
  // messages get a struct: not decoded here).
  if (proto === 15) return undefined;
  try {
    const items: string[] = [];
    let isArray = false;
    let at = 0;
    let len = d.length;
    for (let elt = 0; ; elt++) {
      if (len < 16) {
        items.push(hexText(d.subarray(at, at + len)));
        break;
      }
      if (elt === maxStrlen) {
        items.push('...');
        break;
      }
      const msgLen = d.readUInt32LE(at);
      const aligned = ((msgLen + 3) & ~3) >>> 0;
      let nextLen = 0;
      if (msgLen >= 16 && aligned !== 0) nextLen = len >= aligned ? len - aligned : 0;
      if (!isArray && nextLen) isArray = true;
      items.push(messageText(d.subarray(at, at + len), proto));
      if (!nextLen) break;
      at += aligned;
      len = nextLen;
    }
    return isArray ? `[${items.join(', ')}]` : items[0];
  } catch (e) {
    if (e instanceof NotDecoded || e instanceof RangeError) return undefined;
    throw e;
  }
}

/** The engine's netlink capture of a call (CAP_NL_IN/OUT), if the fd was a netlink socket. */
export interface NetlinkData {
  proto: number;
  /** Per buffer (sendto: one; sendmsg: per iovec): the bytes strace decodes, or undefined when cut. */
  buffers: (Buffer | undefined)[];
}

/**
 * The engine's netlink capture of a call (CAP_NL_IN/OUT, layout in tracer.h); undefined when the
 * fd was not a netlink socket. `msghdr`: the capture walked a msghdr's iovecs.
 */
export function netlinkData(captures: Capture[], msghdr: boolean): NetlinkData | undefined {
  const c = captures.find((x) => (x.kind === Cap.nlIn || x.kind === Cap.nlOut) && !x.fault);
  if (!c || c.data.length < 8) return undefined;
  const d = c.data;
  const proto = d.readInt32LE(0);
  if (proto === -2) return undefined;
  const buffers: (Buffer | undefined)[] = [];
  if (!msghdr) {
    const total = d.readUInt32LE(4);
    const bytes = d.subarray(8);
    buffers.push(bytes.length === total ? bytes : undefined);
    return { proto, buffers };
  }
  const n = d.readUInt32LE(4);
  let at = 8;
  for (let i = 0; i < n; i++) {
    if (at + 8 > d.length) return undefined;
    const total = d.readUInt32LE(at);
    const caplen = d.readUInt32LE(at + 4);
    const bytes = d.subarray(at + 8, at + 8 + caplen);
    buffers.push(caplen === total && bytes.length === caplen ? bytes : undefined);
    at += 8 + caplen;
  }
  return { proto, buffers };
}
