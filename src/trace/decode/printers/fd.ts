/** File descriptors: plain numbers, or with -y the path behind them (`3</etc/passwd>`). */
import { lstatSync, readlinkSync, statSync } from 'node:fs';
import { Cap, type Capture } from '../../records.js';
import { quote } from '../quote.js';
import { i32, pack, type ArgType, type RetPrinter } from '../types.js';

const DELETED = ' (deleted)';

/**
 * strace -y's `<path>`: the path quoted as a string without the quotes, `<` and `>` escaped too
 * (\74, \76), and for an unlinked file `(deleted)` after it: `3</tmp/x>(deleted)`.
 */
export function fdPathText(path: Buffer, deleted = false): string {
  const text = quote(path, false)
    .slice(1, -1)
    .replace(/[<>]/g, (ch, at: number, all: string) => {
      const octal = ch === '<' ? '74' : '76';
      return /[0-7]/.test(all[at + 1] ?? '') ? `\\0${octal}` : `\\${octal}`;
    });
  return `<${text}>${deleted ? '(deleted)' : ''}`;
}

/** A path read now (no engine capture): unlinked when the path with the suffix is another file. */
function livePathText(link: string): string {
  const path = readlinkSync(link, { encoding: 'buffer' });
  const s = path.toString('latin1');
  if (path.length > DELETED.length + 1 && s.endsWith(DELETED)) {
    try {
      const fd = statSync(link);
      let same = false;
      try {
        const p = lstatSync(path);
        same = p.ino === fd.ino && p.dev === fd.dev;
      } catch {
        same = false;
      }
      if (!same) return fdPathText(path.subarray(0, path.length - DELETED.length), true);
    } catch {
      // The fd is gone: print what readlink said.
    }
  }
  return fdPathText(path);
}

/**
 * An fd, with -y its path: the one the engine read at the stop when there is a capture (none
 * when the fd had no path: closed, invalid), else (eBPF, --live) a readlink now.
 */
export function fdText(fd: number, pid: number, showPaths: boolean, c?: Capture): string {
  if (!showPaths) return String(fd);
  if (c && (c.kind === Cap.fdPath || c.kind === Cap.fdPathRet))
    return c.fault ? String(fd) : `${fd}${fdPathText(c.data, c.deleted)}`;
  if (fd < 0) return String(fd);
  try {
    return `${fd}${livePathText(`/proc/${pid}/fd/${fd}`)}`;
  } catch {
    return String(fd);
  }
}

/** The fd -> `<path>` pairs of a CAP_FD_ARRAY_PATHS capture (-y), read at the stop. */
export function fdArrayPaths(captures: Capture[]): Map<number, string> {
  const out = new Map<number, string>();
  const c = captures.find((c) => c.kind === Cap.fdArrayPaths);
  if (!c) return out;
  for (let at = 0; at + 8 <= c.data.length;) {
    const fd = c.data.readInt32LE(at);
    const word = c.data.readUInt32LE(at + 4);
    const len = word & 0x7fffffff;
    if (len > 0 && !out.has(fd)) out.set(fd, fdPathText(c.data.subarray(at + 8, at + 8 + len), word >= 0x80000000));
    at += 8 + len;
  }
  return out;
}

/** `3</path>` from such pairs, else the bare number (no path at the stop: never a guess). */
export const pathOf = (fd: number, paths: Map<number, string>): string => `${fd}${paths.get(fd) ?? ''}`;

export const FD_TYPES: Record<string, ArgType> = {
  fd: { render: (a) => fdText(i32(a.v), a.ctx.pid, a.ctx.showPaths, a.c) },
  dirfd: {
    render: (a) => {
      if (i32(a.v) !== -100) return fdText(i32(a.v), a.ctx.pid, a.ctx.showPaths, a.c);
      // strace -y: AT_FDCWD</the/cwd>
      return a.c?.kind === Cap.fdPath && !a.c.fault && a.ctx.showPaths ? `AT_FDCWD${fdPathText(a.c.data)}` : 'AT_FDCWD';
    },
  },
  /** int[2] filled by pipe/pipe2/socketpair; with -y each with its path, read at the exit stop. */
  pipefds: {
    capture: () => pack(Cap.structOut, 0, 8),
    // 2 elements of 4 bytes, at exit (bit 15).
    pathsCapture: (i) => pack(Cap.fdArrayPaths, i, 4 | (2 << 8) | 0x8000),
    output: true,
    memory: true,
    render: (a) => {
      if (a.failed || a.c!.data.length < 8) return `0x${a.v.toString(16)}`;
      const paths = fdArrayPaths(a.captures);
      const fd = (at: number) => {
        const n = a.c!.data.readInt32LE(at);
        return a.ctx.showPaths ? pathOf(n, paths) : String(n);
      };
      return `[${fd(0)}, ${fd(4)}]`;
    },
  },
};

export const FD_RET: Record<string, RetPrinter> = {
  fd: (ret, a) =>
    ret >= 0n
      ? fdText(
          Number(ret),
          a.ctx.pid,
          a.ctx.showPaths,
          a.captures.find((c) => c.kind === Cap.fdPathRet),
        )
      : String(ret),
};
