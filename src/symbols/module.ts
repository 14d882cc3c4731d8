/**
 * One ELF module (executable or shared library) with its function symbols from every place they
 * can be: the file's own .symtab and .dynsym, its .gnu_debugdata (MiniDebugInfo), and a separate
 * debug file found by build-id (/usr/lib/debug/.build-id/ab/cdef….debug) or .gnu_debuglink (next
 * to the file, in .debug/, under /usr/lib/debug), checked against the build-id or the CRC.
 * Loaded modules are cached per build-id (per path, inode and mtime when there is none).
 */
import { closeSync, fstatSync, openSync, readSync, constants as fsConstants } from 'node:fs';
import { dirname, join } from 'node:path';
import { crc32 } from 'node:zlib';
import {
  bufferSource,
  findSection,
  parseElf,
  readSymbols,
  sectionData,
  fileOffsetToVaddr,
  vaddrToFileOffset,
  type ByteSource,
  type ElfFile,
  type ElfSymbol,
} from './elf.js';
import { SymbolTable, functionRanges, type SymbolHit } from './table.js';
import { xzDecompress } from './xz.js';

/** Where a module's symbols came from (several at once: a debug file adds to .dynsym). */
export type SymbolSource = '.symtab' | '.dynsym' | '.gnu_debugdata' | 'debuglink' | 'build-id';

export interface ElfModule {
  /** The path as given (in the process's mount namespace when loaded for a process). */
  path: string;
  elf: ElfFile;
  buildId: string | null;
  /** Every symbol read (all types, undefined ones too): what `trace --lib` searches by name. */
  symbols: ElfSymbol[];
  /** Functions by address. */
  functions: SymbolTable;
  sources: SymbolSource[];
  /** The separate debug file used, if any (host path). */
  debugFile: string | null;
}

/** A ByteSource over an open file, read with pread (a 100 MB binary is never read whole). */
export function fileSource(fd: number): ByteSource {
  const size = fstatSync(fd).size;
  return {
    size,
    read(offset, length) {
      const len = Math.max(0, Math.min(length, size - offset));
      const buf = Buffer.alloc(len);
      let got = 0;
      while (got < len) {
        const n = readSync(fd, buf, got, len - got, offset + got);
        if (n === 0) break;
        got += n;
      }
      return buf.subarray(0, got);
    },
  };
}

/** Opens a file for reading (read only: nothing is written through a path here). */
function openRead(path: string): number | null {
  try {
    return openSync(path, fsConstants.O_RDONLY);
  } catch {
    return null;
  }
}

