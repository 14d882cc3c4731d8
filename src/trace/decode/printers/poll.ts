/**
 * Waiting on descriptors: poll/ppoll (struct pollfd: events at entry, revents in the return),
 * select/pselect6 (fd sets in, the ready ones and the time left in the return), epoll's
 * struct epoll_event (`{events=EPOLLIN, data={u32=3, u64=3}}`). As strace 6 prints them.
 */
import type { FlagTable } from '../../flags.js';
import * as F from '../../flags.js';
import { Cap, type Capture } from '../../records.js';
import { hex, i32, pack, type ArgCtx, type ArgType, type RetPrinter } from '../types.js';
import { flags, xval } from '../xlat.js';
import { fdArrayPaths, pathOf } from './fd.js';
import { sigsetText } from './signal.js';

const POLL_EVENTS: FlagTable = [
  ...F.POLL_EVENTS,
  [0x1000, 'POLLREMOVE'],
  [0x2000, 'POLLRDHUP'],
  [0x8000, 'POLL_BUSY_LOOP'],
];
/** strace prints at most this many array elements, then `...` (its default -s). */
const MAX_ELEMS = 32;

/** The capture of argument i in one phase, of the given kind. */
const capOf = (captures: Capture[], i: number, phase: 0 | 1, kind: number): Capture | undefined =>
  captures.find((c) => c.arg === i && c.phase === phase && c.kind === kind);

/** The pollfd array at entry; with -y each fd with the path the engine read at the stop. */
function pollfdsText(d: Buffer, count: number, paths: Map<number, string> | null): string {
  const items: string[] = [];
  for (let at = 0; at + 8 <= d.length && items.length < MAX_ELEMS; at += 8) {
    const fd = d.readInt32LE(at);
    const ev = d.readUInt16LE(at + 4);
    const fdt = paths ? pathOf(fd, paths) : String(fd);
    items.push(fd < 0 ? `{fd=${fd}}` : `{fd=${fdt}, events=${flags(ev, POLL_EVENTS, 'POLL???')}}`);
  }
  if (count > items.length) items.push('...');
  return `[${items.join(', ')}]`;
}

/** The fds with revents, from the exit's copy of the array: `[{fd=3, revents=POLLIN}]`. */
function reventsText(d: Buffer): string {
  const items: string[] = [];
  let more = false;
  for (let at = 0; at + 8 <= d.length; at += 8) {
    const rev = d.readUInt16LE(at + 6);
    if (rev === 0) continue;
    if (items.length === MAX_ELEMS) {
      more = true;
      break;
    }
    items.push(`{fd=${d.readInt32LE(at)}, revents=${flags(rev, POLL_EVENTS, 'POLL???')}}`);
  }
  return `[${items.join(', ')}${more ? ', ...' : ''}]`;
}

const tsText = (d: Buffer): string => `{tv_sec=${d.readBigInt64LE(0)}, tv_nsec=${d.readBigInt64LE(8)}}`;
const tvText = (d: Buffer): string => `{tv_sec=${d.readBigInt64LE(0)}, tv_usec=${d.readBigInt64LE(8)}}`;

/** An fd_set of nfds bits: `[0 1 63]`. */
function fdsetText(d: Buffer, nfds: number): string {
  const fds: number[] = [];
  for (let fd = 0; fd < nfds && fd < d.length * 8; fd++) if (d[fd >> 3]! & (1 << (fd & 7))) fds.push(fd);
  return `[${fds.join(' ')}]`;
}

/** The struct at entry of a pointer argument captured in and out: its text, else the address. */
function entryStruct(a: ArgCtx, size: number, text: (d: Buffer) => string): string {
  const c = capOf(a.captures, a.i, 0, Cap.structInOut);
  return c && c.data.length >= size ? text(c.data) : hex(a.v);
}

const epollEventText = (d: Buffer, at: number): string => {
  const u64 = d.readBigUInt64LE(at + 4);
  return `{events=${flags(d.readUInt32LE(at), F.EPOLL_EVENTS, 'EPOLL???')}, data={u32=${u64 & 0xffffffffn}, u64=${u64}}}`;
};

