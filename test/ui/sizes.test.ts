/**
 * Every dashboard at 80×24, 120×40 and 200×60 in a real terminal (tmux): the columns and rows
 * that must be there at each size, borders whole, nothing wrapped onto the wrong row.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { skipUnlessCapable } from '../helpers/env.js';
import { TOP_KEYS } from '../../src/ui/views/top.js';
import { HAS_TMUX, TmuxSession } from './tmux.js';

const SIZES = [
  { cols: 80, rows: 24 },
  { cols: 120, rows: 40 },
  { cols: 200, rows: 60 },
] as const;

const sessions: TmuxSession[] = [];
const children: ChildProcess[] = [];
const dirs: string[] = [];

afterEach(() => {
  for (const s of sessions.splice(0)) s.kill();
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function session(args: string[], size: { cols: number; rows: number }): TmuxSession {
  const h = mkdtempSync(join(tmpdir(), 'oslens-sizes-'));
  dirs.push(h);
  const s = new TmuxSession(args, { HOME: h, OSLENS_HOME: join(h, '.oslens') }, size);
  sessions.push(s);
  return s;
}

function child(cmd: string, args: string[]): ChildProcess {
  const c = spawn(cmd, args, { stdio: ['pipe', 'ignore', 'inherit'] });
  children.push(c);
  return c;
}

const lines = (screen: string) => screen.split('\n');

/** The rows of a bordered table: lines between its header line and its bottom border. */
function tableRows(screen: string, header: RegExp): string[] {
  const ls = lines(screen);
  const at = ls.findIndex((l) => header.test(l));
  if (at < 0) return [];
  const out: string[] = [];
  for (const l of ls.slice(at + 1)) {
    if (l.startsWith('└')) break;
    out.push(l);
  }
  return out;
}

/** Every box on screen is closed: as many ┌ as └ in each column where one starts. */
function expectBoxesClosed(screen: string): void {
  const ls = lines(screen);
  const tops = ls.reduce((n, l) => n + (l.match(/┌─/g)?.length ?? 0), 0);
  const bottoms = ls.reduce((n, l) => n + (l.match(/└─/g)?.length ?? 0), 0);
  expect(bottoms).toBe(tops);
}

