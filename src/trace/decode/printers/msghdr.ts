/**
 * struct msghdr (sendmsg, recvmsg) and struct mmsghdr arrays (sendmmsg, recvmmsg): msg_name,
 * msg_iov with its data, msg_control's cmsgs (SCM_RIGHTS, SCM_CREDENTIALS, IP_*), msg_flags.
 * The engine walks the struct (CAP_MSGHDR_* in native/ptrace/tracer.h); strace 6 is the spec.
 */
import * as N from '../../net-flags.js';
import { Cap } from '../../records.js';
import { quote } from '../quote.js';
import { hex, pack, ptr, type ArgType } from '../types.js';
import { netlinkData, netlinkText, type NetlinkData } from './netlink.js';
import { ifIndexText, sockaddrText } from './socket.js';

const MSGHDR_SIZE = 56;
const CMSG_HDR = 16;
/** The engine reads at most this much of msg_control (MAX_CONTROL in tracer.c). */
const MAX_CONTROL = 4096;

interface Walked {
  name: bigint;
  namelen: number;
  iov: bigint;
  iovlen: bigint;
  control: bigint;
  controllen: bigint;
  flags: number;
  nameData: Buffer;
  /** The msg_iov text, or undefined when the array could not be read. */
  iovText: string | undefined;
  controlData: Buffer;
  end: number;
}

/**
 * One walked msghdr at `at` (layout: CAP_MSGHDR_IN); undefined when the data is short. `nl`: the
 * engine's netlink view of the iovecs, decoded as strace does when msg_name is AF_NETLINK.
 */
function parseWalk(d: Buffer, at: number, nl?: NetlinkData): Walked | undefined {
  if (at + MSGHDR_SIZE + 4 > d.length) return undefined;
  const h = {
    name: d.readBigUInt64LE(at),
    namelen: d.readUInt32LE(at + 8),
    iov: d.readBigUInt64LE(at + 16),
    iovlen: d.readBigUInt64LE(at + 24),
    control: d.readBigUInt64LE(at + 32),
    controllen: d.readBigUInt64LE(at + 40),
    flags: d.readInt32LE(at + 48),
  };
  let p = at + MSGHDR_SIZE;
  const nameLen = d.readUInt32LE(p);
  const nameData = d.subarray(p + 4, p + 4 + nameLen);
  p += 4 + nameLen;
  const netlink = nl && h.name !== 0n && h.namelen >= 2 && nameData.length >= 2 && nameData.readUInt16LE(0) === 16;
  if (p + 8 > d.length) return undefined;
  const count = d.readUInt32LE(p);
  const ncap = d.readUInt32LE(p + 4);
  p += 8;
  const items: string[] = [];
  for (let i = 0; i < ncap; i++) {
    if (p + 20 > d.length) return undefined;
    const len = d.readBigUInt64LE(p + 8);
    const word = d.readUInt32LE(p + 16);
    const n = word & 0x7fffffff;
    const nlBuf = netlink ? nl.buffers[i] : undefined;
    const base =
      d.readBigUInt64LE(p) === 0n
        ? 'NULL'
        : ((nlBuf && netlinkText(nlBuf, nl!.proto)) ??
          quote(d.subarray(p + 20, p + 20 + n), (word & 0x80000000) !== 0));
    items.push(`{iov_base=${base}, iov_len=${len}}`);
    p += 20 + n;
  }
  if (count > ncap) items.push('...');
  const iovReadable = h.iov === 0n || ncap >= Math.min(count, 16);
  if (p + 4 > d.length) return undefined;
  const ctlLen = d.readUInt32LE(p);
  const controlData = d.subarray(p + 4, p + 4 + ctlLen);
  p += 4 + ctlLen;
  const iovText = h.iov === 0n ? (h.iovlen === 0n ? '[]' : 'NULL') : iovReadable ? `[${items.join(', ')}]` : undefined;
  return { ...h, nameData, iovText, controlData, end: p };
}

const ip4 = (d: Buffer, at: number) => `inet_addr("${[...d.subarray(at, at + 4)].join('.')}")`;

