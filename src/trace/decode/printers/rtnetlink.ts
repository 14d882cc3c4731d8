/**
 * NETLINK_ROUTE's payloads as strace 6 prints them: struct ifinfomsg (RTM_*LINK), ifaddrmsg
 * (RTM_*ADDR), rtmsg (RTM_*ROUTE) and their attributes; `{family=AF_INET, data=...}` for types
 * strace has no struct for. Types and attributes that strace decodes with structs not written
 * here (neighbours, rules, qdiscs, IFLA_LINKINFO, IFLA_AF_SPEC...) are not guessed: NotDecoded.
 */
import * as NL from '../../netlink-flags.js';
import * as N from '../../net-flags.js';
import { xflags, xlat } from '../../net-flags.js';
import {
  hexText,
  nlaFlags,
  nlattrText,
  notDecoded,
  registerNetlinkFamily,
  s32,
  str,
  u16,
  u32,
  u64,
  u8,
  strsize,
  type NlaDecoder,
  type NlaTable,
} from './netlink.js';
import { ifIndexText, inet6Text } from './socket.js';

const family = (f: number) => xlat(f, N.ADDRESS_FAMILIES, 'AF_???');
const x = (v: number | bigint) => (v === 0 || v === 0n ? '0' : `0x${v.toString(16)}`);

/** decode_inet_addr: an address of the message's family, else the bytes. */
const inetAddr =
  (fam: number): NlaDecoder =>
  (d) => {
    if (fam === 2 && d.length >= 4) return `inet_addr("${[...d.subarray(0, 4)].join('.')}")`;
    if (fam === 10 && d.length >= 16) return `inet_pton(AF_INET6, "${inet6Text(d.subarray(0, 16))}")`;
    return hexText(d);
  };

const ifindex: NlaDecoder = (d) => (d.length < 4 ? null : ifIndexText(d.readUInt32LE(0)));

/** A struct of consecutive fields: [name, byte size, hex?]. */
function fields(d: Buffer, list: [string, 1 | 2 | 4 | 8, boolean?][]): string {
  let at = 0;
  const out: string[] = [];
  for (const [name, size, hex] of list) {
    const v =
      size === 1 ? d[at]! : size === 2 ? d.readUInt16LE(at) : size === 4 ? d.readUInt32LE(at) : d.readBigUInt64LE(at);
    out.push(`${name}=${hex ? x(v) : String(v)}`);
    at += size;
  }
  return `{${out.join(', ')}}`;
}

const STATS_FIELDS = [
  'rx_packets',
  'tx_packets',
  'rx_bytes',
  'tx_bytes',
  'rx_errors',
  'tx_errors',
  'rx_dropped',
  'tx_dropped',
  'multicast',
  'collisions',
  'rx_length_errors',
  'rx_over_errors',
  'rx_crc_errors',
  'rx_frame_errors',
  'rx_fifo_errors',
  'rx_missed_errors',
  'tx_aborted_errors',
  'tx_carrier_errors',
  'tx_fifo_errors',
  'tx_heartbeat_errors',
  'tx_window_errors',
  'rx_compressed',
  'tx_compressed',
  'rx_nohandler',
  'rx_otherhost_dropped',
];

/**
 * struct rtnl_link_stats (u32 fields, 24 of them) or rtnl_link_stats64 (u64, 25): strace 6.1
 * prints the fields the payload holds from tx_compressed (the 23rd) on, else hex (measured);
 * payloads that end inside a field are not written here.
 */
function linkStats(size: 4 | 8, count: number): NlaDecoder {
  return (d) => {
    if (d.length < 23 * size) return null;
    if (d.length < count * size && d.length % size) return notDecoded('stats ending inside a field');
    const n = Math.min(count, Math.floor(d.length / size));
    return fields(
      d,
      STATS_FIELDS.slice(0, n).map((f) => [f, size]),
    );
  };
}

/**
 * A hardware address as xx:xx:... (more than MAX_ADDR_LEN bytes: hex). `max`: IFLA_ADDRESS and
 * friends are printed as the address of the message's family taken as an ARPHRD type, and
 * AF_UNSPEC is ARPHRD_NETROM, whose AX.25 addresses have 7 bytes: strace 6.1 prints at most 7.
 */
const hwaddr =
  (max = 32): NlaDecoder =>
  (d) =>
    d.length > 32 ? null : [...d.subarray(0, max)].map((b) => b.toString(16).padStart(2, '0')).join(':');