export const POLL_TYPES: Record<string, ArgType> = {
  epollop: { render: (a) => xval(Number(a.v & 0xffffffffn), F.EPOLL_CTL_OPS, 'EPOLL_CTL_???') },
  epollevent: {
    capture: () => pack(Cap.structIn, 0, 12),
    memory: true,
    // EPOLL_CTL_DEL ignores the event: strace prints its address.
    render: (a) => (a.c!.data.length >= 12 && a.raw[1] !== 2n ? epollEventText(a.c!.data, 0) : hex(a.v)),
  },
  epollevents_out: {
    capture: () => pack(Cap.arrayOutRet, 0, 12),
    output: true,
    memory: true,
    render: (a) => {
      const items = [];
      for (let at = 0; at + 12 <= a.c!.data.length && items.length < MAX_ELEMS; at += 12)
        items.push(epollEventText(a.c!.data, at));
      if (a.ret !== null && Number(a.ret) > items.length) items.push('...');
      return `[${items.join(', ')}]`;
    },
  },
  /** struct pollfd[nfds], read at entry (events) and again at exit (revents, for the return). */
  pollfds: {
    capture: () => pack(Cap.arrayInOutArg, 1, 8),
    // -y: elements of 8 bytes, their count in the next argument, at entry.
    pathsCapture: (i) => pack(Cap.fdArrayPaths, i, 8),
    memory: true,
    render: (a) => {
      const c = capOf(a.captures, a.i, 0, Cap.arrayInOutArg);
      const paths = a.ctx.showPaths ? fdArrayPaths(a.captures) : null;
      return c ? pollfdsText(c.data, Number(a.raw[1] ?? 0n), paths) : hex(a.v);
    },
  },
  /** poll's timeout in milliseconds. */
  msecs: { render: (a) => String(i32(a.v)) },
  /** A timeout the kernel updates with the time left (ppoll, pselect6): printed as passed in. */
  timeout_ts: { capture: () => pack(Cap.structInOut, 0, 16), memory: true, render: (a) => entryStruct(a, 16, tsText) },
  timeout_tv: { capture: () => pack(Cap.structInOut, 0, 16), memory: true, render: (a) => entryStruct(a, 16, tvText) },
  /** select's nfds: also recorded at exit, where the return printer needs it. */
  nfds: { capture: () => pack(Cap.argExit, 0, 0), render: (a) => String(i32(a.v)) },
  /** An fd_set of nfds bits (FD_SETSIZE bytes are read, speculatively), in at entry, out at exit. */
  fdset: {
    capture: () => pack(Cap.structInOut, 0, 128),
    memory: true,
    render: (a) => {
      const c = capOf(a.captures, a.i, 0, Cap.structInOut);
      const nfds = i32(a.raw[0] ?? 0n);
      return c && c.data.length * 8 >= Math.min(nfds, 1024) ? fdsetText(c.data, nfds) : hex(a.v);
    },
  },
  /** pselect6's last argument: a pointer to {const sigset_t *ss; size_t ss_len}. */
  pselect_sigmask: {
    capture: () => pack(Cap.ptrLenIn, 0, 8),
    memory: true,
    render: (a) => {
      const d = a.c!.data;
      if (d.length < 16) return hex(a.v);
      const ss = d.readBigUInt64LE(0);
      const len = d.readBigUInt64LE(8);
      const mask = ss === 0n ? 'NULL' : len === 8n && d.length >= 24 ? sigsetText(d.subarray(16, 24)) : hex(ss);
      return `{sigmask=${mask}, sigsetsize=${len}}`;
    },
  },
};

/** The pieces of a successful select's return: `in [3], out [4], left {...}`. */
function selectParts(a: Parameters<RetPrinter>[1], timeText: (d: Buffer) => string): string[] {
  const n = capOf(a.captures, 0, 1, Cap.argExit);
  const nfds = n && n.data.length >= 8 ? Number(BigInt.asIntN(32, n.data.readBigUInt64LE(0))) : 0;
  const parts: string[] = [];
  (['in', 'out', 'except'] as const).forEach((what, k) => {
    const c = capOf(a.captures, k + 1, 1, Cap.structInOut);
    if (!c) return;
    const set = fdsetText(c.data, nfds);
    if (set !== '[]') parts.push(`${what} ${set}`);
  });
  const t = capOf(a.captures, 4, 1, Cap.structInOut);
  if (t && t.data.length >= 16) parts.push(`left ${timeText(t.data)}`);
  return parts;
}

export const POLL_RET: Record<string, RetPrinter> = {
  /** `1 ([{fd=3, revents=POLLIN}])`, with ppoll `, left {...}`; `0 (Timeout)`. */
  poll: (ret, a) => {
    if (a.failed) return String(ret);
    if (ret === 0n) return '0 (Timeout)';
    const fds = capOf(a.captures, 0, 1, Cap.arrayInOutArg);
    if (!fds) return String(ret);
    const left = capOf(a.captures, 2, 1, Cap.structInOut);
    const leftText = a.name === 'ppoll' && left && left.data.length >= 16 ? `, left ${tsText(left.data)}` : '';
    return `${ret} (${reventsText(fds.data)}${leftText})`;
  },
  select: (ret, a) => {
    if (a.failed) return String(ret);
    if (ret === 0n) return '0 (Timeout)';
    const parts = selectParts(a, a.name === 'select' ? tvText : tsText);
    return parts.length ? `${ret} (${parts.join(', ')})` : String(ret);
  },
};
