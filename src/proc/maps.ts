/**
 * /proc/PID/maps, smaps and smaps_rollup: the address space as regions, each classified (text,
 * heap, stack...) and measured (size, RSS, PSS, swap, dirty). Pure parsers only.
 */
import { ParseError, hex64, inodeNumber, uint } from './parse.js';

export const REGION_KINDS = [
  'text',
  'rodata',
  'data',
  'bss',
  'heap',
  'stack',
  'thread-stack',
  'anon',
  'file',
  'shared',
  'vdso',
  'vvar',
  'vsyscall',
  'guard',
] as const;

export type RegionKind = (typeof REGION_KINDS)[number];

/** What each kind is, in one line (the virtual-memory model). */
export const REGION_KIND_HELP: Record<RegionKind, string> = {
  text: 'executable code mapped from a file (shared with every process running it)',
  rodata: 'read-only data and headers mapped from a file',
  data: 'initialised writable data of a file (private: copied on first write)',
  bss: 'zero-initialised data of a binary (p_memsz beyond p_filesz in its program headers): anonymous, right after its data',
  heap: 'the brk heap (malloc small allocations)',
  stack: 'the main thread stack (grows down on demand)',
  'thread-stack': 'a thread stack (mmap by pthread_create, with a guard page below)',
  anon: 'anonymous memory (mmap, large malloc, JIT): zero pages on first touch',
  file: 'other file mapping',
  shared: 'shared mapping (MAP_SHARED: changes visible to every mapper)',
  vdso: 'kernel code mapped into user space (clock_gettime without a syscall)',
  vvar: 'kernel data the vDSO reads',
  vsyscall: 'legacy fixed-address syscall page',
  guard: 'no access: a guard or a reservation (never RAM)',
};

/**
 * The smaps memory counters, in bytes: per region, and in smaps_rollup the kernel's own totals
 * over every region. rss is 0 for a region when only maps was read.
 */
export interface MemoryRollup {
  rss: number;
  pss: number;
  swap: number;
  /** Shared_Dirty + Private_Dirty. */
  dirty: number;
  sharedClean: number;
  sharedDirty: number;
  privateClean: number;
  privateDirty: number;
  anonymous: number;
  locked: number;
}

/** One mapping. Addresses are numbers (page-aligned values up to 2^64 are exact doubles). */
export interface Region extends MemoryRollup {
  start: number;
  end: number;
  /** rwxp / rwxs. */
  perms: string;
  offset: number;
  dev: string;
  inode: number;
  /** File path or [heap]/[stack]/[vdso]...; '' for anonymous memory. */
  path: string;
  kind: RegionKind;
  /** Virtual size, bytes. */
  size: number;
  /** VmFlags mnemonics (rd wr ex mr mw me ac sd...). */
  vmFlags: string[];
  /** pagemap counts, when readable (null otherwise). */
  pages: PageCounts | null;
}

export interface PageCounts {
  /** Pages with a present page-table entry (bit 63). */
  present: number;
  /** Pages swapped out (bit 62). */
  swapped: number;
  /** File pages or shared anonymous (bit 61). */
  fileOrShared: number;
  /** Soft-dirty (bit 55). */
  softDirty: number;
  /** Mapped by this process only (bit 56). */
  exclusive: number;
}

export interface MemoryTotals {
  size: number;
  rss: number;
  pss: number;
  swap: number;
  dirty: number;
}

// Addresses and offsets are 64-bit: at most 16 hex digits. The path follows the padding as is
// (a file name's own trailing spaces are part of it).
const HEADER =
  /^([0-9a-f]{1,16})-([0-9a-f]{1,16}) ([r-][w-][x-][ps]) ([0-9a-f]{1,16}) ([0-9a-f]+:[0-9a-f]+) (\d+)\s*(.*)$/;

function hexNumber(h: string): number {
  return Number(hex64(h, 'maps: address'));
}

/** Every smaps counter at zero. */
function emptyRollup(): MemoryRollup {
  return {
    rss: 0,
    pss: 0,
    swap: 0,
    dirty: 0,
    sharedClean: 0,
    sharedDirty: 0,
    privateClean: 0,
    privateDirty: 0,
    anonymous: 0,
    locked: 0,
  };
}

function emptyRegion(m: RegExpExecArray): Region {
  const start = hexNumber(m[1] ?? '0');
  const end = hexNumber(m[2] ?? '0');
  if (end < start) throw new ParseError(`maps: region ends (${m[2]}) before it starts (${m[1]})`);
  return {
    start,
    end,
    perms: m[3] ?? '----',
    offset: hexNumber(m[4] ?? '0'),
    dev: m[5] ?? '00:00',
    inode: inodeNumber(m[6], 'maps: inode'),
    path: m[7] ?? '',
    kind: 'anon',
    size: end - start,
    ...emptyRollup(),
    vmFlags: [],
    pages: null,
  };
}

/** /proc/PID/maps → regions (unmeasured), classified. */
export function parseMaps(text: string): Region[] {
  const out: Region[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const m = HEADER.exec(line);
    if (!m) throw new ParseError(`maps: bad line "${line.slice(0, 80)}"`);
    out.push(emptyRegion(m));
  }
  return classifyRegions(out);
}