/** An AF_INET6 link's hardware address: as measured up to 6 bytes; longer ones not written here. */
const hwaddrUpTo6: NlaDecoder = (d) => (d.length > 6 ? notDecoded('long hwaddr') : hwaddr()(d));

const ifmap: NlaDecoder = (d) =>
  d.length < 28
    ? null
    : fields(d, [
        ['mem_start', 8, true],
        ['mem_end', 8, true],
        ['base_addr', 8, true],
        ['irq', 2],
        ['dma', 1],
        ['port', 1],
      ]);

/** print_array_ex with indices: `[[NAME]=value, ...]`, at most -s elements. */
function indexedArray(size: 4 | 8, names: NL_Table, unknown: string): NlaDecoder {
  return (d) => {
    const n = Math.floor(d.length / size);
    if (!n) return null;
    const items: string[] = [];
    for (let i = 0; i < Math.min(n, strsize()); i++) {
      const v = size === 4 ? String(d.readInt32LE(4 * i)) : String(d.readBigUInt64LE(8 * i));
      const name = names.find(([k]) => k === i)?.[1] ?? `${i} /* ${unknown} */`;
      items.push(`[${name}]=${v}`);
    }
    if (n > strsize()) items.push('...');
    return `[${items.join(', ')}]`;
  };
}

/** IFLA_PROTINFO of an AF_INET6 link: the IPv6 device's flags, configuration and counters. */
const INET6_TABLE: NlaTable = {
  names: NL.IFLA_INET6_ATTRS,
  unknown: 'IFLA_INET6_???',
  decoders: {
    1: nlaFlags(4, NL.INET6_IF_FLAGS, 'IF_???'),
    2: indexedArray(4, NL.DEVCONF_NAMES, 'DEVCONF_???'),
    3: indexedArray(8, NL.IPSTATS_MIB_NAMES, 'IPSTATS_MIB_???'),
    5: (d) =>
      d.length < 16
        ? null
        : fields(d, [
            ['max_reasm_len', 4],
            ['tstamp', 4],
            ['reachable_time', 4],
            ['retrans_time', 4],
          ]),
    6: indexedArray(8, NL.ICMP6_MIB_NAMES, 'ICMP6_MIB_???'),
    7: inetAddr(10),
    8: nlaFlags(1, NL.IN6_ADDR_GEN_MODES, 'IN6_ADDR_GEN_MODE_???', { enumeration: true }),
  },
  unsupported: new Set([9]),
};

const IFLA_TABLE = (fam: number): NlaTable => {
  // print_hwaddr's layout for other families (ARPHRD types) is not written here.
  const hw: NlaDecoder = fam === 0 ? hwaddr(7) : fam === 10 ? hwaddrUpTo6 : () => notDecoded('hwaddr of a family');
  return {
    names: NL.IFLA_ATTRS,
    unknown: 'IFLA_???',
    decoders: {
      1: hw,
      2: hw,
      3: str,
      4: u32,
      5: u32,
      6: str,
      7: linkStats(4, 24),
      12: (d) => (fam === 10 ? nlattrText(d, INET6_TABLE) : fam === 0 ? null : notDecoded('IFLA_PROTINFO')),
      10: u32,
      13: u32,
      14: ifmap,
      15: u32,
      16: u8,
      17: u8,
      19: u32,
      20: str,
      21: u32,
      23: linkStats(8, 25),
      27: u32,
      29: nlaFlags(4, NL.RTEXT_FILTER_FLAGS, 'RTEXT_FILTER_???'),
      30: u32,
      31: u32,
      32: u32,
      33: u8,
      35: u32,
      37: s32,
      38: str,
      39: u8,
      40: u32,
      41: u32,
      45: s32,
      46: s32,
      47: u32,
      48: u32,
      49: ifindex,
      50: u32,
      51: u32,
      53: str,
      54: hw,
      56: str,
      57: str,
      58: u32,
      59: u32,
      60: u32,
      61: u32,
    },
    // Nested lists and structs strace decodes that are not written here. IFLA_PROTINFO: the
    // IPv6 device's attributes for AF_INET6, hex for AF_UNSPEC (measured), AF_BRIDGE's not here.
    unsupported: new Set([18, 22, 24, 25, 26, 28, 43, 44, 52, 55]),
  };
};

