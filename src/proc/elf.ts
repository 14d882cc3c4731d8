/**
 * Where a mapped ELF file's bss lies in a process: from its program headers, not from guessing.
 * A PT_LOAD segment with p_memsz beyond p_filesz has that much zero-filled memory after its file
 * bytes; the loader maps the whole pages of it anonymously right after the file's data mapping.
 * An anonymous region there is the bss only within those pages: the kernel may merge a later
 * anonymous mapping (a malloc arena) into the same region, which then is not the bss.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import type { Region } from './maps.js';

export interface LoadSegment {
  vaddr: number;
  offset: number;
  filesz: number;
  memsz: number;
}

const PT_LOAD = 1;

/** The PT_LOAD segments of an ELF file's first bytes (little-endian, 32 or 64 bit); null if not ELF. */
export function parseLoadSegments(head: Buffer): LoadSegment[] | null {
  if (head.length < 52 || head.readUInt32BE(0) !== 0x7f454c46) return null;
  const is64 = head[4] === 2;
  if (head[5] !== 1) return null; // big-endian: not on the machines oslens runs on
  const phoff = is64 ? Number(head.readBigUInt64LE(0x20)) : head.readUInt32LE(0x1c);
  const phentsize = head.readUInt16LE(is64 ? 0x36 : 0x2a);
  const phnum = head.readUInt16LE(is64 ? 0x38 : 0x2c);
  const out: LoadSegment[] = [];
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    if (at + (is64 ? 56 : 32) > head.length) return out.length > 0 ? out : null;
    if (head.readUInt32LE(at) !== PT_LOAD) continue;
    out.push(
      is64
        ? {
            offset: Number(head.readBigUInt64LE(at + 8)),
            vaddr: Number(head.readBigUInt64LE(at + 16)),
            filesz: Number(head.readBigUInt64LE(at + 32)),
            memsz: Number(head.readBigUInt64LE(at + 40)),
          }
        : {
            offset: head.readUInt32LE(at + 4),
            vaddr: head.readUInt32LE(at + 8),
            filesz: head.readUInt32LE(at + 16),
            memsz: head.readUInt32LE(at + 20),
          },
    );
  }
  return out;
}

const alignUp = (n: number, page: number) => Math.ceil(n / page) * page;
const alignDown = (n: number, page: number) => Math.floor(n / page) * page;

/**
 * The anonymous bss pages [start, end) of a file loaded with its offset-0 mapping at `base`
 * (pure): for each PT_LOAD with p_memsz > p_filesz, from the page after its file bytes to the
 * page holding its last byte.
 */
export function bssRanges(segments: readonly LoadSegment[], base: number, page: number): Array<[number, number]> {
  const first = segments.reduce((m, s) => Math.min(m, s.vaddr), Infinity);
  if (!Number.isFinite(first)) return [];
  const bias = base - alignDown(first, page);
  const out: Array<[number, number]> = [];
  for (const s of segments) {
    if (s.memsz <= s.filesz) continue;
    const start = alignUp(bias + s.vaddr + s.filesz, page);
    const end = alignUp(bias + s.vaddr + s.memsz, page);
    if (end > start) out.push([start, end]);
  }
  return out;
}

/** Program headers by file (path and inode), read once per run: watch asks every tick. */
const cache = new Map<string, LoadSegment[] | null>();

function readHead(path: string): Buffer | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return null;
  }
  try {
    const buf = Buffer.alloc(64 * 1024);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return buf.subarray(0, n);
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/**
 * The bss pages of every ELF file mapped in `regions`, read through /proc/PID/root (the file as
 * the process sees it, also in another mount namespace). Files that cannot be read are left out.
 */
export function mappedBss(pid: number, regions: readonly Region[], page: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const r of regions) {
    if (r.offset !== 0 || r.inode === 0 || !r.path.startsWith('/')) continue;
    const key = `${r.path}\0${r.inode}`;
    let segs = cache.get(key);
    if (segs === undefined) {
      const head = readHead(`/proc/${pid}/root${r.path}`);
      segs = head ? parseLoadSegments(head) : null;
      cache.set(key, segs);
    }
    if (segs) out.push(...bssRanges(segs, r.start, page));
  }
  return out;
}
