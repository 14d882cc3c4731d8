/** Small per-process files: cgroup, io, schedstat, sched, ns links, wchan. */
import { ParseError, inodeNumber, uint } from './parse.js';
import { parseKeyValueLines } from './status.js';

export interface CgroupEntry {
  hierarchy: number;
  controllers: string[];
  path: string;
}

/** /proc/PID/cgroup: "0::/user.slice/..." (v2) or "N:controllers:/path" (v1). */
export function parseCgroup(text: string): CgroupEntry[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [h, c = '', ...rest] = line.split(':');
      if (rest.length === 0) throw new ParseError('cgroup: expected ID:CONTROLLERS:PATH');
      return { hierarchy: uint(h, 'cgroup: hierarchy'), controllers: c ? c.split(',') : [], path: rest.join(':') };
    });
}

/** /proc/PID/io, bytes and counts. */
export interface ProcessIo {
  /** Bytes passed to read()-like syscalls (page cache hits included). */
  rchar: number;
  wchar: number;
  syscr: number;
  syscw: number;
  /** Bytes actually fetched from storage. */
  readBytes: number;
  writeBytes: number;
  cancelledWriteBytes: number;
}

export function parseIo(text: string): ProcessIo {
  const kv = parseKeyValueLines(text);
  const n = (k: string) => uint(kv[k], `io: ${k}`);
  return {
    rchar: n('rchar'),
    wchar: n('wchar'),
    syscr: n('syscr'),
    syscw: n('syscw'),
    readBytes: n('read_bytes'),
    writeBytes: n('write_bytes'),
    cancelledWriteBytes: n('cancelled_write_bytes'),
  };
}

/** /proc/PID/schedstat: time on CPU, time waiting on a run queue (seconds), timeslices run. */
export interface SchedStat {
  runTime: number;
  waitTime: number;
  timeslices: number;
}

export function parseSchedstat(text: string): SchedStat {
  const f = text.trim().split(/\s+/);
  if (f.length !== 3) throw new ParseError('schedstat: expected 3 numbers');
  const [run, wait, slices] = f.map((x) => uint(x, 'schedstat')) as [number, number, number];
  return { runTime: run / 1e9, waitTime: wait / 1e9, timeslices: slices };
}

/** /proc/PID/sched: "key : value" lines (debug format; kept as numbers where they are). */
export function parseSched(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(parseKeyValueLines(text))) {
    const n = Number(v);
    if (Number.isFinite(n) && !k.startsWith('-')) out[k] = n;
  }
  return out;
}

/** A namespace link "net:[4026531840]" → its inode. */
export function parseNamespaceLink(link: string): { type: string; inode: number } | undefined {
  const m = /^(\w+):\[(\d+)\]$/.exec(link);
  return m ? { type: m[1] ?? '', inode: inodeNumber(m[2], 'namespace inode') } : undefined;
}

/** /proc/PID/wchan: the kernel function a sleeping task waits in ('' when running or hidden). */
export function parseWchan(text: string): string {
  const t = text.trim();
  return t === '0' ? '' : t;
}
