/**
 * A process's user addresses → frames: through its /proc/PID/maps (which file, at what offset),
 * the file's ELF segments and symbols (module.ts), its vDSO (read from /proc/PID/mem), and its
 * JIT map /tmp/perf-NSPID.map. Files are opened through /proc/PID/root, so a process in another
 * mount namespace (a container) resolves against its own files, and its perf map is named with
 * its pid in its own namespace (NSpid).
 *
 * A process can exit before its samples are resolved: snapshot() while it runs reads the maps and
 * opens every executable module, and resolution after the exit uses what was kept.
 */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { parseMaps, type Region } from '../proc/maps.js';
import { loadModule, moduleFromBuffer, symbolAtFileOffset, type ElfModule } from './module.js';
import { perfMapTable } from './perfmap.js';
import type { SymbolTable } from './table.js';

export interface UserFrame {
  address: number;
  /** The function, or null: unknown frames are shown as `[unknown]` with their module. */
  name: string | null;
  /** Bytes from the function's start (0 when name is null). */
  offset: number;
  /** File path as the process names it, `[vdso]`, `[jit]` (perf map), `[anon]`, or `[unknown]`. */
  module: string;
  buildId: string | null;
  /** The mapping the address fell in (for pprof's Mapping), null when none did. */
  mapping: { start: number; end: number; offset: number } | null;
}

/** A maps path of a file that was replaced or deleted after mapping ("… (deleted)"). */
const DELETED = / \(deleted\)$/;

export class ProcessSymbols {
  readonly pid: number;
  readonly root: string;
  private regions: Region[] = [];
  private readonly modules = new Map<string, ElfModule | null>();
  private perfMap: SymbolTable | null = null;
  private vdso: ElfModule | null = null;
  /** Its pid in its own pid namespace (the name of its JIT map there). */
  private nsPid: number;
  private readonly debugDirs: string[] | undefined;

  /** Takes the first snapshot at once (a process already gone resolves nothing). */
  constructor(pid: number, options: { debugDirs?: string[] } = {}) {
    this.pid = pid;
    this.root = `/proc/${pid}/root`;
    this.nsPid = pid;
    this.debugDirs = options.debugDirs;
    this.snapshot();
  }

  /**
   * Reads the maps again and opens the executable modules now mapped (modules already opened stay
   * opened). Returns false when the process is gone (what was kept still resolves).
   */
  snapshot(): boolean {
    let text: string;
    try {
      text = readFileSync(`/proc/${this.pid}/maps`, 'utf8');
      const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
      // A zombie (exited, not yet reaped) has no maps any more: it is gone for us.
      if (/^State:\s*[ZX]/m.test(status)) return false;
      const ns = /^NSpid:\s*(.*)$/m.exec(status)?.[1]?.trim().split(/\s+/);
      if (ns && ns.length > 0) this.nsPid = Number(ns[ns.length - 1]);
    } catch {
      return false;
    }
    let fresh: Region[];
    try {
      fresh = parseMaps(text);
    } catch {
      return false; // not what the kernel writes: keep what was kept
    }
    // Keep regions that vanished (a dlclose, an exit) unless a new mapping now covers them.
    const kept = this.regions.filter((old) => !fresh.some((r) => r.start < old.end && old.start < r.end));
    this.regions = [...fresh, ...kept].sort((a, b) => a.start - b.start);
    for (const r of fresh) {
      if (!r.perms.includes('x')) continue;
      if (r.path.startsWith('/')) this.module(r.path);
      else if (r.path === '[vdso]' && !this.vdso) this.vdso = readVdso(this.pid, r);
    }
    this.readPerfMap();
    return true;
  }

  private readPerfMap(): void {
    for (const path of [`${this.root}/tmp/perf-${this.nsPid}.map`, `/tmp/perf-${this.pid}.map`]) {
      try {
        this.perfMap = perfMapTable(readFileSync(path, 'utf8'));
        return;
      } catch {
        // no JIT map there
      }
    }
  }

  private module(path: string): ElfModule | null {
    const clean = path.replace(DELETED, '');
    if (this.modules.has(clean)) return this.modules.get(clean) ?? null;
    const mod = loadModule(clean, { root: this.root, debugDirs: this.debugDirs });
    this.modules.set(clean, mod);
    return mod;
  }

  /** Every module opened so far, by path (null: could not be read or is not ELF). */
  openedModules(): ReadonlyMap<string, ElfModule | null> {
    return this.modules;
  }

  regionAt(address: number): Region | null {
    let lo = 0;
    let hi = this.regions.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const r = this.regions[mid] as Region;
      if (address < r.start) hi = mid - 1;
      else if (address >= r.end) lo = mid + 1;
      else return r;
    }
    return null;
  }

  resolve(address: number): UserFrame {
    const r = this.regionAt(address);
    const unknown = (module: string, mod: ElfModule | null = null): UserFrame => ({
      address,
      name: null,
      offset: 0,
      module,
      buildId: mod?.buildId ?? null,
      mapping: r ? { start: r.start, end: r.end, offset: r.offset } : null,
    });
    if (r && r.path.startsWith('/')) {
      const path = r.path.replace(DELETED, '');
      const mod = this.module(path);
      if (!mod) return unknown(path);
      const hit = symbolAtFileOffset(mod, address - r.start + r.offset);
      if (!hit) return unknown(path, mod);
      return { ...unknown(path, mod), name: hit.name, offset: hit.offset };
    }
    if (r && r.path === '[vdso]') {
      const hit = this.vdso ? symbolAtFileOffset(this.vdso, address - r.start) : null;
      return hit ? { ...unknown('[vdso]'), name: hit.name, offset: hit.offset } : unknown('[vdso]');
    }
    // Anonymous executable memory (or a region already gone): a JIT's, if its map names it.
    let jit = this.perfMap?.lookup(address) ?? null;
    if (!jit && this.perfMap !== null) {
      this.readPerfMap(); // the JIT may have written more since
      jit = this.perfMap?.lookup(address) ?? null;
    }
    if (jit) return { ...unknown('[jit]'), name: jit.name, offset: jit.offset };
    return unknown(r ? r.path || '[anon]' : '[unknown]');
  }
}

/** The vDSO as an ELF image: it is one, mapped whole; read from the process's memory. */
function readVdso(pid: number, r: Region): ElfModule | null {
  let fd: number | null = null;
  try {
    fd = openSync(`/proc/${pid}/mem`, 'r');
    const buf = Buffer.alloc(r.end - r.start);
    const n = readSync(fd, buf, 0, buf.length, r.start);
    return moduleFromBuffer('[vdso]', buf.subarray(0, n));
  } catch {
    return null;
  } finally {
    if (fd !== null) closeSync(fd);
  }
}
