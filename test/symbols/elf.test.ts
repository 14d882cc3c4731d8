/**
 * The ELF reader and module loader against real files gcc and binutils make, with nm and readelf
 * as oracles: symbols, build-id, segments, and every place symbols can come from when a binary
 * is stripped (debuglink, build-id tree, MiniDebugInfo) — and no name at all when none has it.
 */
import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync, copyFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bufferSource,
  clearModuleCache,
  fileOffsetToVaddr,
  frameLabel,
  kernelSymbols,
  loadModule,
  parseElf,
  ProcessSymbols,
  readSymbols,
  STT_FUNC,
  symbolAtFileOffset,
  symbolFileOffset,
  vaddrToFileOffset,
} from '../../src/symbols/index.js';
import { skipUnlessCapable } from '../helpers/env.js';
import { buildElfFixtures, nmSymbols, readBytes, type ElfFixtures } from './fixtures.js';

let fx: ElfFixtures;
beforeAll(() => {
  fx = buildElfFixtures();
});
afterAll(() => fx?.remove());

describe('parseElf and readSymbols', () => {
  it('reads every sized function symbol nm reports, with its value and size', () => {
    const src = bufferSource(readBytes(fx.full));
    const elf = parseElf(src);
    const ours = readSymbols(src, elf).filter((s) => s.type === STT_FUNC && s.table === '.symtab' && s.shndx !== 0);
    const nm = nmSymbols(fx.full).filter((s) => /[tTW]/.test(s.type) && s.size > 0);
    expect(nm.length).toBeGreaterThan(3);
    for (const n of nm)
      expect(ours).toContainEqual(expect.objectContaining({ name: n.name, value: n.value, size: n.size }));
    expect(ours.map((s) => s.name)).toEqual(expect.arrayContaining(['hot_three', 'hot_one', 'spin_static', 'main']));
  });

  it('reads the build-id readelf prints, and segments that map offsets both ways', () => {
    const elf = parseElf(bufferSource(readBytes(fx.full)));
    const id = /Build ID: ([0-9a-f]+)/.exec(execFileSync('readelf', ['-n', fx.full], { encoding: 'utf8' }))?.[1];
    expect(elf.buildId).toBe(id);
    const main = nmSymbols(fx.full).find((s) => s.name === 'main')!;
    const off = vaddrToFileOffset(elf, main.value);
    expect(off).not.toBeNull();
    expect(fileOffsetToVaddr(elf, off!)).toBe(main.value);
  });

  it('a stripped binary keeps .dynsym only: its static function resolves to nothing, not a neighbour', () => {
    clearModuleCache();
    const mod = loadModule(fx.stripped, { debugDirs: [] })!;
    expect(mod.sources).not.toContain('.symtab');
    const stat = nmSymbols(fx.full).find((s) => s.name === 'spin_static')!;
    const offset = vaddrToFileOffset(mod.elf, stat.value + 2)!;
    expect(symbolAtFileOffset(mod, offset)).toBeNull();
    expect(frameLabel({ name: null, module: fx.stripped })).toBe('[unknown] (spin-stripped)');
  });
});

describe('debug symbols of stripped binaries', () => {
  const expectResolves = (path: string, debugDirs: string[] = []) => {
    clearModuleCache();
    const mod = loadModule(path, { debugDirs })!;
    const hot = nmSymbols(fx.full).find((s) => s.name === 'spin_static')!;
    const hit = symbolAtFileOffset(mod, vaddrToFileOffset(mod.elf, hot.value + 5)!);
    expect(hit).toEqual(expect.objectContaining({ name: 'spin_static', offset: 5 }));
    return mod;
  };

  it('finds the .gnu_debuglink file beside the binary', () => {
    const mod = expectResolves(fx.debuglinked);
    expect(mod.sources).toContain('debuglink');
    expect(mod.debugFile).toMatch(/debuglink\.debug$/);
  });

  it('refuses a debuglink file whose CRC does not match', () => {
    const bad = `${fx.dir}/bad-linked`;
    copyFileSync(fx.debuglinked, bad);
    copyFileSync(`${fx.dir}/debuglink.debug`, `${fx.dir}/debuglink.debug.orig`);
    appendFileSync(`${fx.dir}/debuglink.debug`, 'x');
    try {
      clearModuleCache();
      const mod = loadModule(bad, { debugDirs: [] })!;
      expect(mod.sources).not.toContain('debuglink');
    } finally {
      copyFileSync(`${fx.dir}/debuglink.debug.orig`, `${fx.dir}/debuglink.debug`);
    }
  });

  it('finds the debug file by build-id', () => {
    const mod = expectResolves(fx.buildIdOnly, [fx.debugDir]);
    expect(mod.sources).toContain('build-id');
  });

  it('reads MiniDebugInfo (.gnu_debugdata, xz)', () => {
    const mod = expectResolves(fx.mini);
    expect(mod.sources).toContain('.gnu_debugdata');
  });

  it('gives the file offset a uprobe attaches at (same as readelf arithmetic)', () => {
    const mod = loadModule(fx.full)!;
    const sym = mod.symbols.find((s) => s.name === 'hot_one')!;
    const off = symbolFileOffset(mod, sym)!;
    const seg = mod.elf.segments.find((p) => p.type === 1 && sym.value >= p.vaddr && sym.value < p.vaddr + p.filesz)!;
    expect(off).toBe(sym.value - seg.vaddr + seg.offset);
  });
});