/** cmsg_data for one cmsg; '' when strace prints none; undefined when we do not decode what strace does. */
function cmsgData(level: number, type: number, data: Buffer): string | undefined {
  const ints = (signed: boolean) => {
    const out: string[] = [];
    for (let at = 0; at + 4 <= data.length; at += 4)
      out.push(String(signed ? data.readInt32LE(at) : data.readUInt32LE(at)));
    return `[${out.join(', ')}]`;
  };
  const bytes = () => `[${[...data].map((b) => (b === 0 ? '0' : `0x${b.toString(16)}`)).join(', ')}]`;
  if (level === 1) {
    if (type === 1) return data.length >= 4 ? ints(true) : '';
    if (type === 2)
      return data.length >= 12
        ? `{pid=${data.readInt32LE(0)}, uid=${data.readUInt32LE(4)}, gid=${data.readUInt32LE(8)}}`
        : '';
    if (type === 3) return data.length >= 1 ? quote(data, false) : '';
    // Timestamps (SO_TIMESTAMP*_OLD/_NEW): strace prints time structs we do not decode here.
    if ([29, 35, 37, 63, 64, 65].includes(type)) return data.length >= 1 ? undefined : '';
    return '';
  }
  if (level === 0) {
    if (type === 1 || type === 6 || type === 7) return data.length >= 1 ? bytes() : '';
    if (type === 2 || type === 23) return data.length >= 4 ? ints(false) : '';
    if (type === 3) return data.length >= 1 ? quote(data, false) : '';
    if (type === 8)
      return data.length >= 12
        ? `{ipi_ifindex=${ifIndexText(data.readInt32LE(0))}, ipi_spec_dst=${ip4(data, 4)}, ipi_addr=${ip4(data, 8)}}`
        : '';
    if (type === 11 || type === 20) return data.length >= 16 ? undefined : '';
    return '';
  }
  return '';
}

const IP_CMSG_TYPES = [
  [1, 'IP_TOS'],
  [2, 'IP_TTL'],
  [3, 'SCM_SECURITY'],
  [6, 'IP_RECVOPTS'],
  [7, 'IP_RETOPTS'],
  [8, 'IP_PKTINFO'],
  [11, 'IP_RECVERR'],
  [20, 'IP_ORIGDSTADDR'],
  [23, 'IP_CHECKSUM'],
] as const;

const SCM_TYPES = [
  [1, 'SCM_RIGHTS'],
  [2, 'SCM_CREDENTIALS'],
  [3, 'SCM_SECURITY'],
  [29, 'SO_TIMESTAMP_OLD'],
  [35, 'SO_TIMESTAMPNS_OLD'],
  [37, 'SO_TIMESTAMPING_OLD'],
  [41, 'SO_WIFI_STATUS'],
  [54, 'SCM_TIMESTAMPING_OPT_STATS'],
  [58, 'SCM_TIMESTAMPING_PKTINFO'],
  [61, 'SO_TXTIME'],
  [63, 'SO_TIMESTAMP_NEW'],
  [64, 'SO_TIMESTAMPNS_NEW'],
  [65, 'SO_TIMESTAMPING_NEW'],
] as const;

/** msg_control as strace's decode_msg_control; undefined when only the address can be printed. */
function controlText(w: Walked): string | undefined {
  const len = Number(w.controllen);
  if (len < CMSG_HDR || len > MAX_CONTROL || w.controlData.length < len) return undefined;
  const buf = w.controlData;
  const items: string[] = [];
  let at = 0;
  let left = len;
  while (left >= CMSG_HDR) {
    const cmsgLen = buf.readBigUInt64LE(at);
    const level = buf.readInt32LE(at + 8);
    const type = buf.readInt32LE(at + 12);
    const take = cmsgLen > BigInt(left) ? left : Number(cmsgLen);
    const levelText = N.xlat(level, N.SOCKET_LEVELS, 'SOL_???');
    const table = level === 1 ? SCM_TYPES : level === 0 ? IP_CMSG_TYPES : undefined;
    const typeText = table
      ? N.xlat(type, table, level === 1 ? 'SCM_???' : 'IP_???')
      : type === 0
        ? '0'
        : `0x${(type >>> 0).toString(16)}`;
    const data = buf.subarray(at + CMSG_HDR, at + Math.max(take, CMSG_HDR));
    const dataText = cmsgData(level, type, data);
    if (dataText === undefined) return undefined;
    items.push(
      `{cmsg_len=${cmsgLen}, cmsg_level=${levelText}, cmsg_type=${typeText}${dataText ? `, cmsg_data=${dataText}` : ''}}`,
    );
    if (take < CMSG_HDR) {
      left -= CMSG_HDR;
      break;
    }
    const step = (cmsgLen + 7n) & ~7n;
    if (step >= BigInt(left)) {
      left = 0;
      break;
    }
    at += Number(step);
    left -= Number(step);
  }
  if (left) items.push(`... /* ${hex(w.control + BigInt(len - left))} */`);
  return `[${items.join(', ')}]`;
}

