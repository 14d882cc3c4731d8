/**
 * Sockets: socket()'s domain, type and protocol, struct sockaddr of every common family, socklen
 * in/out (`[128 => 16]`), MSG_* and accept4's flags, shutdown's how. strace 6 is the spec.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as N from '../../net-flags.js';
import { Cap, type Capture } from '../../records.js';
import { quote } from '../quote.js';
import { hex, i32, pack, ptr, type ArgCtx, type ArgType } from '../types.js';

let ifNames: Map<number, string> | undefined;

/** The interface with this index (strace: if_indextoname), read once from /sys/class/net. */
export function ifName(index: number): string | undefined {
  if (!ifNames) {
    ifNames = new Map();
    try {
      for (const name of readdirSync('/sys/class/net')) {
        try {
          ifNames.set(Number(readFileSync(`/sys/class/net/${name}/ifindex`, 'utf8')), name);
        } catch {
          // an interface that went away while listing
        }
      }
    } catch {
      // no sysfs: indexes print as numbers
    }
  }
  return ifNames.get(index);
}

/** `if_nametoindex("lo")` or the number. */
export function ifIndexText(index: number): string {
  const name = index > 0 ? ifName(index) : undefined;
  return name === undefined ? String(index) : `if_nametoindex(${quote(Buffer.from(name), false)})`;
}

/** IPv6 text as glibc's inet_ntop writes it (longest zero run of 2+ words as ::, embedded IPv4). */
export function inet6Text(a: Buffer): string {
  const w: number[] = [];
  for (let i = 0; i < 8; i++) w.push(a.readUInt16BE(2 * i));
  let best = { base: -1, len: 0 };
  let cur = { base: -1, len: 0 };
  for (let i = 0; i < 8; i++) {
    if (w[i] === 0) {
      cur = cur.base === -1 ? { base: i, len: 1 } : { base: cur.base, len: cur.len + 1 };
      if (cur.len > best.len) best = { ...cur };
    } else cur = { base: -1, len: 0 };
  }
  if (best.len < 2) best = { base: -1, len: 0 };
  let s = '';
  for (let i = 0; i < 8; i++) {
    if (best.base !== -1 && i >= best.base && i < best.base + best.len) {
      if (i === best.base) s += ':';
      continue;
    }
    if (i !== 0) s += ':';
    if (i === 6 && best.base === 0 && (best.len === 6 || (best.len === 5 && w[5] === 0xffff))) {
      s += [...a.subarray(12, 16)].join('.');
      break;
    }
    s += w[i]!.toString(16);
  }
  if (best.base !== -1 && best.base + best.len === 8) s += ':';
  return s;
}

const inet4Text = (d: Buffer, at: number) => [...d.subarray(at, at + 4)].join('.');

/** Families strace decodes field by field that we do not: print the address (undecoded), never sa_data. */
const OTHER_DECODED_FAMILIES = new Set([3, 4, 5, 9, 12, 30, 31, 36, 38, 39, 40, 42, 44, 45]);

/**
 * A sockaddr of `len` bytes (the caller's length, the engine read at most 128) as strace prints
 * it; undefined when strace would print only the address.
 */
