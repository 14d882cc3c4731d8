/**
 * From a SPEC to probe sites: which files the traced program loads (the command's dynamic
 * dependencies as its loader would find them, or the files a running process maps), which of
 * them a SPEC's LIBRARY names, and the file offset of every function a pattern names. The ELF
 * reading is src/symbols/ (shared with `oslens profile`).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import koffi from 'koffi';
import { parseMaps } from '../../proc/maps.js';
import {
  STT_FUNC,
  STT_GNU_IFUNC,
  loadModule,
  symbolFileOffset,
  type ElfModule,
  type ElfSymbol,
} from '../../symbols/index.js';
import { ExitCode, UserError } from '../../util/errors.js';
import { escapeForTerminal } from '../../util/terminal.js';
import { globRegExp, isGlob, libraryMatches, type LibSpecItem } from './spec.js';

/** A file the traced program has (or will have) mapped. */
export interface LoadedObject {
  /** Its path in the program's mount namespace (what JSON names the library by). */
  path: string;
  /** Where oslens opens it: `/proc/PID/root` + path for a running process. */
  hostPath: string;
}

/** One function to probe: the file and offset of its first instruction. */
export interface ProbeSite {
  library: string;
  hostPath: string;
  name: string;
  offset: number;
}

const LOADER = '/lib64/ld-linux-x86-64.so.2';

/** `ld.so --list` output → the files it found (pure). "not found" and the vDSO have no file. */
export function parseLoaderList(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const arrow = /^\s*\S+ => (\/\S*) \(0x[0-9a-f]+\)\s*$/.exec(line);
    const bare = /^\s*(\/\S*) \(0x[0-9a-f]+\)\s*$/.exec(line);
    const path = arrow?.[1] ?? bare?.[1];
    if (path && !out.includes(path)) out.push(path);
  }
  return out;
}

/**
 * The executable and the libraries it will load, as the dynamic loader finds them (its search
 * order, ld.so.cache, RUNPATH, LD_LIBRARY_PATH): `ld.so --list` maps them without running any of
 * the program's code. A static executable is just itself.
 */
export function commandObjects(executable: string, depth = 0): LoadedObject[] {
  const out: LoadedObject[] = [{ path: executable, hostPath: executable }];
  // A script: what runs is its interpreter (and the libraries that one loads).
  const interpreter = scriptInterpreter(executable);
  if (interpreter && depth < 4) return [...out, ...commandObjects(interpreter, depth + 1)];
  if (!existsSync(LOADER)) return out;
  const r = spawnSync(LOADER, ['--list', executable], { encoding: 'utf8', timeout: 10_000 });
  if (r.status !== 0) return out;
  for (const p of parseLoaderList(r.stdout)) if (p !== executable) out.push({ path: p, hostPath: p });
  return out;
}

/** The interpreter of a `#!` script (its first word), or null. */
export function scriptInterpreter(path: string): string | null {
  const head = Buffer.alloc(256);
  let n = 0;
  try {
    const fd = openSync(path, 'r');
    try {
      n = readSync(fd, head, 0, head.length, 0);
    } finally {
      closeSync(fd);
    }
  } catch {
    return null;
  }
  const m = /^#!\s*(\/\S+)/.exec(head.subarray(0, n).toString('latin1'));
  return m ? m[1]! : null;
}