function ifinfomsgText(d: Buffer): string {
  const fam = d[0]!;
  let s = `{ifi_family=${family(fam)}, `;
  if (d.length < 16) return `${s}...}`;
  s += `ifi_type=${xlat(d.readUInt16LE(2), N.ARP_HARDWARE_TYPES, 'ARPHRD_???')}, ifi_index=${ifIndexText(d.readUInt32LE(4))}, ifi_flags=${xflags(d.readUInt32LE(8), NL.IFF_FLAGS, 'IFF_???')}, ifi_change=${x(d.readUInt32LE(12))}}`;
  return d.length > 16 ? `${s}, ${nlattrText(d.subarray(16), IFLA_TABLE(fam))}` : s;
}

const cacheinfo: NlaDecoder = (d) =>
  d.length < 16
    ? null
    : fields(d, [
        ['ifa_prefered', 4],
        ['ifa_valid', 4],
        ['cstamp', 4],
        ['tstamp', 4],
      ]);

const IFA_TABLE = (fam: number): NlaTable => {
  const addr = inetAddr(fam);
  return {
    names: NL.IFA_ATTRS,
    unknown: 'IFA_???',
    decoders: {
      1: addr,
      2: addr,
      3: str,
      4: addr,
      5: addr,
      6: cacheinfo,
      7: addr,
      8: nlaFlags(4, NL.IFA_FLAGS, 'IFA_F_???', { any: true }),
      9: u32,
      10: s32,
    },
  };
};

/** An enumeration strace prints with no `/* X_??? *\/` comment for unknown values. */
const xvalNoComment = (v: number, table: NL_Table) => {
  for (const [k, n] of table) if (k === v) return n;
  return x(v);
};
type NL_Table = typeof NL.RT_SCOPES;

function ifaddrmsgText(d: Buffer): string {
  const fam = d[0]!;
  let s = `{ifa_family=${family(fam)}, `;
  if (d.length < 8) return `${s}...}`;
  s += `ifa_prefixlen=${d[1]}, ifa_flags=${xflags(d[2]!, NL.IFA_FLAGS, 'IFA_F_???')}, ifa_scope=${xvalNoComment(d[3]!, NL.RT_SCOPES)}, ifa_index=${ifIndexText(d.readUInt32LE(4))}}`;
  return d.length > 8 ? `${s}, ${nlattrText(d.subarray(8), IFA_TABLE(fam))}` : s;
}

const RTAX_TABLE: NlaTable = {
  names: NL.RTAX_ATTRS,
  unknown: 'RTAX_???',
  decoders: Object.fromEntries([...Array(16).keys()].map((i) => [i + 1, i + 1 === 16 ? str : u32])),
};

const rtaCacheinfo: NlaDecoder = (d) =>
  d.length < 32
    ? null
    : fields(d, [
        ['rta_clntref', 4],
        ['rta_lastuse', 4],
        ['rta_expires', 4],
        ['rta_error', 4],
        ['rta_used', 4],
        ['rta_id', 4, true],
        ['rta_ts', 4],
        ['rta_tsage', 4],
      ]);

const mfcStats: NlaDecoder = (d) =>
  d.length < 24
    ? null
    : fields(d, [
        ['mfcs_packets', 8],
        ['mfcs_bytes', 8],
        ['mfcs_wrong_if', 8],
      ]);

const RTA_TABLE = (fam: number): NlaTable => {
  const addr = inetAddr(fam);
  return {
    names: NL.RTA_ATTRS,
    unknown: 'RTA_???',
    decoders: {
      1: addr,
      2: addr,
      3: ifindex,
      4: ifindex,
      5: addr,
      6: u32,
      7: addr,
      8: (d) => nlattrText(d, RTAX_TABLE),
      10: u32,
      11: u32,
      12: rtaCacheinfo,
      14: u32,
      15: (d) => (d.length < 4 ? null : xvalNoComment(d.readUInt32LE(0), NL.RT_TABLES)),
      16: u32,
      17: mfcStats,
      19: addr,
      20: u8,
      23: u64,
      25: u32,
      26: u8,
      27: u8,
      28: u16,
      29: u16,
    },
    unsupported: new Set([9, 18, 21]),
  };
};