export function sockaddrText(d: Buffer, len: number): string | undefined {
  if (len < 2 || d.length < Math.min(len, 128)) return undefined;
  len = Math.min(len, 128);
  d = d.subarray(0, len);
  const fam = d.readUInt16LE(0);
  const head = `{sa_family=${N.xlat(fam, N.ADDRESS_FAMILIES, 'AF_???')}`;
  const raw = () => (len > 2 ? `${head}, sa_data=${quote(d.subarray(2), false)}}` : `${head}}`);
  switch (fam) {
    case 1: {
      if (len === 2) return `${head}}`;
      const path = d.subarray(2);
      if (path[0] === 0) return `${head}, sun_path=@${quote(path.subarray(1), false)}}`;
      const nul = path.indexOf(0);
      return `${head}, sun_path=${quote(nul >= 0 ? path.subarray(0, nul) : path, false)}}`;
    }
    case 2:
      if (len < 16) return raw();
      return `${head}, sin_port=htons(${d.readUInt16BE(2)}), sin_addr=inet_addr("${inet4Text(d, 4)}")}`;
    case 10: {
      if (len < 24) return raw();
      const addr = d.subarray(8, 24);
      let text = `${head}, sin6_port=htons(${d.readUInt16BE(2)}), sin6_flowinfo=htonl(${d.readUInt32BE(4)}), inet_pton(AF_INET6, "${inet6Text(addr)}", &sin6_addr)`;
      if (len >= 28) {
        const scope = d.readUInt32LE(24);
        // Link-local unicast (fe80::/10) and multicast (ff02::/16 scope): the index names an interface.
        const linkLocal =
          (addr[0] === 0xfe && (addr[1]! & 0xc0) === 0x80) || (addr[0] === 0xff && (addr[1]! & 0xf) === 2);
        text += `, sin6_scope_id=${linkLocal ? ifIndexText(scope) : scope}`;
      }
      return `${text}}`;
    }
    case 16: {
      if (len < 12) return raw();
      const groups = d.readUInt32LE(8);
      // printf("%#08x"): 0 has no 0x prefix.
      const g = groups === 0 ? '00000000' : `0x${groups.toString(16).padStart(6, '0')}`;
      return `${head}, nl_pid=${d.readInt32LE(4)}, nl_groups=${g}}`;
    }
    case 17: {
      if (len < 20) return raw();
      const halen = d[11]!;
      // printf("%#02x"): a zero byte has no 0x prefix.
      const bytes = [...d.subarray(12, 12 + Math.min(halen, 8))].map((b) => (b === 0 ? '00' : `0x${b.toString(16)}`));
      if (halen > 8) bytes.push('...');
      const addr = halen > 0 ? `, sll_addr=[${bytes.join(', ')}]` : '';
      return `${head}, sll_protocol=htons(${N.xlat(d.readUInt16BE(2), N.ETHERNET_PROTOCOLS, 'ETH_P_???')}), sll_ifindex=${ifIndexText(d.readInt32LE(4))}, sll_hatype=${N.xlat(d.readUInt16LE(8), N.ARP_HARDWARE_TYPES, 'ARPHRD_???')}, sll_pkttype=${N.xlat(d[10]!, N.PACKET_TYPES, 'PACKET_???')}, sll_halen=${halen}${addr}}`;
    }
    default:
      return OTHER_DECODED_FAMILIES.has(fam) ? undefined : raw();
  }
}

/** socket()'s protocol, by family. */
function protocolText(family: number, proto: bigint): string {
  const p = Number(proto & 0xffffffffn);
  switch (family) {
    case 2:
    case 10:
      return N.xlat(p, N.INET_PROTOCOLS, 'IPPROTO_???');
    case 16:
      return N.xlat(p, N.NETLINK_PROTOCOLS, 'NETLINK_???');
    case 17: {
      const be = ((p & 0xff) << 8) | ((p >> 8) & 0xff);
      return `htons(${N.xlat(be, N.ETHERNET_PROTOCOLS, 'ETH_P_???')})`;
    }
    case 31:
      return N.xlat(p, N.BT_PROTOCOLS, 'BTPROTO_???');
    default:
      return String(p);
  }
}

export function sockTypeText(v: number): string {
  const base = v & 0xf;
  const name = N.SOCK_TYPES.find(([t]) => t === base)?.[1];
  if (!name) return N.xflags(v, N.SOCK_TYPE_FLAGS, 'SOCK_???');
  const rest = (v & ~0xf) >>> 0;
  return rest ? `${name}|${N.xflags(rest, N.SOCK_TYPE_FLAGS, 'SOCK_???')}` : name;
}

