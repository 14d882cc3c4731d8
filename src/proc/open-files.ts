/**
 * Repeated reads of small /proc files for the dashboards, at the cost of one syscall each: the
 * file stays open and is re-read with pread at offset 0 (the kernel regenerates a /proc file on
 * every read from the start), into one shared Buffer, so a tick makes no string or Buffer per
 * file. `oslens top` reads every process's stat and schedstat each second; open + fstat + read +
 * close + a string per file was most of its sampling cost.
 *
 * An fd of /proc/PID/... refers to that process, not to the number: once it has exited, reads
 * fail (ESRCH) or return nothing, and the file is reopened once, in case the pid was reused.
 */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { loadAddon } from '../native/addon.js';
import type { KernelUnits } from './stat.js';

/** Bytes per file of a batch read: /proc/PID/stat is at most a few hundred. */
const SLOT = 1024;

/** The result of readAll: file i's bytes are buf(i)[start(i), start(i) + len(i)), len < 0 = gone. */
export interface BatchRead {
  buf(i: number): Buffer;
  start(i: number): number;
  len(i: number): number;
}

/** A whole file (no size cap), or null when it cannot be read. */
function readWhole(path: string): Buffer | null {
  try {
    const b = readFileSync(path);
    return b.length > 0 ? b : null;
  } catch {
    return null;
  }
}

/**
 * How many files a reader may keep open: half the soft RLIMIT_NOFILE (the rest is the process's
 * own: Node, sockets, the terminal), at most 4096. Past it, files are opened per read.
 */
export function defaultMaxOpen(): number {
  try {
    const line = readFileSync('/proc/self/limits', 'latin1')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = Number(line?.split(/\s+/)[3]);
    if (Number.isFinite(soft) && soft > 0) return Math.max(16, Math.min(4096, Math.floor(soft / 2)));
  } catch {
    // no /proc/self/limits: the conservative default below
  }
  return 512;
}

export class OpenProcFiles {
  /** Holds the last read's bytes (valid until the next read). */
  readonly buf: Buffer;
  private readonly fds = new Map<string, number>();
  private batchBuf = Buffer.alloc(0);
  private batchFds = new Int32Array(0);
  private batchLens = new Int32Array(0);

  /** At most `maxOpen` files stay open (top keeps two per process); the rest are opened per read. */
  constructor(
    private readonly maxOpen = defaultMaxOpen(),
    size = 64 * 1024,
  ) {
    this.buf = Buffer.allocUnsafe(size);
  }

  /** Reads `path` into buf; returns the byte count, or -1 when it is gone or not readable. */
  read(path: string): number {
    const kept = this.fds.get(path);
    if (kept !== undefined) {
      const n = this.pread(kept);
      if (n > 0) return n;
      // Gone, or a different process now has that pid: reopen once.
      this.forget(path);
    }
    const fd = this.open(path);
    if (fd < 0) return -1;
    const n = this.pread(fd);
    if (this.fds.get(path) !== fd) closeSync(fd);
    else if (n <= 0) this.forget(path);
    return n > 0 ? n : -1;
  }

  /**
   * Reads every file of `paths` with one native call (preadMany), up to `slot` bytes each. A
   * file that failed (gone, or a reused pid: its fd is dropped, to be reopened next time) or did
   * not fit its slot is read again whole, on its own. The bytes stay valid until the next readAll.
   */
  readAll(paths: readonly string[], slot = SLOT): BatchRead {
    const n = paths.length;
    if (this.batchFds.length < n) {
      this.batchFds = new Int32Array(Math.max(64, n * 2));
      this.batchLens = new Int32Array(this.batchFds.length);
    }
    if (this.batchBuf.length < n * slot) this.batchBuf = Buffer.allocUnsafe(Math.max(64 * SLOT, n * slot * 2));
    const fds = this.batchFds.subarray(0, n);
    for (let i = 0; i < n; i++) {
      const path = paths[i] as string;
      const fd = this.fds.get(path) ?? this.open(path);
      // One that could not be kept open is read alone below (and closed).
      if (fd >= 0 && !this.fds.has(path)) closeSync(fd);
      fds[i] = this.fds.has(path) ? fd : -1;
    }
    const lens = this.batchLens;
    const buf = this.batchBuf;
    loadAddon().preadMany(fds, buf, slot, lens);
    // The files read alone: i -> their bytes.
    const alone = new Map<number, Buffer>();
    for (let i = 0; i < n; i++) {
      const len = lens[i] as number;
      if (len > 0 && len < slot) continue;
      const path = paths[i] as string;
      if (len <= 0) this.forget(path);
      const whole = readWhole(path);
      if (whole) alone.set(i, whole);
      lens[i] = whole ? whole.length : -1;
    }
    return {
      buf: (i) => alone.get(i) ?? buf,
      start: (i) => (alone.has(i) ? 0 : i * slot),
      len: (i) => lens[i] as number,
    };
  }

