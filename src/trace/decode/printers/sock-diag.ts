/**
 * NETLINK_SOCK_DIAG's payloads as strace 6 prints them, for the inet families (ss -t, -u, -l):
 * struct inet_diag_req_v2 in requests, struct inet_diag_msg and its INET_DIAG_* attributes in
 * answers; unix_diag_req and unix_diag_msg (ss -x). Other families (netlink, packet diag), the legacy TCPDIAG_GETSOCK request,
 * bytecode filters and the structs strace decodes in attributes not written here: NotDecoded.
 */
import * as NL from '../../netlink-flags.js';
import * as N from '../../net-flags.js';
import { xflags, xlat } from '../../net-flags.js';
import {
  hexText,
  nlattrText,
  notDecoded,
  registerNetlinkFamily,
  str,
  strsize,
  u32,
  u64,
  u8,
  type NlaTable,
} from './netlink.js';
import { ifIndexText, inet6Text } from './socket.js';

const family = (f: number) => xlat(f, N.ADDRESS_FAMILIES, 'AF_???');

/** struct inet_diag_sockid (48 bytes at `at`). */
function sockidText(d: Buffer, at: number, fam: number): string {
  const addr = (off: number, name: string) =>
    fam === 2
      ? `${name}=inet_addr("${[...d.subarray(off, off + 4)].join('.')}")`
      : fam === 10
        ? `inet_pton(AF_INET6, "${inet6Text(d.subarray(off, off + 16))}", &${name})`
        : notDecoded('sockid of a family');
  return `{idiag_sport=htons(${d.readUInt16BE(at)}), idiag_dport=htons(${d.readUInt16BE(at + 2)}), ${addr(at + 4, 'idiag_src')}, ${addr(at + 20, 'idiag_dst')}, idiag_if=${ifIndexText(d.readUInt32LE(at + 36))}, idiag_cookie=[${d.readUInt32LE(at + 40)}, ${d.readUInt32LE(at + 44)}]}`;
}

const REQ_TABLE: NlaTable = {
  names: NL.INET_DIAG_REQ_ATTRS,
  unknown: 'INET_DIAG_REQ_???',
  decoders: {},
  unsupported: new Set([1, 2, 3]),
};

function reqText(d: Buffer): string {
  const fam = d[0]!;
  let s = `{sdiag_family=${family(fam)}, `;
  if (d.length < 56) return `${s}...}`;
  s += `sdiag_protocol=${xlat(d[1]!, N.INET_PROTOCOLS, 'IPPROTO_???')}, idiag_ext=${xflags(d[2]!, NL.INET_DIAG_EXT_FLAGS, '1<<INET_DIAG_???-1')}, idiag_states=${xflags(d.readUInt32LE(4), NL.TCP_STATE_FLAGS, '1<<TCP_???')}, id=${sockidText(d, 8, fam)}}`;
  return d.length > 56 ? `${s}, ${nlattrText(d.subarray(56), REQ_TABLE)}` : s;
}

const meminfo = (d: Buffer) =>
  d.length < 16
    ? null
    : `{idiag_rmem=${d.readUInt32LE(0)}, idiag_wmem=${d.readUInt32LE(4)}, idiag_fmem=${d.readUInt32LE(8)}, idiag_tmem=${d.readUInt32LE(12)}}`;

const SOCKOPT_BITS = [
  'recverr',
  'is_icsk',
  'freebind',
  'hdrincl',
  'mc_loop',
  'transparent',
  'mc_all',
  'nodefrag',
  'bind_address_no_port',
  'recverr_rfc4884',
  'defer_connect',
];

/**
 * struct inet_diag_sockopt's bit fields, only the set ones (strace's abbreviated style), then
 * any nonzero bytes past the struct.
 */
function sockopt(d: Buffer): string | null {
  if (d.length < 2) return null;
  const v = d.readUInt16LE(0);
  const set = SOCKOPT_BITS.filter((_, i) => v & (1 << i)).map((n) => `${n}=1`);
  if (v >> 11) set.push(`unused=0x${(v >> 11).toString(16)} /* bits 3..8 */`);
  const tail = d.subarray(2);
  const extra = tail.some((b) => b !== 0) ? `, /* bytes 2..${d.length - 1} */ ${hexText(tail)}` : '';
  return `{${set.join(', ')}}${extra}`;
}

const SHUTDOWN_FLAGS = [
  [1, 'RCV_SHUTDOWN'],
  [2, 'SEND_SHUTDOWN'],
] as const;

/** INET_DIAG_SHUTDOWN: the value, with its names in a comment (the names are not UAPI). */
const shutdown = (d: Buffer) => {
  if (d.length > 8) return null;
  const v = d[0]!;
  if (v === 0) return '0';
  return `0x${v.toString(16)} /* ${v & 3 ? xflags(v, SHUTDOWN_FLAGS, '???_SHUTDOWN') : '???_SHUTDOWN'} */`;
};

