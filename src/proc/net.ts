/** /proc/net/{tcp,tcp6,udp,udp6,unix}: sockets by inode, so an fd's "socket:[N]" gets its addresses. */
import { ParseError, inodeNumber } from './parse.js';

export type SocketProtocol = 'tcp' | 'tcp6' | 'udp' | 'udp6' | 'unix';

export interface SocketInfo {
  protocol: SocketProtocol;
  inode: number;
  local: string;
  remote?: string;
  state: string;
  /** unix: stream/dgram/seqpacket. */
  type?: string;
}

const TCP_STATES: Record<string, string> = {
  '01': 'ESTABLISHED',
  '02': 'SYN_SENT',
  '03': 'SYN_RECV',
  '04': 'FIN_WAIT1',
  '05': 'FIN_WAIT2',
  '06': 'TIME_WAIT',
  '07': 'CLOSE',
  '08': 'CLOSE_WAIT',
  '09': 'LAST_ACK',
  '0A': 'LISTEN',
  '0B': 'CLOSING',
  '0C': 'NEW_SYN_RECV',
};

/** "0100007F:1F90" → "127.0.0.1:8080"; IPv6 as 4 little-endian 32-bit words → "[::1]:8080". */
export function decodeInetAddress(text: string): string {
  const m = /^([0-9A-Fa-f]{8}|[0-9A-Fa-f]{32}):([0-9A-Fa-f]{4})$/.exec(text);
  if (!m) throw new ParseError(`net: not an address: ${JSON.stringify(text.slice(0, 50))}`);
  const hex = m[1] as string;
  const port = parseInt(m[2] as string, 16);
  if (hex.length === 8) {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(parseInt(hex, 16) >>> 0);
    return `${[...b].join('.')}:${port}`;
  }
  const b = Buffer.alloc(16);
  for (let w = 0; w < 4; w++) b.writeUInt32LE(parseInt(hex.slice(w * 8, w * 8 + 8), 16) >>> 0, w * 4);
  // IPv4-mapped (::ffff:a.b.c.d) reads better as such.
  if (b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff) {
    return `[::ffff:${[...b.subarray(12)].join('.')}]:${port}`;
  }
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(b.readUInt16BE(i).toString(16));
  return `[${compressIpv6(groups)}]:${port}`;
}

function compressIpv6(groups: string[]): string {
  // Longest run of zero groups → "::".
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < groups.length;) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === '0') j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  if (bestLen < 2) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

/** /proc/net/tcp, tcp6, udp, udp6. */
export function parseInetSockets(text: string, protocol: SocketProtocol): SocketInfo[] {
  const out: SocketInfo[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const st = f[3] ?? '';
    const udp = protocol.startsWith('udp');
    out.push({
      protocol,
      inode: inodeNumber(f[9], 'net: inode'),
      local: decodeInetAddress(f[1] ?? ''),
      remote: decodeInetAddress(f[2] ?? ''),
      state: udp ? (st === '07' ? 'UNCONN' : st === '01' ? 'ESTABLISHED' : st) : (TCP_STATES[st] ?? st),
    });
  }
  return out;
}

const UNIX_TYPES: Record<string, string> = { '0001': 'stream', '0002': 'dgram', '0005': 'seqpacket' };
const UNIX_STATES: Record<string, string> = {
  '01': 'UNCONNECTED',
  '02': 'CONNECTING',
  '03': 'CONNECTED',
  '04': 'DISCONNECTING',
};

const UNIX_LINE =
  /^\s*([0-9a-f]+): ([0-9A-F]{8}) ([0-9A-F]{8}) ([0-9A-F]{8}) ([0-9A-F]{4}) ([0-9A-F]{2}) +(\d+)(?: (.+))?$/;

/** /proc/net/unix: Num RefCount Protocol Flags Type St Inode [Path]. */
export function parseUnixSockets(text: string): SocketInfo[] {
  const out: SocketInfo[] = [];
  for (const line of text.split('\n').slice(1)) {
    if (line.trim() === '') continue;
    // The path is the rest of the line after one space: it may itself hold spaces.
    const m = UNIX_LINE.exec(line);
    if (!m) throw new ParseError(`net/unix: bad line ${JSON.stringify(line.slice(0, 60))}`);
    const f = m.slice(1);
    const flags = parseInt(f[3] ?? '0', 16);
    const listening = (flags & 0x10000) !== 0;
    out.push({
      protocol: 'unix',
      inode: inodeNumber(f[6], 'net/unix: inode'),
      local: f[7] ?? '(unnamed)',
      state: listening ? 'LISTEN' : (UNIX_STATES[f[5] ?? ''] ?? f[5] ?? ''),
      type: UNIX_TYPES[f[4] ?? ''] ?? f[4],
    });
  }
  return out;
}