function withFile<T>(path: string, fn: (src: ByteSource, fd: number) => T): T | null {
  const fd = openRead(path);
  if (fd === null) return null;
  try {
    return fn(fileSource(fd), fd);
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

const cacheByBuildId = new Map<string, ElfModule>();
const cacheByFile = new Map<string, ElfModule | null>();

/** Drops every cached module (tests; a long-running profile that saw packages upgraded). */
export function clearModuleCache(): void {
  cacheByBuildId.clear();
  cacheByFile.clear();
}

export interface LoadOptions {
  /**
   * Prefix for every path looked at: `/proc/PID/root` reads the files as a process in another
   * mount namespace sees them (its /usr/lib/debug too). '' for the host's view.
   */
  root?: string;
  /** Directories searched for debug files (default ['/usr/lib/debug']). */
  debugDirs?: string[];
}

/**
 * Loads the module at `path` (seen through `root`); null when it cannot be opened or is not ELF.
 * Cached: the same build-id is read once per run, whatever path or process it comes through.
 */
export function loadModule(path: string, options: LoadOptions = {}): ElfModule | null {
  const root = options.root ?? '';
  const full = root + path;
  return withFile(full, (src, fd) => {
    const st = fstatSync(fd);
    const fileKey = `${st.dev}:${st.ino}:${st.mtimeMs}:${st.size}`;
    const known = cacheByFile.get(fileKey);
    if (known !== undefined) return known;
    const elf = parseElf(src);
    if (elf.buildId) {
      const hit = cacheByBuildId.get(elf.buildId);
      if (hit) {
        cacheByFile.set(fileKey, hit);
        return hit;
      }
    }
    const mod = buildModule(path, full, src, elf, root, options.debugDirs ?? ['/usr/lib/debug']);
    cacheByFile.set(fileKey, mod);
    if (elf.buildId) cacheByBuildId.set(elf.buildId, mod);
    return mod;
  });
}

/** A module from bytes in memory (the vDSO read from /proc/PID/mem); not cached. */
export function moduleFromBuffer(path: string, buf: Buffer): ElfModule | null {
  try {
    const src = bufferSource(buf);
    const elf = parseElf(src);
    return buildModule(path, path, src, elf, '', []);
  } catch {
    return null;
  }
}

function buildModule(
  path: string,
  full: string,
  src: ByteSource,
  elf: ElfFile,
  root: string,
  debugDirs: string[],
): ElfModule {
  const symbols = readSymbols(src, elf);
  const sources = new Set<SymbolSource>();
  for (const s of symbols) sources.add(s.table);
  let debugFile: string | null = null;

  const mini = miniDebugInfo(src, elf);
  if (mini.length > 0) {
    for (const sym of mini) symbols.push(sym);
    sources.add('.gnu_debugdata');
  }
  if (!sources.has('.symtab')) {
    const found = findDebugFile(full, elf, root, debugDirs);
    if (found) {
      for (const sym of found.symbols) symbols.push(sym);
      sources.add(found.how);
      debugFile = found.path;
    }
  }
  return {
    path,
    elf,
    buildId: elf.buildId,
    symbols,
    functions: new SymbolTable(functionRanges(symbols)),
    sources: [...sources],
    debugFile,
  };
}

function miniDebugInfo(src: ByteSource, elf: ElfFile): ElfSymbol[] {
  const s = findSection(elf, '.gnu_debugdata');
  if (!s) return [];
  try {
    const raw = xzDecompress(sectionData(src, s));
    if (!raw) return [];
    const inner = bufferSource(raw);
    return readSymbols(inner, parseElf(inner));
  } catch {
    return [];
  }
}

/** Symbols of a separate debug file, if one matching this file's build-id or debuglink CRC exists. */
function findDebugFile(
  full: string,
  elf: ElfFile,
  root: string,
  debugDirs: string[],
): { path: string; how: 'build-id' | 'debuglink'; symbols: ElfSymbol[] } | null {
  const candidates: Array<{ path: string; how: 'build-id' | 'debuglink' }> = [];
  if (elf.buildId && elf.buildId.length > 2)
    for (const d of debugDirs)
      candidates.push({
        path: `${root}${d}/.build-id/${elf.buildId.slice(0, 2)}/${elf.buildId.slice(2)}.debug`,
        how: 'build-id',
      });
  if (elf.debuglink && !elf.debuglink.file.includes('/')) {
    const dir = dirname(full);
    const hostDir = dir.slice(root.length); // the file's directory as the process names it
    candidates.push({ path: join(dir, elf.debuglink.file), how: 'debuglink' });
    candidates.push({ path: join(dir, '.debug', elf.debuglink.file), how: 'debuglink' });
    for (const d of debugDirs) candidates.push({ path: root + join(d, hostDir, elf.debuglink.file), how: 'debuglink' });
  }
  for (const c of candidates) {
    if (c.path === full) continue;
    const symbols = withFile(c.path, (src, fd) => {
      const dbg = parseElf(src);
      if (c.how === 'build-id' ? dbg.buildId !== elf.buildId : !crcMatches(fd, elf.debuglink?.crc)) return null;
      return readSymbols(src, dbg);
    });
    if (symbols && symbols.length > 0) return { path: c.path, how: c.how, symbols };
  }
  return null;
}

function crcMatches(fd: number, want: number | undefined): boolean {
  if (want === undefined) return false;
  const src = fileSource(fd);
  let crc = 0;
  for (let at = 0; at < src.size; at += 1 << 20) crc = crc32(src.read(at, 1 << 20), crc);
  return crc >>> 0 === want >>> 0;
}

/** The function at a file offset of this module (offset = addr - map start + map offset). */
export function symbolAtFileOffset(mod: ElfModule, offset: number): SymbolHit | null {
  const vaddr = fileOffsetToVaddr(mod.elf, offset);
  return vaddr === null ? null : mod.functions.lookup(vaddr);
}

/** The file offset of a symbol's first byte: where a uprobe on it attaches; null if not loaded. */
export function symbolFileOffset(mod: ElfModule, sym: { value: number }): number | null {
  return vaddrToFileOffset(mod.elf, sym.value);
}