describe('ProcessSymbols on a live process', () => {
  it('resolves addresses in the running fixture, its libc and its vDSO; unknown stays unknown', async () => {
    const child = spawn(fx.full, ['-1', 'pid'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      const ps = new ProcessSymbols(child.pid!);
      const maps = execFileSync('cat', [`/proc/${child.pid}/maps`], { encoding: 'utf8' });
      const base = parseInt(/^([0-9a-f]+)-\S+ \S+ 0+ .*spin$/m.exec(maps)![1]!, 16);
      const hot = nmSymbols(fx.full).find((s) => s.name === 'hot_three')!;
      // PIE: the first mapping (offset 0) is at the load base; vaddrs are relative to it.
      const f = ps.resolve(base + hot.value + 4);
      expect(f).toEqual(expect.objectContaining({ name: 'hot_three', offset: 4, module: fx.full }));
      expect(f.buildId).toMatch(/^[0-9a-f]{40}$/);

      const libc = /^([0-9a-f]+)-([0-9a-f]+) r-xp ([0-9a-f]+) .*libc\.so\.6$/m.exec(maps)!;
      const libcMod = loadModule(libc[0].split(/\s+/).pop()!)!;
      const getpid = libcMod.symbols.find((s) => s.name === 'getpid' && s.size > 0)!;
      const addr = parseInt(libc[1]!, 16) - parseInt(libc[3]!, 16) + symbolFileOffset(libcMod, getpid)! + 1;
      // One of getpid's aliases (__getpid, getpid: same start and size), never another function.
      const aliases = libcMod.symbols
        .filter((s) => s.value === getpid.value && s.size === getpid.size)
        .map((s) => s.name);
      expect(aliases).toContain(ps.resolve(addr).name);
      expect(ps.resolve(addr).offset).toBe(1);

      const vdso = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s+\[vdso\]$/m.exec(maps);
      const frames = [];
      for (let a = parseInt(vdso![1]!, 16); a < parseInt(vdso![2]!, 16); a += 16) frames.push(ps.resolve(a));
      expect(frames.some((fr) => fr.module === '[vdso]' && /clock_gettime/.test(fr.name ?? ''))).toBe(true);
      const stack = /^([0-9a-f]+)-\S+ \S+ \S+ \S+ \S+\s+\[stack\]$/m.exec(maps)!;
      expect(ps.resolve(parseInt(stack[1]!, 16) + 8)).toEqual(
        expect.objectContaining({ name: null, module: '[stack]' }),
      );
      expect(ps.resolve(8).module).toBe('[unknown]');

      // After the exit, what the snapshot kept still resolves.
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      expect(ps.snapshot()).toBe(false);
      expect(ps.resolve(base + hot.value + 4).name).toBe('hot_three');
    } finally {
      child.kill('SIGKILL');
    }
  });
});

describe('kernel symbols', () => {
  it('resolves kallsyms addresses to their names, with the offset into them', (ctx) => {
    const k = kernelSymbols();
    if (!k.usable) skipUnlessCapable(ctx.skip, 'kallsyms shows zero addresses (not root)');
    const line = execFileSync('grep', ['-m1', ' T schedule$', '/proc/kallsyms'], { encoding: 'utf8' });
    const addr = BigInt(`0x${line.split(' ')[0]}`);
    expect(k.lookup(addr + 3n)).toEqual({ name: 'schedule', offset: 3, module: '' });
    expect(k.lookup(1n)).toBeNull();
  });
});