const captureOf = (a: ArgCtx, arg: number, phase: 0 | 1): Capture | undefined =>
  a.captures.find((c) => c.arg === arg && c.phase === phase && c.kind === Cap.structInOut && !c.fault);

/** A socklen_t read at entry and exit (the `[in => out]` of accept, getsockname, getsockopt...). */
export function socklenPair(a: ArgCtx, arg: number): { ulen?: number; rlen?: number } {
  const e = captureOf(a, arg, 0);
  const x = captureOf(a, arg, 1);
  return {
    ulen: e && e.data.length >= 4 ? e.data.readInt32LE(0) : undefined,
    rlen: x && x.data.length >= 4 ? x.data.readInt32LE(0) : undefined,
  };
}

export const socklenText = (ulen: number, rlen: number | undefined): string =>
  rlen === undefined || rlen === ulen ? `[${ulen}]` : `[${ulen} => ${rlen}]`;

/**
 * The (sockaddr out, socklen in/out) pair of accept, getsockname, getpeername and recvfrom:
 * strace's decode_sockname. `addrArg` and `lenArg` are the argument indexes.
 */
function socknameText(a: ArgCtx, addrArg: number, lenArg: number): [string, string] {
  const addr = a.raw[addrArg] ?? 0n;
  const lenp = a.raw[lenArg] ?? 0n;
  const { ulen, rlen } = socklenPair(a, lenArg);
  if (addr === 0n || lenp === 0n || ulen === undefined) return [ptr(addr), ptr(lenp)];
  if (a.ret === null || a.failed || rlen === undefined) return [hex(addr), `[${ulen}]`];
  const c = a.captures.find((c) => c.arg === addrArg && c.kind === Cap.sockaddrOut && !c.fault);
  const text = c ? sockaddrText(c.data, Math.min(ulen, rlen)) : undefined;
  return [text ?? hex(addr), socklenText(ulen, rlen)];
}

const SOCKADDR_MAX = 128;

export const SOCKET_TYPES: Record<string, ArgType> = {
  domain: { render: (a) => N.xlat(i32(a.v), N.ADDRESS_FAMILIES, 'AF_???') },
  socktype: { render: (a) => sockTypeText(Number(a.v & 0xffffffffn)) },
  /** socket()'s protocol: its names depend on the domain (argument 0). */
  sockproto: { render: (a) => protocolText(i32(a.raw[0] ?? 0n), a.v) },
  /** accept4's flags. */
  sockflags: { render: (a) => N.xflags(Number(a.v & 0xffffffffn), N.SOCK_TYPE_FLAGS, 'SOCK_???') },
  msgflags: { render: (a) => N.xflags(Number(a.v & 0xffffffffn), N.MSG_FLAGS, 'MSG_???') },
  shutdownhow: { render: (a) => N.xlat(i32(a.v), N.SHUTDOWN_HOW, 'SHUT_???') },
  /** An int printed signed (socklen_t passed by value: bind's and sendto's addrlen). */
  addrlen: { render: (a) => String(i32(a.v)) },
  /** Input sockaddr whose length is argument `param`. */
  sockaddr: {
    capture: (p) => pack(Cap.rawIn, p ?? 0, SOCKADDR_MAX),
    memory: true,
    render: (a) => sockaddrText(a.c!.data, i32(a.raw[a.param ?? 0] ?? 0n)) ?? hex(a.v),
  },
  /** Output sockaddr; its socklen_t in/out is argument `param`. */
  sockaddr_out: {
    capture: (p) => pack(Cap.sockaddrOut, p ?? 0, SOCKADDR_MAX),
    output: true,
    render: (a) => socknameText(a, a.i, a.param ?? 0)[0],
  },
  /** The socklen_t * of a sockaddr_out at argument `param`. */
  socklen_io: {
    capture: () => pack(Cap.structInOut, 0, 4),
    output: true,
    render: (a) => socknameText(a, a.param ?? 0, a.i)[1],
  },
};