/** decode_nla_ip_proto: the payload (at most 8 bytes) as a number, named as an IP protocol. */
const ipProto = (d: Buffer) => {
  if (d.length > 8) return null;
  let v = 0n;
  for (let i = d.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(d[i]!);
  for (const [k, name] of N.INET_PROTOCOLS) if (BigInt(k) === v) return name;
  return `${v === 0n ? '0' : `0x${v.toString(16)}`} /* IPPROTO_??? */`;
};

const MSG_TABLE: NlaTable = {
  names: NL.INET_DIAG_ATTRS,
  unknown: 'INET_DIAG_???',
  decoders: {
    1: meminfo,
    4: str,
    5: u8,
    6: u8,
    8: shutdown,
    10: ipProto,
    11: u8,
    15: u32,
    17: u32,
    21: u64,
    22: sockopt,
  },
  unsupported: new Set([3, 7, 9, 12, 13, 16, 18, 19, 20]),
};

function msgText(d: Buffer): string {
  const fam = d[0]!;
  let s = `{idiag_family=${family(fam)}, `;
  if (d.length < 72) return `${s}...}`;
  s += `idiag_state=${xlat(d[1]!, NL.TCP_STATES, 'TCP_???')}, idiag_timer=${d[2]}, idiag_retrans=${d[3]}, id=${sockidText(d, 4, fam)}, idiag_expires=${d.readUInt32LE(52)}, idiag_rqueue=${d.readUInt32LE(56)}, idiag_wqueue=${d.readUInt32LE(60)}, idiag_uid=${d.readUInt32LE(64)}, idiag_inode=${d.readUInt32LE(68)}}`;
  return d.length > 72 ? `${s}, ${nlattrText(d.subarray(72), MSG_TABLE)}` : s;
}

const cookie = (d: Buffer, at: number) => `[${d.readUInt32LE(at)}, ${d.readUInt32LE(at + 4)}]`;

/** struct unix_diag_req (ss -x). */
function unixReqText(d: Buffer): string {
  let s = `{sdiag_family=${family(d[0]!)}, `;
  if (d.length < 24) return `${s}...}`;
  s += `sdiag_protocol=${d[1]}, udiag_states=${xflags(d.readUInt32LE(4), NL.TCP_STATE_FLAGS, '1<<TCP_???')}, udiag_ino=${d.readUInt32LE(8)}, udiag_show=${xflags(d.readUInt32LE(12), NL.UDIAG_SHOW_FLAGS, 'UDIAG_SHOW_???')}, udiag_cookie=${cookie(d, 16)}}`;
  return s;
}

/** UNIX_DIAG_ICONS: the inodes of the connections waiting, at most -s of them. */
const icons = (d: Buffer) => {
  const n = Math.floor(d.length / 4);
  if (!n) return null;
  const items = [...Array(Math.min(n, strsize())).keys()].map((i) => String(d.readUInt32LE(4 * i)));
  if (n > strsize()) items.push('...');
  return `[${items.join(', ')}]`;
};

const UNIX_MSG_TABLE: NlaTable = {
  names: NL.UNIX_DIAG_ATTRS,
  unknown: 'UNIX_DIAG_???',
  decoders: {
    0: str,
    2: u32,
    3: icons,
    4: (d) => (d.length < 8 ? null : `{udiag_rqueue=${d.readUInt32LE(0)}, udiag_wqueue=${d.readUInt32LE(4)}}`),
    6: u8,
  },
  unsupported: new Set([1, 5, 7]),
};

/** struct unix_diag_msg and its UNIX_DIAG_* attributes. */
function unixMsgText(d: Buffer): string {
  let s = `{udiag_family=${family(d[0]!)}, `;
  if (d.length < 16) return `${s}...}`;
  s += `udiag_type=${xlat(d[1]!, N.SOCK_TYPES, 'SOCK_???')}, udiag_state=${xlat(d[2]!, NL.TCP_STATES, 'TCP_???')}, udiag_ino=${d.readUInt32LE(4)}, udiag_cookie=${cookie(d, 8)}}`;
  return d.length > 16 ? `${s}, ${nlattrText(d.subarray(16), UNIX_MSG_TABLE)}` : s;
}

registerNetlinkFamily(4, {
  types: NL.SOCK_DIAG_TYPES,
  unknownType: 'SOCK_DIAG_???',
  flags: () => NL.NLM_F_GET,
  payload: (type, flags, d) => {
    if (type === NL.NLMSG_DONE) return null;
    const fam = d[0]!;
    if (type === 20 && fam === 1) return flags & 1 ? unixReqText(d) : unixMsgText(d);
    if (type !== 20 || (fam !== 2 && fam !== 10)) return notDecoded(`sock_diag ${type} of family ${fam}`);
    return flags & 1 ? reqText(d) : msgText(d);
  },
});
