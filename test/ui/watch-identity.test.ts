/**
 * watch matches regions by identity across samples: a mapping that grows down (new start, same
 * end) is the same region, not a new one counted whole. Pure cases, then a real C process whose
 * anonymous mapping the kernel extends downward (adjacent mmaps merge into one VMA).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, onTestFinished } from 'vitest';
import type { Region } from '../../src/proc/maps.js';
import { matchRegions, regionDeltas } from '../../src/ui/collect/watch.js';
import { OSLENS, skipUnlessCapable } from '../helpers/env.js';
import { killChildren, waitForOutput } from '../proc/children.js';

afterEach(killChildren);
const dir = mkdtempSync(join(tmpdir(), 'oslens-watch-id-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MiB = 2 ** 20;
const region = (start: number, end: number, rss: number, path = ''): Region =>
  ({ start, end, size: end - start, rss, path, kind: 'anon', perms: 'rw-p', dirty: 0, swap: 0 }) as Region;

describe('region identity', () => {
  it('same start, same end (grown down), or the largest overlap, with the same file', () => {
    const prev = [region(0x1000, 0x5000, 4), region(0x10000, 0x20000, 8), region(0x30000, 0x40000, 2, '/lib/x.so')];
    const cur = [
      region(0x1000, 0x9000, 6), // grew up
      region(0x8000, 0x20000, 20), // grew down (same end)
      region(0x31000, 0x40000, 2, '/lib/y.so'), // another file: a new region
    ];
    expect(matchRegions(prev, cur)).toEqual([prev[0], prev[1], undefined]);
    const rows = regionDeltas(prev, cur);
    expect(rows.map((r) => [r.rssDelta, r.isNew])).toEqual([
      [2, false],
      [12, false],
      [2, true],
    ]);
    // Split in two: the larger part is the old region, the rest is new.
    expect(matchRegions([region(0, 0x10000, 0)], [region(0, 0x4000, 0), region(0x6000, 0x10000, 0)])).toEqual([
      region(0, 0x10000, 0),
      undefined,
    ]);
  });

  it('a real mapping growing down: ΔRSS is what it grew by, the header and the rows agree', async (ctx) => {
    if (spawnSync('gcc', ['--version']).status !== 0) skipUnlessCapable(ctx.skip, 'gcc is not installed');
    const src = join(dir, 'growdown.c');
    const bin = join(dir, 'growdown');
    // Reserve a free range, then map 16 MiB at its top and, per line on stdin, 16 MiB right
    // below the lowest: the kernel merges each with its neighbour (same flags), so the VMA's
    // start moves down and its end stays.
    writeFileSync(
      src,
      `#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#define STEP (16UL << 20)
static char *map(char *at) {
  char *p = mmap(at, STEP, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  if (p != at) { perror("mmap"); _exit(1); }
  memset(p, 1, STEP);
  return p;
}
int main(void) {
  char *base = mmap(NULL, 32 * STEP, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  munmap(base, 32 * STEP);
  char *low = map(base + 31 * STEP);
  printf("ready %p\\n", (void *)(low + STEP));
  fflush(stdout);
  char c;
  while (read(0, &c, 1) == 1 && c == '\\n') { low = map(low - STEP); printf("grew\\n"); fflush(stdout); }
  return 0;
}
`,
    );
    const cc = spawnSync('gcc', ['-O1', '-Wall', '-Werror', '-o', bin, src], { encoding: 'utf8' });
    expect(cc.status, cc.stderr).toBe(0);
    // stdin a pipe (startChild's is /dev/null): each line asks for one more step.
    const child = spawn(bin, [], { stdio: ['pipe', 'pipe', 'inherit'] });
    onTestFinished(() => {
      child.kill('SIGKILL');
    });
    await waitForOutput(child, 'ready');
    const watch = spawn(process.execPath, [OSLENS, 'watch', String(child.pid), '--json', '-d', '0.5', '--no-ebpf'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    interface Rec {
      rssDelta: number;
      regions: { start: number; end: number; rss: number; rssDelta: number; isNew: boolean; path: string }[];
    }
    const records: Rec[] = [];
    let buf = '';
    watch.stdout.on('data', (d) => {
      buf += d;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        records.push(JSON.parse(buf.slice(0, nl)));
        buf = buf.slice(nl + 1);
      }
    });
    try {
      const waitRecords = async (n: number) => {
        const end = Date.now() + 15_000;
        while (records.length < n && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
        expect(records.length).toBeGreaterThanOrEqual(n);
      };
      await waitRecords(1);
      for (let i = 0; i < 3; i++) {
        const seen = records.length;
        child.stdin?.write('\n');
        await waitForOutput(child, 'grew');
        await waitRecords(seen + 2); // a whole interval after the growth
      }
      // In every record, no region counted as new holds the mapping's memory, and the rows'
      // ΔRSS add up to about the header's (nothing counted twice).
      let grown = 0;
      for (const rec of records.slice(1)) {
        const big = rec.regions.filter((r) => r.rss >= 16 * MiB && r.path === '');
        for (const r of big) expect(r.isNew, `a ${r.rss} B region counted as new`).toBe(false);
        const rows = rec.regions.reduce((s, r) => s + r.rssDelta, 0);
        expect(Math.abs(rows - rec.rssDelta)).toBeLessThan(4 * MiB);
        grown += big.reduce((s, r) => s + r.rssDelta, 0);
      }
      // Three steps of 16 MiB, each seen once.
      expect(grown).toBeGreaterThan(40 * MiB);
      expect(grown).toBeLessThan(56 * MiB);
    } finally {
      watch.kill();
    }
  });
});
