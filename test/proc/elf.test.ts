/**
 * bss from ELF program headers: parseLoadSegments against readelf on real binaries, and maps of
 * a C program whose bss the kernel merged with an anonymous mapping right after it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { bssRanges, parseLoadSegments } from '../../src/proc/elf.js';
import { oslens, skipUnlessCapable } from '../helpers/env.js';
import { killChildren, startChild, waitForOutput } from './children.js';

afterEach(killChildren);
const dir = mkdtempSync(join(tmpdir(), 'oslens-elf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

/** readelf -lW's LOAD lines: offset, vaddr, filesz, memsz. */
function readelfLoads(path: string): { offset: number; vaddr: number; filesz: number; memsz: number }[] {
  const out = spawnSync('readelf', ['-lW', path], { encoding: 'utf8' }).stdout;
  return out
    .split('\n')
    .filter((l) => /^\s+LOAD\s/.test(l))
    .map((l) => {
      const f = l.trim().split(/\s+/);
      return { offset: Number(f[1]), vaddr: Number(f[2]), filesz: Number(f[4]), memsz: Number(f[5]) };
    });
}

describe('ELF program headers', () => {
  it('parseLoadSegments agrees with readelf on the binaries and libraries of this machine', (ctx) => {
    if (!has('readelf')) skipUnlessCapable(ctx.skip, 'readelf (binutils) is not installed');
    const files = [process.execPath, '/bin/sh', '/usr/bin/python3', '/lib/x86_64-linux-gnu/libc.so.6']
      .concat(['/lib/aarch64-linux-gnu/libc.so.6', '/usr/lib/x86_64-linux-gnu/libz.so.1'])
      .filter(existsSync);
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const f of files) {
      const head = readFileSync(f).subarray(0, 64 * 1024);
      expect(parseLoadSegments(head), f).toEqual(readelfLoads(f));
    }
    expect(parseLoadSegments(Buffer.from('#!/bin/sh\necho not elf\n'.padEnd(128)))).toBeNull();
  });

  it('bssRanges: whole pages after the file bytes up to the last byte, at the load bias', () => {
    const segs = [
      { vaddr: 0, offset: 0, filesz: 0x1000, memsz: 0x1000 },
      { vaddr: 0x3dc8, offset: 0x2dc8, filesz: 0x400, memsz: 0x5000 },
    ];
    // Loaded at 0x7f0000000000: the file's end 0x7f00000041c8 rounds up to ...5000; the last
    // byte 0x7f0000008dc7 to ...9000.
    expect(bssRanges(segs, 0x7f0000000000, 4096)).toEqual([[0x7f0000005000, 0x7f0000009000]]);
    // No p_memsz beyond p_filesz, or the excess within the last file page: no anonymous bss.
    expect(bssRanges([{ vaddr: 0, offset: 0, filesz: 0x1100, memsz: 0x1200 }], 0, 4096)).toEqual([]);
  });

  it('maps: a real bss is bss; the same bss merged with an mmap after it is anonymous memory', async (ctx) => {
    if (!has('gcc')) skipUnlessCapable(ctx.skip, 'gcc is not installed');
    const src = join(dir, 'bss.c');
    const bin = join(dir, 'bss');
    // 8 MiB of bss, touched. Then, on request, 4 MiB mapped right after its end with the same
    // flags: the kernel merges the two into one anonymous region.
    writeFileSync(
      src,
      `#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
static char big[8 << 20];
int main(int argc, char **argv) {
  memset(big, 1, sizeof big);
  if (argc > 1) {
    long page = sysconf(_SC_PAGESIZE);
    char *end = (char *)(((unsigned long)(big + sizeof big) + page - 1) & ~(page - 1));
    char *p = mmap(end, 4 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (p != end) { perror("mmap"); return 1; }
    memset(p, 1, 4 << 20);
  }
  printf("ready\\n");
  fflush(stdout);
  pause();
  return 0;
}
`,
    );
    const cc = spawnSync('gcc', ['-O1', '-no-pie', '-Wall', '-Werror', '-o', bin, src], { encoding: 'utf8' });
    expect(cc.status, cc.stderr).toBe(0);
    type Doc = { regions: { start: number; end: number; kind: string; path: string; size: number }[] };
    const regionsOf = async (args: string[]) => {
      const child = startChild(bin, args);
      await waitForOutput(child, 'ready');
      const r = oslens(['maps', '--json', '--no-pagemap', String(child.pid)]);
      expect(r.status, r.stderr).toBe(0);
      return (JSON.parse(r.stdout) as Doc).regions;
    };
    const plain = await regionsOf([]);
    const dataAt = plain.findIndex((r) => r.path === bin && r.kind === 'data');
    const bss = plain[dataAt + 1];
    expect(bss?.kind).toBe('bss');
    expect(bss?.size).toBeGreaterThanOrEqual(8 << 20);
    expect(bss?.size).toBeLessThan((8 << 20) + (1 << 20));
    const merged = await regionsOf(['merge']);
    const after = merged[merged.findIndex((r) => r.path === bin && r.kind === 'data') + 1];
    expect(after?.size).toBeGreaterThanOrEqual(12 << 20);
    expect(after?.kind).toBe('anon');
  });
});
