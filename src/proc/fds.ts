/** /proc/PID/fd and fdinfo: what each open file descriptor is. */
import { ParseError, inodeNumber, uint } from './parse.js';
import type { SocketInfo } from './net.js';

export type FdKind =
  | 'file'
  | 'directory'
  | 'device'
  | 'pipe'
  | 'socket'
  | 'eventfd'
  | 'epoll'
  | 'timerfd'
  | 'signalfd'
  | 'inotify'
  | 'fanotify'
  | 'io_uring'
  | 'pidfd'
  | 'bpf'
  | 'perf_event'
  | 'memfd'
  | 'anon_inode'
  | 'unknown';

export interface FdInfoRecord {
  /** File offset, bytes. */
  pos: number;
  /** open(2) flags, octal text as the kernel shows it. */
  flags: string;
  mntId?: number;
  /** Extra lines (eventfd-count, tfd: ..., inotify wd:...), verbatim. */
  extra: string[];
}

export interface OpenFd {
  fd: number;
  kind: FdKind;
  /**
   * The readlink target ("/etc/passwd", "pipe:[1234]", "anon_inode:[eventfd]"), or null when
   * the kernel refused it (`error` then says why; the fd is listed all the same).
   */
  target: string | null;
  error?: 'permission denied';
  /** socket/pipe inode, when the target names one. */
  inode?: number;
  socket?: SocketInfo;
  info?: FdInfoRecord;
}

const ANON_KINDS: Record<string, FdKind> = {
  '[eventfd]': 'eventfd',
  '[eventpoll]': 'epoll',
  '[timerfd]': 'timerfd',
  '[signalfd]': 'signalfd',
  inotify: 'inotify',
  '[fanotify]': 'fanotify',
  '[io_uring]': 'io_uring',
  '[pidfd]': 'pidfd',
  'bpf-map': 'bpf',
  'bpf-prog': 'bpf',
  bpf_link: 'bpf',
  '[perf_event]': 'perf_event',
};

/** Classifies a readlink target of /proc/PID/fd/N. */
export function classifyFdTarget(target: string): { kind: FdKind; inode?: number } {
  let m = /^(socket|pipe):\[(\d+)\]$/.exec(target);
  if (m) return { kind: m[1] as FdKind, inode: inodeNumber(m[2], 'fd inode') };
  m = /^anon_inode:(.*)$/.exec(target);
  if (m) return { kind: ANON_KINDS[m[1] ?? ''] ?? 'anon_inode' };
  if (target.startsWith('/memfd:')) return { kind: 'memfd' };
  if (target.startsWith('/dev/')) return { kind: 'device' };
  if (target.startsWith('/')) return { kind: 'file' };
  return { kind: 'unknown' };
}

export function parseFdInfo(text: string): FdInfoRecord {
  const rec: FdInfoRecord = { pos: 0, flags: '0', extra: [] };
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const m = /^(\w+):\s*(.*)$/.exec(line);
    if (m?.[1] === 'pos') rec.pos = uint(m[2], 'fdinfo: pos');
    else if (m?.[1] === 'flags') {
      if (!/^[0-7]{1,11}$/.test(m[2] ?? '')) throw new ParseError('fdinfo: flags: not octal');
      rec.flags = m[2] as string;
    } else if (m?.[1] === 'mnt_id') rec.mntId = uint(m[2], 'fdinfo: mnt_id');
    else if (m?.[1] !== 'ino') rec.extra.push(line.trim());
  }
  return rec;
}

/** The O_* names in an fdinfo flags word (octal). */
export function decodeOpenFlags(octal: string): string[] {
  if (!/^[0-7]{1,11}$/.test(octal))
    throw new ParseError(`open flags: not octal: ${JSON.stringify(octal.slice(0, 20))}`);
  const v = parseInt(octal, 8);
  const out = [['O_RDONLY', 'O_WRONLY', 'O_RDWR'][v & 3] ?? 'O_ACCMODE'];
  const bits: [number, string][] = [
    [0o100, 'O_CREAT'],
    [0o1000, 'O_TRUNC'],
    [0o2000, 'O_APPEND'],
    [0o4000, 'O_NONBLOCK'],
    [0o10000, 'O_DSYNC'],
    [0o40000, 'O_DIRECT'],
    [0o200000, 'O_DIRECTORY'],
    [0o400000, 'O_NOFOLLOW'],
    [0o1000000, 'O_NOATIME'],
    [0o2000000, 'O_CLOEXEC'],
    [0o10000000, 'O_PATH'],
  ];
  for (const [bit, name] of bits) if (v & bit) out.push(name);
  return out;
}