describe.each(SIZES)('dashboards at $cols×$rows (tmux)', ({ cols, rows }) => {
  it('top: the process table with COMMAND fills the height; columns as the width allows', async (ctx) => {
    if (!HAS_TMUX) skipUnlessCapable(ctx.skip, 'tmux is not installed');
    const busy = child('sh', ['-c', 'while :; do :; done']);
    const s = session(['top', '-d', '0.5'], { cols, rows });
    const screen = await s.waitFor((t) => t.includes(` ${busy.pid} `), 20_000, `a row for pid ${busy.pid}`);
    const header = /PID USER\s+S\s+.*CPU%.*RSS.*FLT\/s.*CSW\/s.*SYSC\/s.*COMMAND/;
    expect(screen).toMatch(header);
    const table = tableRows(screen, header);
    // At least 12 rows at 80×24; at 120×40 as many as htop's (31) less our panels' row (29).
    const want = rows === 24 ? 12 : rows === 40 ? 28 : 45;
    expect(table.filter((l) => /^│\s+\d+ \S+\s+[A-Z] /.test(l)).length).toBeGreaterThanOrEqual(want);
    const row = table.find((l) => l.includes(` ${busy.pid} `)) ?? '';
    expect(row).toContain('while'); // its COMMAND
    if (cols >= 120) for (const c of ['%MEM', 'VIRT', 'TIME+']) expect(screen).toContain(c);
    if (cols >= 200) for (const c of [' NI ', 'TTY']) expect(screen).toContain(c);
    // The lens: beside the view on a wide terminal, folded to `l` on a narrow one.
    if (cols >= 140) expect(screen).toContain('Lens');
    else expect(screen).toMatch(/ l lens /);
    expect(screen).toContain('CPU per core');
    expect(screen).toContain('Memory & PSI');
    expectBoxesClosed(screen);
    // No panel line wrapped: every line inside a box starts and ends with a border.
    for (const l of lines(screen).slice(0, rows - 1)) expect(l.length).toBeLessThanOrEqual(cols);
  });

  it('top: the help fits and lists every key', async (ctx) => {
    if (!HAS_TMUX) skipUnlessCapable(ctx.skip, 'tmux is not installed');
    const s = session(['top', '-d', '1'], { cols, rows });
    await s.waitFor((t) => /Processes \(\d+\)/.test(t), 20_000, 'the table');
    s.keys('?');
    const screen = await s.waitFor((t) => t.includes('this help'), 5000, 'the help');
    for (const k of TOP_KEYS) expect(screen).toContain(k);
    for (const k of ['q Ctrl-C', 'Tab S-Tab', 'show / hide the lens']) expect(screen).toContain(k);
  });

  it('watch: the Regions box with PERM, the RSS chart with its axis', async (ctx) => {
    if (!HAS_TMUX) skipUnlessCapable(ctx.skip, 'tmux is not installed');
    const py = child('python3', ['-c', 'import sys; b = bytearray(40 << 20); sys.stdin.read()']);
    await new Promise((r) => setTimeout(r, 400));
    const s = session(['watch', String(py.pid), '-d', '0.5'], { cols, rows });
    const screen = await s.waitFor((t) => /└-\d+s\s+now/.test(t), 15_000, 'the RSS time axis');
    expect(screen).toMatch(/REGION\s+KIND\s+SIZE\s+RSS\s+ΔRSS PERM/);
    expect(screen).toMatch(/rw-p/);
    const ls = lines(screen);
    const top = ls.findIndex((l) => l.startsWith('┌─ Regions'));
    const rss = ls.findIndex((l) => l.startsWith('┌─ RSS'));
    expect(top).toBeGreaterThan(0);
    // The Regions box is closed right above the charts.
    expect(ls[rss - 1]).toMatch(/^└─+┘/);
    // The y axis: a ceiling and a floor in bytes.
    expect(screen).toMatch(/\d+(\.\d)?[KMG]┤/);
    for (const t of ['Faults/s', 'Switches/s', 'Syscalls /s']) expect(screen).toContain(t);
    expectBoxesClosed(screen);
  });

  it('trace --live: the title on the border, ERR AVG MAX TOTAL in the table', async (ctx) => {
    if (!HAS_TMUX) skipUnlessCapable(ctx.skip, 'tmux is not installed');
    const script =
      'while :; do cat /etc/hostname >/dev/null; sleep 0.1; done; : a long command line to make a long title';
    const s = session(['trace', '--live', '--', 'sh', '-c', script], { cols, rows });
    const screen = await s.waitFor((t) => /openat|read/.test(t), 20_000, 'syscalls');
    const ls = lines(screen);
    expect(ls[0]).toMatch(/^┌─ Syscalls: sh -c/);
    expect(ls[0]).toMatch(/┐$/);
    // The first line inside the log is a syscall line, not the rest of the title.
    expect(ls[1]).toMatch(/^│ \d\d:\d\d:\d\d\.\d+ /);
    expect(screen).toMatch(/SYSCALL\s.*CALLS\s+N\/s\s+ERR\s+AVG\s+MAX\s+TOTAL/);
    expectBoxesClosed(screen);
  });

  it('bench --live: a bar per result and a readable axis', async (ctx) => {
    if (!HAS_TMUX) skipUnlessCapable(ctx.skip, 'tmux is not installed');
    const s = session(['bench', '--live', '--quick', 'counter-inc', 'syscall-getpid'], { cols, rows });
    const screen = await s.waitFor(
      (t) => /done/.test(t) && /syscall-getpid\s+\d[\d.]* ns/.test(t),
      60_000,
      'the run to finish',
    );
    expect(screen).toMatch(/syscall-getpid\s+\d[\d.]* ns\s+~100-300 ns\s+[█░]+/);
    // Labels apart, never run together.
    expect(screen).toMatch(/1ns\s+(1µs\s+)?1ms\s+1s/);
    expect(screen).not.toMatch(/1ns1/);
    // The progress bar is characters (a colour-only bar is invisible here).
    expect(screen).toMatch(/█+\s+100%/);
    expectBoxesClosed(screen);
  });

  it('learn --present: the step line, its text wrapped to the width, the keys line', async (ctx) => {
    if (!HAS_TMUX) skipUnlessCapable(ctx.skip, 'tmux is not installed');
    const s = session(['learn', 'virtual-memory', '--present'], { cols, rows });
    const screen = await s.waitFor((t) => /step 1 \/ \d+/.test(t), 15_000, 'the first step');
    // The step's text wrapped within the width (not cut), the keys line on the last row.
    expect(screen).toContain('Each process gets a private address range');
    for (const l of lines(screen)) expect(l.length).toBeLessThanOrEqual(cols);
    expect(lines(screen)[rows - 1]).toMatch(/next.*(previous|back)/);
    expectBoxesClosed(screen);
  });
});

describe('plain text on a terminal (tmux 80×24)', () => {
  it('TERM=dumb: top prints plain lines instead of drawing', async (ctx) => {
    if (!HAS_TMUX) skipUnlessCapable(ctx.skip, 'tmux is not installed');
    const h = mkdtempSync(join(tmpdir(), 'oslens-sizes-'));
    dirs.push(h);
    const s = new TmuxSession(['top', '-d', '0.5'], { TERM: 'dumb', HOME: h }, { cols: 80, rows: 24 });
    sessions.push(s);
    const screen = await s.waitFor((t) => /^\d\d:\d\d:\d\d cpu \d/m.test(t), 15_000, 'a plain line');
    expect(screen).not.toMatch(/[┌└│]/);
    expect(screen).not.toContain('\x1b');
  });

  it('ps cuts lines to the terminal width; --wide shows them whole', async (ctx) => {
    if (!HAS_TMUX) skipUnlessCapable(ctx.skip, 'tmux is not installed');
    const tail = 'end-of-a-long-command-line';
    const long = child('sh', ['-c', `sleep 60; : ${'x'.repeat(150)} ${tail}`]);
    const run = async (args: string[]) => {
      const s = new TmuxSession(['ps', '-p', String(long.pid), ...args], {}, { cols: 80, rows: 24 });
      sessions.push(s);
      return s.waitFor((t) => t.includes('EXIT='), 15_000, 'ps to finish');
    };
    const cut = await run([]);
    const row = lines(cut).find((l) => l.includes(`${long.pid} `)) ?? '';
    expect(row.length).toBeLessThanOrEqual(80);
    expect(row.endsWith('…')).toBe(true);
    expect(cut).not.toContain(tail);
    const wide = await run(['--wide']);
    // Whole: the terminal wraps it, the end of the command line is on screen.
    expect(wide.replace(/\n/g, '')).toContain(tail);
  });
});