  /** Opens `path`, kept open when there is room; -1 when it cannot be opened (gone, EMFILE...). */
  private open(path: string): number {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch {
      return -1;
    }
    if (this.fds.size < this.maxOpen) this.fds.set(path, fd);
    return fd;
  }

  /** The last read as text (for the system files, parsed by the src/proc parsers). */
  text(path: string): string | undefined {
    const n = this.read(path);
    return n < 0 ? undefined : this.buf.toString('latin1', 0, n);
  }

  private pread(fd: number): number {
    try {
      return readSync(fd, this.buf, 0, this.buf.length, 0);
    } catch {
      return -1;
    }
  }

  forget(path: string): void {
    const fd = this.fds.get(path);
    if (fd === undefined) return;
    this.fds.delete(path);
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
  }

  /** Closes the files of processes not in `alive` (call once per tick with the current pids). */
  prune(alive: ReadonlySet<number>): void {
    for (const path of this.fds.keys()) {
      const pid = Number(path.split('/')[2]);
      if (Number.isInteger(pid) && !alive.has(pid)) this.forget(path);
    }
  }

  get openCount(): number {
    return this.fds.size;
  }

  close(): void {
    for (const path of [...this.fds.keys()]) this.forget(path);
  }
}

/** The /proc/PID/stat fields `top` needs, read straight from the bytes (no split, no strings). */
export interface StatFields {
  comm: string;
  state: string;
  ppid: number;
  /** tty_nr: the controlling terminal's device, 0 for none. */
  ttyNr: number;
  nice: number;
  flags: number;
  minflt: number;
  majflt: number;
  /** utime + stime, seconds. */
  cpuSeconds: number;
  threads: number;
  /** Seconds after boot. */
  startTime: number;
  /** Bytes. */
  rss: number;
  /** Virtual size, bytes. */
  vsize: number;
}

const CLOSE_PAREN = 0x29;
const SPACE = 0x20;
/** Fields 4 (ppid) … 24 (rss) of one parse. */
const scratch = new Float64Array(21);

const MINUS = 0x2d;

/**
 * Parses /proc/PID/stat from `buf[start, start + len)`; null when malformed. Same figures as
 * parseStat (the comm ends at the LAST ')'), a fraction of its cost.
 */
export function parseStatBytes(buf: Buffer, len: number, units: KernelUnits, start = 0): StatFields | null {
  const end = start + len;
  let close = end - 1;
  while (close > start && buf[close] !== CLOSE_PAREN) close--;
  const open = buf.indexOf(0x28, start);
  if (open < 0 || open >= end || close <= open || close + 3 >= end) return null;
  // ") S ": one state letter between single spaces (as parseStat requires).
  if (buf[close + 1] !== SPACE || buf[close + 3] !== SPACE) return null;
  const state = String.fromCharCode(buf[close + 2] as number);
  // Fields after the state, numbered from 0 = ppid (proc(5) field 4).
  const v = scratch.fill(0);
  const want = v.length - 1;
  let i = close + 4;
  let f = 0;
  for (; f <= want && i < end; f++) {
    let neg = false;
    if (buf[i] === MINUS) {
      neg = true;
      i++;
    }
    let x = 0;
    const first = i;
    for (let c = buf[i] as number; i < end && c !== SPACE && c !== 0x0a; c = buf[++i] as number) {
      if (c < 48 || c > 57) return null; // not a digit: not what the kernel writes
      x = x * 10 + (c - 48);
    }
    if (i === first || x > Number.MAX_SAFE_INTEGER) return null; // an empty field, or too many digits
    v[f] = neg ? -x : x;
    i++;
  }
  if (f <= want || !/^[A-Za-z]$/.test(state)) return null; // cut short, or no state letter
  const t = units.clockTicks;
  return {
    comm: buf.toString('utf8', open + 1, close),
    state,
    ppid: v[0] as number,
    ttyNr: v[3] as number,
    nice: v[15] as number,
    flags: v[5] as number,
    minflt: v[6] as number,
    majflt: v[8] as number,
    cpuSeconds: ((v[10] as number) + (v[11] as number)) / t,
    threads: v[16] as number,
    startTime: (v[18] as number) / t,
    rss: (v[20] as number) * units.pageSize,
    vsize: v[19] as number,
  };
}

/**
 * Number `index` of /proc/PID/schedstat (0: ns on CPU, 1: ns waiting to run, 2: timeslices run)
 * from buf[start, start + len); 0 when absent.
 */
export function schedstatField(buf: Buffer, len: number, index: number, start = 0): number {
  const end = start + len;
  let i = start;
  for (let spaces = 0; i < end && spaces < index; i++) if (buf[i] === SPACE) spaces++;
  let x = 0;
  for (; i < end; i++) {
    const c = buf[i] as number;
    if (c < 48 || c > 57) break;
    x = x * 10 + (c - 48);
  }
  return x;
}
