/**
 * The pure normaliser and aligner of `npm run bench:fidelity` (scripts/fidelity/*.mjs): on real
 * strace output (two runs of the same program must come out nearly identical, and a real
 * difference must survive), and as properties of the aligner (a longest common subsequence).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain ES modules of the benchmark scripts, without type declarations
import { align, classify, compareTraces } from '../../scripts/fidelity/align.mjs';
// @ts-expect-error idem
import { normaliseBody, normaliseTrace } from '../../scripts/fidelity/normalise.mjs';
import { skipUnlessCapable } from '../helpers/env.js';

const dir = mkdtempSync(join(tmpdir(), 'oslens-fidelity-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function strace(args: string[], file: string): { text: string; pid: number } {
  const r = spawnSync('strace', ['-o', join(dir, file), ...args], { cwd: dir, stdio: 'ignore' });
  return { text: readFileSync(join(dir, file), 'utf8'), pid: r.pid! };
}

type Line = { norm: string; raw: string; merged: boolean };
type Tasks = Map<string, Line[]>;

describe('normaliseTrace on real strace output', () => {
  it('names the tasks of a pipeline by their parents, and two runs compare (nearly) identical', (ctx) => {
    if (spawnSync('strace', ['-V']).status !== 0) skipUnlessCapable(ctx.skip, 'strace is not installed');
    const cmd = ['-f', '--', 'sh', '-c', 'echo hello | cat; true'];
    const a = strace(cmd, 'a.txt');
    const b = strace(cmd, 'b.txt');
    const ta: Tasks = normaliseTrace(a.text, { follow: true, tracerPid: a.pid });
    const tb: Tasks = normaliseTrace(b.text, { follow: true, tracerPid: b.pid });
    expect([...ta.keys()].sort()).toEqual(['1', '1.1', '1.2']);
    const all = [...ta.values()].flat().map((l) => l.norm);
    // No pid of the run and no full address is left; deterministic text is kept as printed.
    const pids = new Set([...a.text.matchAll(/^(\d+) /gm)].map((m) => m[1]!));
    for (const line of all) {
      for (const p of pids) expect(line).not.toMatch(new RegExp(`(?<![\\w.])${p}(?![\\w.])`));
      expect(line).not.toMatch(/0x[0-9a-f]{8,}/);
    }
    expect(all).toContain(
      'execve("/usr/bin/sh", ["sh", "-c", "echo hello | cat; true"], 0xADDR /* ' +
        /\/\* (\d+) vars/.exec(a.text)![1] +
        ' vars */) = 0',
    );
    // strace's padding to column 40 is made canonical (one space) once checked.
    expect(all.some((l) => /^close\(\d\) = 0$/.test(l))).toBe(true);
    const r = compareTraces(ta, tb);
    expect(r.straceLines).toBeGreaterThan(100);
    expect(r.identical / r.straceLines).toBeGreaterThan(0.95);
  });

  it('hides the bytes read from /dev/urandom and /proc/self/maps, and only those', (ctx) => {
    if (spawnSync('strace', ['-V']).status !== 0) skipUnlessCapable(ctx.skip, 'strace is not installed');
    const script = 'head -c 4 /dev/urandom > r.bin; head -c 4 /dev/zero > z.bin; cat /proc/self/maps > m.txt';
    const a = strace(['-f', '--', 'sh', '-c', script], 'u1.txt');
    const b = strace(['-f', '--', 'sh', '-c', script], 'u2.txt');
    const ta: Tasks = normaliseTrace(a.text, { follow: true, tracerPid: a.pid });
    const reads = [...ta.values()].flat().filter((l) => l.norm.startsWith('read('));
    expect(reads.some((l) => /^read\(\d+, "RANDOM", \d+\) = 4$/.test(l.norm))).toBe(true);
    expect(reads.some((l) => /^read\(\d+, "\\0\\0\\0\\0", \d+\) = 4$/.test(l.norm))).toBe(true);
    const r = compareTraces(ta, normaliseTrace(b.text, { follow: true, tracerPid: b.pid }));
    expect(r.examples.filter((e: { name: string }) => e.name === 'read')).toEqual([]);
  });

  it('keeps a real difference: the same program with another argument differs in those lines only', (ctx) => {
    if (spawnSync('strace', ['-V']).status !== 0) skipUnlessCapable(ctx.skip, 'strace is not installed');
    const a = strace(['--', 'cat', '/etc/hostname'], 'c.txt');
    const b = strace(['--', 'cat', '/etc/passwd'], 'd.txt');
    const r = compareTraces(normaliseTrace(a.text, { tracerPid: a.pid }), normaliseTrace(b.text, { tracerPid: b.pid }));
    expect(r.straceLines - r.identical).toBeGreaterThanOrEqual(3); // execve, openat, read/write
    expect(r.examples.some((e: { strace: string }) => e.strace.startsWith('execve('))).toBe(true);
  });
});