/** The files a running process maps (through /proc/PID/root: its mount namespace may differ). */
export function processObjects(pid: number): LoadedObject[] {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/maps`, 'utf8');
  } catch {
    throw new UserError(`no process ${pid}`, ExitCode.noSuchProcess);
  }
  const out: LoadedObject[] = [];
  for (const r of parseMaps(text)) {
    if (!r.path.startsWith('/') || r.inode === 0 || r.path.endsWith(' (deleted)')) continue;
    if (out.some((o) => o.path === r.path)) continue;
    out.push({ path: r.path, hostPath: `/proc/${pid}/root${r.path}` });
  }
  return out;
}

/** Functions of a module by name: defined FUNC and IFUNC symbols of .symtab and .dynsym. */
function functionSymbols(mod: ElfModule): Map<string, ElfSymbol[]> {
  const byName = new Map<string, ElfSymbol[]>();
  for (const s of mod.symbols) {
    if ((s.type !== STT_FUNC && s.type !== STT_GNU_IFUNC) || s.shndx === 0 || s.value === 0 || s.name === '') continue;
    const name = s.name.replace(/@.*$/, '');
    const list = byName.get(name) ?? [];
    if (!list.some((x) => x.value === s.value)) list.push(s);
    byName.set(name, list);
  }
  return byName;
}

let dl: { open(path: string, flags: number): unknown; sym(handle: unknown, name: string): unknown } | undefined;
const RTLD_LAZY_NOLOAD = 0x1 | 0x4;

/**
 * An IFUNC's symbol is its resolver, which runs once at load time and picks an implementation
 * for this CPU (strlen → __strlen_avx2): probing the resolver would see no call. When oslens
 * itself has the same file loaded (libc: Node links it), dlsym() runs the same resolver on the
 * same CPU and gives the implementation, whose file offset then is the one to probe. Null when
 * the file is not loaded here.
 */
function resolveIfunc(hostPath: string, name: string): number | null {
  let st: { dev: number; ino: number };
  try {
    st = statSync(hostPath);
  } catch {
    return null;
  }
  const sameFile = (path: string) => {
    try {
      const o = statSync(path);
      return o.ino === st.ino && o.dev === st.dev;
    } catch {
      return false;
    }
  };
  const mine = parseMaps(readFileSync('/proc/self/maps', 'utf8')).filter(
    (r) => r.inode === st.ino && r.path.startsWith('/') && sameFile(r.path),
  );
  if (mine.length === 0) return null;
  if (!dl) {
    const libc = koffi.load('libc.so.6');
    dl = {
      open: libc.func('void *dlopen(const char *path, int flags)') as (path: string, flags: number) => unknown,
      sym: libc.func('void *dlsym(void *handle, const char *symbol)') as (handle: unknown, name: string) => unknown,
    };
  }
  // The symbol of that very file (RTLD_DEFAULT would find an executable's own strcmp first).
  const handle = dl.open(mine[0]!.path, RTLD_LAZY_NOLOAD);
  if (!handle) return null;
  const p = dl.sym(handle, name);
  if (!p) return null;
  const addr = Number(koffi.address(p));
  const r = mine.find((x) => addr >= x.start && addr < x.end);
  return r ? addr - r.start + r.offset : null;
}

/** Orders the names of one address: the public one (fewest leading underscores), then the shortest. */
function preferredName(names: string[]): string {
  const score = (n: string) => (/^_*/.exec(n)![0].length << 16) + n.length;
  return [...names].sort((a, b) => score(a) - score(b) || a.localeCompare(b))[0]!;
}

export interface Resolution {
  sites: ProbeSite[];
  /** IFUNCs whose implementation could not be found (not probed), for a warning. */
  skippedIfuncs: string[];
}

/**
 * The probe sites of a SPEC in the given objects. A LIBRARY that names no object, or a function
 * name (not a glob) that a library does not have, or a glob that matches nothing: a UserError
 * naming it (exit 2).
 */
export function resolveSpec(
  items: readonly LibSpecItem[],
  objects: readonly LoadedObject[],
  program: string,
): Resolution {
  const sites: ProbeSite[] = [];
  const skippedIfuncs: string[] = [];
  for (const item of items) {
    const libs = objects.filter((o) => libraryMatches(item.library, o.path));
    if (libs.length === 0) {
      const names = escapeForTerminal(objects.map((o) => basename(o.path)).join(', '));
      throw new UserError(
        `trace --lib: ${escapeForTerminal(program)} loads no library "${escapeForTerminal(item.library)}" (it loads ${names})`,
        ExitCode.usage,
      );
    }
    // One probe per address: aliases (malloc and __libc_malloc) would otherwise report twice.
    const byOffset = new Map<string, { lib: LoadedObject; offset: number; names: string[]; exact: boolean }>();
    for (const pattern of item.patterns) {
      let found = 0;
      for (const lib of libs) {
        let mod: ElfModule | null = null;
        try {
          mod = loadModule(lib.hostPath);
        } catch {
          mod = null;
        }
        if (!mod) continue;
        const funcs = functionSymbols(mod);
        const re = isGlob(pattern) ? globRegExp(pattern) : undefined;
        const names = re ? [...funcs.keys()].filter((n) => re.test(n)) : funcs.has(pattern) ? [pattern] : [];
        for (const name of names) {
          for (const sym of funcs.get(name)!) {
            let offset = symbolFileOffset(mod, sym);
            if (sym.type === STT_GNU_IFUNC) {
              offset = resolveIfunc(lib.hostPath, name);
              if (offset === null) {
                skippedIfuncs.push(`${basename(lib.path)}:${name}`);
                continue;
              }
            }
            if (offset === null) continue;
            found++;
            const key = `${lib.hostPath}\0${offset}`;
            const entry = byOffset.get(key) ?? { lib, offset, names: [], exact: false };
            if (!entry.names.includes(name)) entry.names.push(name);
            entry.exact ||= !re;
            byOffset.set(key, entry);
          }
        }
      }
      if (found === 0 && !skippedIfuncs.some((s) => s.endsWith(`:${pattern}`))) {
        const where = escapeForTerminal(libs.map((l) => basename(l.path)).join(', '));
        throw new UserError(
          isGlob(pattern)
            ? `trace --lib: no function of ${where} matches "${pattern}"`
            : `trace --lib: ${where} has no function "${pattern}"`,
          ExitCode.usage,
        );
      }
    }
    for (const e of byOffset.values()) {
      const exact = e.exact ? e.names.filter((n) => item.patterns.includes(n)) : [];
      sites.push({
        library: e.lib.path,
        hostPath: e.lib.hostPath,
        name: preferredName(exact.length ? exact : e.names),
        offset: e.offset,
      });
    }
  }
  if (sites.length === 0)
    throw new UserError(
      `trace --lib: nothing to probe (${escapeForTerminal(skippedIfuncs.join(', '))} could not be resolved)`,
      ExitCode.usage,
    );
  return { sites, skippedIfuncs };
}