/** The struct as strace's print_struct_msghdr; `userNamelen`: recvmsg's msg_namelen at entry. */
function msghdrText(w: Walked, userNamelen?: number): string | undefined {
  if (w.iovText === undefined) return undefined;
  const namelen = userNamelen !== undefined && w.namelen > userNamelen ? userNamelen : w.namelen;
  const name = w.name === 0n ? 'NULL' : (namelen >= 0 && sockaddrText(w.nameData, namelen)) || hex(w.name);
  const nl = userNamelen !== undefined && userNamelen !== w.namelen ? `${userNamelen} => ${w.namelen}` : `${w.namelen}`;
  let control = '';
  if (w.controllen !== 0n) control = `msg_control=${controlText(w) ?? ptr(w.control)}, `;
  return `{msg_name=${name}, msg_namelen=${nl}, msg_iov=${w.iovText}, msg_iovlen=${w.iovlen}, ${control}msg_controllen=${w.controllen}, msg_flags=${N.xflags(w.flags, N.MSG_FLAGS, 'MSG_???')}}`;
}

export const MSGHDR_TYPES: Record<string, ArgType> = {
  /** sendmsg's msghdr, read at entry. */
  msghdr_in: {
    capture: () => pack(Cap.msghdrIn, 0, 0),
    memory: true,
    render: (a) => {
      const w = parseWalk(a.c!.data, 0, netlinkData(a.captures, true));
      return (w && msghdrText(w)) ?? hex(a.v);
    },
  },
  /** recvmsg's msghdr: msg_namelen at entry, the rest at exit. */
  msghdr_out: {
    capture: () => pack(Cap.msghdrOut, 0, 0),
    output: true,
    render: (a) => {
      if (a.v === 0n) return 'NULL';
      const entry = a.captures.find((c) => c.arg === a.i && c.phase === 0 && c.kind === Cap.msghdrOut && !c.fault);
      if (!entry || entry.data.length < MSGHDR_SIZE) return hex(a.v);
      const userNamelen = entry.data.readInt32LE(8);
      if (a.failed) return `{msg_namelen=${userNamelen}}`;
      const exit = a.captures.find((c) => c.arg === a.i && c.phase === 1 && c.kind === Cap.msghdrOut && !c.fault);
      const w = exit ? parseWalk(exit.data, 0, netlinkData(a.captures, true)) : undefined;
      return (w && msghdrText(w, userNamelen)) ?? hex(a.v);
    },
  },
  /** sendmmsg's and recvmmsg's struct mmsghdr array, read at exit: as many as the call returned. */
  mmsghdrs: {
    capture: () => pack(Cap.mmsghdrOut, 0, 0),
    output: true,
    memory: true,
    render: (a) => {
      const d = a.c!.data;
      if (a.failed || d.length < 4) return hex(a.v);
      const n = d.readUInt32LE(0);
      const items: string[] = [];
      let at = 4;
      for (let i = 0; i < n; i++) {
        if (at + 4 > d.length) return hex(a.v);
        const msgLen = d.readUInt32LE(at);
        const w = parseWalk(d, at + 4);
        const text = w && msghdrText(w);
        if (!w || !text) return hex(a.v);
        items.push(`{msg_hdr=${text}, msg_len=${msgLen}}`);
        at = w.end;
      }
      if (a.ret !== null && a.ret > BigInt(n)) items.push('...');
      return `[${items.join(', ')}]`;
    },
  },
};