const SMAPS_KEYS: Record<string, keyof Region> = {
  Rss: 'rss',
  Pss: 'pss',
  Swap: 'swap',
  Shared_Clean: 'sharedClean',
  Shared_Dirty: 'sharedDirty',
  Private_Clean: 'privateClean',
  Private_Dirty: 'privateDirty',
  Anonymous: 'anonymous',
  Locked: 'locked',
};

function applyField(r: Region | MemoryRollup, key: string, value: string): void {
  const slot = SMAPS_KEYS[key];
  if (!slot) return;
  const m = /^(\d+)\s*kB$/.exec(value.trim());
  if (!m) throw new ParseError(`smaps: ${key}: not "N kB"`);
  (r as unknown as Record<string, number>)[slot] = uint(m[1], `smaps: ${key}`) * 1024;
}

/** /proc/PID/smaps → measured, classified regions. */
export function parseSmaps(text: string): Region[] {
  const out: Region[] = [];
  let cur: Region | undefined;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const m = HEADER.exec(line);
    if (m) {
      cur = emptyRegion(m);
      out.push(cur);
      continue;
    }
    if (!cur) throw new ParseError('smaps: field before the first region');
    const i = line.indexOf(':');
    if (i < 0) continue;
    const key = line.slice(0, i);
    const value = line.slice(i + 1);
    if (key === 'VmFlags') cur.vmFlags = value.trim().split(/\s+/).filter(Boolean);
    else applyField(cur, key, value);
  }
  for (const r of out) r.dirty = r.sharedDirty + r.privateDirty;
  return classifyRegions(out);
}

export function parseSmapsRollup(text: string): MemoryRollup {
  const r = emptyRollup();
  let seen = false;
  for (const line of text.split('\n')) {
    const i = line.indexOf(':');
    if (i < 0 || HEADER.test(line)) continue;
    applyField(r, line.slice(0, i), line.slice(i + 1));
    seen = true;
  }
  if (!seen) throw new ParseError('smaps_rollup: no fields');
  r.dirty = r.sharedDirty + r.privateDirty;
  return r;
}

export function totalsOf(regions: readonly Region[]): MemoryTotals {
  const t: MemoryTotals = { size: 0, rss: 0, pss: 0, swap: 0, dirty: 0 };
  for (const r of regions) {
    t.size += r.size;
    t.rss += r.rss;
    t.pss += r.pss;
    t.swap += r.swap;
    t.dirty += r.dirty;
  }
  return t;
}

export interface ClassifyHints {
  /** Stack pointers of the threads other than the main one (from task/TID/syscall). */
  threadStackPointers?: readonly number[];
  pageSize?: number;
  /**
   * The bss pages of the mapped ELF files, from their program headers (elf.ts mappedBss). Given,
   * an anonymous region is bss only when it lies within them; absent (parsing text alone), the
   * region right after a file's data is taken for its bss.
   */
  bss?: ReadonlyArray<readonly [number, number]>;
}

/**
 * Gives each region its kind. File mappings by permission (r-x text, r-- rodata, rw- data);
 * an anonymous region within a file's bss pages (hints.bss: its program headers) is bss; an anonymous rw region
 * right above a one-page no-access guard (or holding a thread's stack pointer) is a thread stack.
 */
export function classifyRegions(regions: Region[], hints: ClassifyHints = {}): Region[] {
  const page = hints.pageSize ?? 4096;
  const sps = hints.threadStackPointers ?? [];
  regions.forEach((r, i) => {
    const prev = i > 0 ? regions[i - 1] : undefined;
    const p = r.path;
    const shared = r.perms[3] === 's';
    if (p === '[heap]') r.kind = 'heap';
    else if (p === '[stack]' || p.startsWith('[stack:')) r.kind = 'stack';
    else if (p === '[vdso]') r.kind = 'vdso';
    else if (p.startsWith('[vvar')) r.kind = 'vvar';
    else if (p === '[vsyscall]') r.kind = 'vsyscall';
    else if (shared) r.kind = 'shared';
    else if (r.perms.startsWith('---')) r.kind = 'guard';
    else if (p.startsWith('/') && r.inode !== 0) {
      if (r.perms[2] === 'x') r.kind = 'text';
      else if (r.perms[1] === 'w') r.kind = 'data';
      else r.kind = 'rodata';
    } else if (p.startsWith('/')) r.kind = 'file';
    else {
      // Anonymous (possibly named: [anon:...]).
      const holdsSp = sps.some((sp) => sp >= r.start && sp < r.end);
      const afterGuard =
        prev !== undefined &&
        prev.end === r.start &&
        prev.perms.startsWith('---') &&
        prev.path === '' &&
        prev.size === page &&
        r.size >= 64 * 1024 &&
        r.size <= 64 * 1024 * 1024;
      const afterData =
        prev !== undefined && prev.end === r.start && prev.inode !== 0 && prev.perms.startsWith('rw') && p === '';
      const inBss = hints.bss
        ? hints.bss.some(([start, end]) => r.start === start && r.end <= end) && p === ''
        : afterData;
      if (holdsSp || (afterGuard && r.perms.startsWith('rw'))) r.kind = 'thread-stack';
      else if (inBss) r.kind = 'bss';
      else r.kind = 'anon';
    }
  });
  return regions;
}

/** A hex address as pmap shows it. */
export function hexAddress(n: number): string {
  return BigInt(n).toString(16).padStart(12, '0');
}