describe('normalisation rules', () => {
  const names = new Map([
    [4242, '1'],
    [4243, '1.1'],
  ]);
  it('replaces only run-dependent values', () => {
    expect(normaliseBody('clone(child_stack=NULL, flags=SIGCHLD, child_tidptr=0x7f3b2c1d0a10) = 4243', names)).toBe(
      'clone(child_stack=NULL, flags=SIGCHLD, child_tidptr=0xADDR) = 1.1',
    );
    expect(normaliseBody('getrandom("\\x88\\x5f\\xdd", 3, GRND_NONBLOCK) = 3', names)).toBe(
      'getrandom("RANDOM", 3, GRND_NONBLOCK) = 3',
    );
    expect(normaliseBody('clock_gettime(CLOCK_MONOTONIC, {tv_sec=761, tv_nsec=83393672}) = 0', names)).toBe(
      'clock_gettime(CLOCK_MONOTONIC, {tv_sec=N, tv_nsec=N}) = 0',
    );
    // A relative timeout is the program's choice: its seconds stay.
    expect(normaliseBody('nanosleep({tv_sec=2, tv_nsec=0}, NULL) = 0', names)).toBe(
      'nanosleep({tv_sec=2, tv_nsec=N}, NULL) = 0',
    );
    expect(
      normaliseBody(
        'futex(0x7f3b2c1d0a10, FUTEX_WAIT_BITSET_PRIVATE, 0, {tv_sec=761, tv_nsec=8}, FUTEX_BITSET_MATCH_ANY) = 0',
        names,
      ),
    ).toBe('futex(0xADDR, FUTEX_WAIT_BITSET_PRIVATE, 0, {tv_sec=N, tv_nsec=N}, FUTEX_BITSET_MATCH_ANY) = 0');
    expect(normaliseBody('ppoll([{fd=3, events=POLLIN}], 1, {tv_sec=2, tv_nsec=0}, NULL, 8) = 1', names)).toBe(
      'ppoll([{fd=3, events=POLLIN}], 1, {tv_sec=2, tv_nsec=N}, NULL, 8) = 1',
    );
    expect(normaliseBody('openat(AT_FDCWD, "/proc/4242/status", O_RDONLY) = 3', names)).toBe(
      'openat(AT_FDCWD, "/proc/1/status", O_RDONLY) = 3',
    );
    expect(normaliseBody('getdents64(3, 0x1bb4eb0 /* 208 entries */, 32768) = 6944', names)).toBe(
      'getdents64(3, 0xADDR /* 208 entries */, 32768) = 6944',
    );
    expect(
      normaliseBody(
        'statfs(".", {f_type=EXT2_SUPER_MAGIC, f_bsize=4096, f_blocks=660, f_bfree=596, f_bavail=201, f_files=167, f_ffree=162, f_namelen=255}) = 0',
        names,
      ),
    ).toBe(
      'statfs(".", {f_type=EXT2_SUPER_MAGIC, f_bsize=4096, f_blocks=660, f_bfree=N, f_bavail=N, f_files=167, f_ffree=N, f_namelen=255}) = 0',
    );
    // Deterministic numbers, small hex and strings stay as printed, spaces included.
    const kept = 'mmap(NULL, 4242, PROT_READ, MAP_PRIVATE, 3, 0x1cf000) = 0xADDR';
    expect(normaliseBody('read(3, "4242 0x7f3b2c1d0a10", 20)     = 20', names)).toBe(
      'read(3, "4242 0x7f3b2c1d0a10", 20)     = 20',
    );
    expect(normaliseBody('mmap(NULL, 4242, PROT_READ, MAP_PRIVATE, 3, 0x1cf000) = 0x7f00aa000000', new Map())).toBe(
      kept,
    );
  });

  it('joins a split call as strace prints it unsplit, and marks missing pid prefixes', () => {
    const split =
      '4242  wait4(-1,  <unfinished ...>\n4243  exit_group(0)                     = ?\n4242  <... wait4 resumed>NULL, 0, NULL) = 4243\n';
    const whole = '4242  wait4(-1, NULL, 0, NULL)          = 4243\n4243  exit_group(0)                     = ?\n';
    const a: Tasks = normaliseTrace(split, { follow: true });
    const b: Tasks = normaliseTrace(whole, { follow: true });
    expect(a.get('1')![0]!.norm).toBe(b.get('1')![0]!.norm);
    expect(a.get('1')![0]!.merged).toBe(true);
    // A return text with `=` and brackets of its own (poll's revents) joins the same way.
    const pollSplit =
      '4242  poll([{fd=3, events=POLLIN}], 1, 0 <unfinished ...>\n4243  exit_group(0)                     = ?\n4242  <... poll resumed>)               = 1 ([{fd=3, revents=POLLIN}])\n';
    const pollWhole = '4242  poll([{fd=3, events=POLLIN}], 1, 0) = 1 ([{fd=3, revents=POLLIN}])\n';
    expect(normaliseTrace(pollSplit, { follow: true }).get('1')![0]!.norm).toBe(
      normaliseTrace(pollWhole, { follow: true }).get('1')![0]!.norm,
    );
    const noPrefix: Tasks = normaliseTrace('wait4(-1, NULL, 0, NULL)                = 4243\n', { follow: true });
    expect(classify(b.get('1')![0]!.norm, noPrefix.get('1')![0]!.norm)).toBe('pid prefix');
  });

  it('checks the column of ` = ` before making it canonical', () => {
    const good =
      '4242  close(3)                          = 0\n4242  mmap(NULL, 8192, PROT_READ, MAP_PRIVATE, 3, 0) = 0x7f00aa000000\n';
    const bad = '4242  close(3) = 0\n4242  mmap(NULL, 8192, PROT_READ, MAP_PRIVATE, 3, 0)  = 0x7f00aa000000\n';
    const g: Tasks = normaliseTrace(good, { follow: true });
    const b: Tasks = normaliseTrace(bad, { follow: true });
    expect(g.get('1')!.map((l) => l.norm)).toEqual([
      'close(3) = 0',
      'mmap(NULL, 8192, PROT_READ, MAP_PRIVATE, 3, 0) = 0xADDR',
    ]);
    expect(b.get('1')!.map((l) => l.norm.slice(0, 5))).toEqual(['!pad ', '!pad ']);
    expect(classify(g.get('1')![0]!.norm, b.get('1')![0]!.norm)).toBe('alignment/spacing');
  });

  it('classifies differences by kind', () => {
    expect(classify('close(3)                                = 0', 'close(3) = 0')).toBe('alignment/spacing');
    expect(classify('ioctl(1, TCGETS, 0xADDR) = -1 ENOTTY (x)', 'ioctl(1, 0x5401, 0xADDR) = -1 ENOTTY (x)')).toBe(
      'raw value where strace decodes',
    );
    expect(classify('futex(0xADDR, FUTEX_WAKE_PRIVATE, 1) = 0', 'futex(0xADDR, FUTEX_WAKE_PRIVATE, 1, NULL) = 0')).toBe(
      'argument count',
    );
    expect(classify('umask(022) = 022', 'umask(022) = 18')).toBe('return value');
    expect(classify('+++ exited with 0 +++', '+++ exited with 1 +++')).toBe('exit lines');
  });
});

