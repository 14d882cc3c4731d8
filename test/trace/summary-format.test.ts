/**
 * -c / -C / -w as strace prints them, with strace as the oracle: the table's text (columns,
 * truncation, order of equal times, the total row) and what it counts (calls and errors per
 * syscall, no `+++ exited` lines among it with -f, system time by default).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderSummary } from '../../src/trace/summary-table.js';
import { syscallByName } from '../../src/trace/syscalls.js';
import { OSLENS, skipUnlessCapable } from '../helpers/env.js';

const dir = mkdtempSync(join(tmpdir(), 'oslens-summary-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const PROGRAM = [
  'sh',
  '-c',
  'cat /etc/hostname | wc -l; ls /nonexistent-oslens; dd if=/dev/zero of=/dev/null bs=1M count=300',
];

function needStrace(skip: (note?: string) => void): void {
  if (spawnSync('strace', ['-V']).status !== 0) skipUnlessCapable(skip, 'strace is not installed');
}

/** Both tracers run the same way: same stdio (/dev/null), same environment. */
function run(tool: 'strace' | 'oslens', flags: string[], program = PROGRAM): string {
  const file = join(dir, `${tool}.txt`);
  const [cmd, args] =
    tool === 'strace'
      ? ['strace', [...flags, '-o', file, ...program]]
      : [process.execPath, [OSLENS, 'trace', ...flags, '-o', file, '--', ...program]];
  spawnSync(cmd, args, { stdio: 'ignore', timeout: 60_000 });
  return readFileSync(file, 'utf8');
}

interface Row {
  name: string;
  seconds: number;
  calls: number;
  errors: number;
}

/** The table at the end of a trace file: its lines, and its rows parsed. */
function table(text: string): { lines: string[]; rows: Row[]; before: string[] } {
  const all = text.split('\n').filter(Boolean);
  const at = all.findIndex((l) => l.startsWith('% time'));
  const lines = all.slice(at);
  const rows = lines
    .slice(2, -2)
    .map((l) => /^ *[\d.]+ +([\d.]+) +\d+ +(\d+) +(\d*) (\S+)$/.exec(l)!)
    .map((m) => ({ name: m[4]!, seconds: Number(m[1]), calls: Number(m[2]), errors: Number(m[3] || 0) }));
  return { lines, rows, before: all.slice(0, at) };
}

/** Calls and errors per syscall; how often SIGCHLD interrupts sh (handler returns, extra
 * WNOHANG waits) depends on timing, in strace's runs as in ours. */
const TIMING = new Set(['rt_sigreturn', 'wait4']);
const counts = (rows: Row[]) =>
  rows
    .filter((r) => !TIMING.has(r.name))
    .map((r) => `${r.name} ${r.calls} ${r.errors}`)
    .sort();

describe('trace -c', () => {
  it("renders strace's own figures in strace's columns, order and total row", (ctx) => {
    needStrace(ctx.skip);
    // strace keeps nanoseconds and prints microseconds: fed its printed figures, the table must
    // come out the same but for the last digit of % and usecs/call (rounding of the input).
    const cells = (l: string) => [...l.matchAll(/\S+/g)].map((m) => ({ text: m[0], end: m.index + m[0].length }));
    for (const flags of [
      ['-c', '-f'],
      ['-c', '-f', '-w'],
    ]) {
      const s = table(run('strace', flags));
      expect(s.rows.length).toBeGreaterThan(10);
      const rows = s.rows.map((r) => ({ ...r, nr: syscallByName(r.name)?.nr }));
      const o = renderSummary(rows, false).trimEnd().split('\n');
      expect(o.length).toBe(s.lines.length);
      expect(o.slice(0, 2)).toEqual(s.lines.slice(0, 2));
      expect(o.at(-2)).toBe(s.lines.at(-2));
      const byName = new Map(s.lines.slice(2, -2).map((l) => [cells(l).at(-1)!.text, cells(l)]));
      let previous = Infinity;
      o.forEach((line, i) => {
        if (i < 2 || i >= o.length - 2) return;
        const [pct, secs, per, ...rest] = cells(line);
        const ref = byName.get(rest.at(-1)!.text)!;
        // Column ends (right alignment) as strace's: 6, 18, 30, 40 (calls), 50 (errors), name.
        expect([pct!.end, secs!.end, per!.end, rest[0]!.end]).toEqual([6, 18, 30, 40]);
        if (rest.length === 3) expect(rest[1]!.end).toBe(50);
        expect(line.slice(51)).toBe(rest.at(-1)!.text);
        expect(rest.map((c) => c.text)).toEqual(ref.slice(3).map((c) => c.text));
        expect(secs!.text).toBe(ref[1]!.text);
        expect(Math.abs(Number(pct!.text) - Number(ref[0]!.text))).toBeLessThanOrEqual(0.011);
        expect(Math.abs(Number(per!.text) - Number(ref[2]!.text))).toBeLessThanOrEqual(1);
        expect(Number(secs!.text)).toBeLessThanOrEqual(previous);
        previous = Number(secs!.text);
      });
      expect(o.at(-1)).toMatch(/^100\.00 +\d+\.\d{6} +\d+ +\d+ +\d* total$/);
      expect(
        cells(o.at(-1)!)
          .slice(3)
          .map((c) => c.text),
      ).toEqual(
        cells(s.lines.at(-1)!)
          .slice(3)
          .map((c) => c.text),
      );
    }
  });

  it('-c -f prints the table alone, with the calls and errors strace counts', (ctx) => {
    needStrace(ctx.skip);
    const s = table(run('strace', ['-c', '-f']));
    const o = table(run('oslens', ['-c', '-f']));
    expect(o.before).toEqual([]); // no `+++ exited`, no `--- SIGCHLD` lines
    expect(o.lines.slice(0, 2)).toEqual(s.lines.slice(0, 2));
    expect(o.lines.at(-2)).toBe(s.lines.at(-2));
    expect(counts(o.rows)).toEqual(counts(s.rows));
    expect(o.lines.at(-1)).toMatch(/^100\.00 +\d+\.\d{6} +\d+ +\d+ +\d+ total$/);
  });

  it('-C prints the lines, then the table', (ctx) => {
    needStrace(ctx.skip);
    const o = table(run('oslens', ['-C', '-f']));
    expect(o.before.some((l) => /^\d+ +\+\+\+ exited with 0 \+\+\+$/.test(l))).toBe(true);
    expect(o.before.some((l) => /^\d+ +execve\(/.test(l))).toBe(true);
    expect(counts(o.rows)).toEqual(counts(table(run('strace', ['-C', '-f'])).rows));
  });

  it('counts system time by default and wall time with -w, as strace does', (ctx) => {
    needStrace(ctx.skip);
    // A sleep is all wall time and no system time: the two measures told apart, for both tools.
    const nanosleep = (t: { rows: Row[] }) => t.rows.find((r) => r.name === 'clock_nanosleep')?.seconds ?? -1;
    for (const tool of ['strace', 'oslens'] as const) {
      const sys = nanosleep(table(run(tool, ['-c'], ['sleep', '0.3'])));
      const wall = nanosleep(table(run(tool, ['-c', '-w'], ['sleep', '0.3'])));
      expect(sys, tool).toBeGreaterThanOrEqual(0);
      expect(sys, tool).toBeLessThan(0.05);
      expect(wall, tool).toBeGreaterThan(0.25);
    }
  });
});