function rtmsgText(d: Buffer): string {
  const fam = d[0]!;
  let s = `{rtm_family=${family(fam)}, `;
  if (d.length < 12) return `${s}...}`;
  s += `rtm_dst_len=${d[1]}, rtm_src_len=${d[2]}, rtm_tos=${xflags(d[3]!, NL.IPTOS_FLAGS, 'IPTOS_TOS_???')}, rtm_table=${xvalNoComment(d[4]!, NL.RT_TABLES)}, rtm_protocol=${xlat(d[5]!, NL.RT_PROTOCOLS, 'RTPROT_???')}, rtm_scope=${xvalNoComment(d[6]!, NL.RT_SCOPES)}, rtm_type=${xlat(d[7]!, NL.RTN_TYPES, 'RTN_???')}, rtm_flags=${xflags(d.readUInt32LE(8), NL.RTM_F_FLAGS, 'RTM_F_???')}}`;
  return d.length > 12 ? `${s}, ${nlattrText(d.subarray(12), RTA_TABLE(fam))}` : s;
}

const ndaCacheinfo: NlaDecoder = (d) =>
  d.length < 16
    ? null
    : fields(d, [
        ['ndm_confirmed', 4],
        ['ndm_used', 4],
        ['ndm_updated', 4],
        ['ndm_refcnt', 4],
      ]);

const NDA_TABLE = (fam: number): NlaTable => ({
  names: NL.NDA_ATTRS,
  unknown: 'NDA_???',
  decoders: {
    1: inetAddr(fam),
    2: hwaddr(),
    3: ndaCacheinfo,
    4: u32,
    5: u16,
    6: (d) => (d.length < 2 ? null : `htons(${d.readUInt16BE(0)})`),
    7: u32,
    8: ifindex,
    9: ifindex,
    10: u32,
    11: u32,
    13: u32,
  },
  unsupported: new Set([12, 14, 15, 16, 17]),
});

/** struct ndmsg (RTM_*NEIGH; RTM_GETNEIGH of AF_BRIDGE is an ifinfomsg). */
function ndmsgText(d: Buffer): string {
  const fam = d[0]!;
  let s = `{ndm_family=${family(fam)}, `;
  if (d.length < 12) return `${s}...}`;
  const state = d.readUInt16LE(8);
  s += `ndm_ifindex=${ifIndexText(d.readUInt32LE(4))}, ndm_state=${state === 0 ? 'NUD_NONE' : xflags(state, NL.NUD_STATES, 'NUD_???')}, ndm_flags=${xflags(d[10]!, NL.NTF_FLAGS, 'NTF_???')}, ndm_type=${xlat(d[11]!, NL.RTN_TYPES, 'RTN_???')}}`;
  return d.length > 12 ? `${s}, ${nlattrText(d.subarray(12), NDA_TABLE(fam))}` : s;
}

const LINK = new Set([16, 17, 18, 19]);
const ADDR = new Set([20, 21, 22, 58, 62]);
const ROUTE = new Set([24, 25, 26]);
const NEIGH = new Set([28, 29, 30]);
/** Types strace decodes with a struct not written here (ndmsg, fib_rule_hdr, tcmsg...). */
const OTHER_STRUCTS = new Set([
  32, 33, 34, 36, 37, 38, 40, 41, 42, 44, 45, 46, 48, 49, 50, 64, 66, 67, 72, 73, 74, 78, 79, 80, 81, 82, 84, 85, 86,
  88, 89, 90, 92, 94, 96, 100, 101, 102, 104, 105, 106,
]);

registerNetlinkFamily(0, {
  types: NL.RTM_TYPES,
  unknownType: 'RTM_???',
  flags: (type) => {
    if (type === 49) return NL.NLM_F_GET; // RTM_DELACTION takes NLM_F_ROOT
    return [NL.NLM_F_NEW, NL.NLM_F_DELETE, NL.NLM_F_GET, undefined][type & 3];
  },
  payload: (type, _flags, d) => {
    if (type === NL.NLMSG_DONE) return null;
    if (LINK.has(type)) return ifinfomsgText(d);
    if (ADDR.has(type)) return ifaddrmsgText(d);
    if (ROUTE.has(type)) return rtmsgText(d);
    if (NEIGH.has(type)) return type === 30 && d[0] === 7 ? ifinfomsgText(d) : ndmsgText(d);
    if (OTHER_STRUCTS.has(type)) return notDecoded(`RTM type ${type}`);
    return d.length > 1 ? `{family=${family(d[0]!)}, data=${hexText(d.subarray(1))}}` : `{family=${family(d[0]!)}}`;
  },
});

export const RTNETLINK_LOADED = true;