/** LCS length by the textbook table, for the property below. */
function lcsLength(a: number[], b: number[]): number {
  const t = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      t[i]![j] = a[i - 1] === b[j - 1] ? t[i - 1]![j - 1]! + 1 : Math.max(t[i - 1]![j]!, t[i]![j - 1]!);
  return t[a.length]![b.length]!;
}

describe('align', () => {
  it('returns a longest common subsequence (property)', () => {
    const seq = fc.array(fc.integer({ min: 0, max: 6 }), { maxLength: 40 });
    fc.assert(
      fc.property(seq, seq, (a, b) => {
        const pairs: [number, number][] = align(a, b);
        for (let k = 0; k < pairs.length; k++) {
          const [i, j] = pairs[k]!;
          expect(a[i]).toBe(b[j]);
          if (k > 0) {
            expect(i).toBeGreaterThan(pairs[k - 1]![0]);
            expect(j).toBeGreaterThan(pairs[k - 1]![1]);
          }
        }
        expect(pairs.length).toBe(lcsLength(a, b));
      }),
      { numRuns: 300 },
    );
  });

  it('cuts large inputs at unique lines and still finds every common line of a one-edit pair', () => {
    const a = Array.from({ length: 6000 }, (_, i) => `line ${i}`);
    const b = [...a.slice(0, 3000), 'inserted', ...a.slice(3001)];
    const pairs = align(a, b);
    expect(pairs.length).toBe(5999);
  });
});
