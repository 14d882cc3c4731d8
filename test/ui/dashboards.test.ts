/**
 * End to end, in a real terminal (tmux 200×60, 100×30): top, watch and bench --live as a person sees them.
 * Children are the test's own; tmux sessions and children are killed after each test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { skipUnlessCapable } from '../helpers/env.js';
import { HAS_TMUX, TmuxSession } from './tmux.js';

const sessions: TmuxSession[] = [];
const children: ChildProcess[] = [];
const dirs: string[] = [];

/** 200×60: wide enough that the lens is shown beside the views (from 140 columns). */
const WIDE = { cols: 200, rows: 60 };

function session(args: string[], env: Record<string, string> = {}, size = WIDE): TmuxSession {
  const s = new TmuxSession(args, env, size);
  sessions.push(s);
  return s;
}

function child(cmd: string, args: string[]): ChildProcess {
  const c = spawn(cmd, args, { stdio: ['pipe', 'ignore', 'inherit'] });
  children.push(c);
  return c;
}

function home(): string {
  const d = mkdtempSync(join(tmpdir(), 'oslens-ui-home-'));
  dirs.push(d);
  return d;
}

afterEach(() => {
  for (const s of sessions.splice(0)) s.kill();
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A child that grows by 32 MiB (touching every page) per line on stdin. */
const GROWER = `
import sys
blocks = []
print("ready", flush=True)
for line in sys.stdin:
    b = bytearray(32 * 1024 * 1024)
    for i in range(0, len(b), 4096):
        b[i] = 1
    blocks.append(b)
`;

/** A fresh HOME, with oslens's own files (OSLENS_HOME) inside it: no run remembered yet. */
function isolatedHome(h: string = home()): Record<string, string> {
  return { HOME: h, OSLENS_HOME: join(h, '.oslens') };
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * What the screen shows after `step` against what a full render of the same figures shows (a
 * resize redraws everything blessed's way). top writes its per-tick lines straight to the
 * terminal, beside blessed: a stale or garbled cell shows up as a difference. A refresh landing
 * between the two captures also makes one: the captures follow a refresh, and up to 4 tries; a
 * real bug differs every time.
 */
async function expectSameAsFullRender(s: TmuxSession, cols: number, rows: number, step: () => Promise<void>) {
  let shown = '';
  let full = '';
  for (let attempt = 0; attempt < 4; attempt++) {
    await step();
    // Right after a refresh has drawn (the screen changed on its own), so that the next one is a
    // whole interval away from the two captures, however slow a loaded machine makes each step.
    const settled = s.capture();
    for (let t = 0; t < 60 && s.capture() === settled; t++) await pause(100);
    await pause(150);
    shown = s.capture();
    s.resize(cols + 1, rows);
    await pause(300);
    s.resize(cols, rows);
    await pause(400);
    full = s.capture();
    if (shown === full) return;
  }
  expect(shown.split('\n')).toEqual(full.split('\n'));
}

describe('dashboards in a terminal (tmux)', () => {
  it('top: panel titles, a row for our child, the lens follows the focus, q restores the terminal', async (ctx) => {
    if (!HAS_TMUX) skipUnlessCapable(ctx.skip, 'tmux is not installed');
    // A busy child so it sorts near the top by CPU.
    const busy = child('sh', ['-c', 'while :; do :; done']);
    const s = session(['top', '-d', '0.5'], isolatedHome());
    let screen = await s.waitFor((t) => t.includes(` ${busy.pid} `), 20_000, `a row for pid ${busy.pid}`);
    for (const title of [
      'CPU per core',
      'CPU time split',
      'Load & run',
      'Switches/s',
      'Faults/s',
      'Memory & PSI',
      'Processes',
      'Lens',
    ])
      expect(screen).toContain(title);
    const row = screen.split('\n').find((l) => l.includes(` ${busy.pid} `)) ?? '';
    expect(row).toMatch(/while/);
    // The process table has focus first: the lens explains processes.
    expect(screen).toMatch(/Model: \d+\. (Process|Thread)/);
    // Tab ×5: the page-fault panel; the lens shows the virtual-memory model and its latency row.
    s.keys('Tab', 'Tab', 'Tab', 'Tab', 'Tab');
    screen = await s.waitFor((t) => t.includes('Focus: Page faults /s'), 5000, 'the fault panel focused');
    expect(screen).toContain('Model: 3. Virtual memory');
    expect(screen).toMatch(/Latency row: Minor vs major/i);
    s.keys('?');
    screen = await s.waitFor((t) => t.includes('sort by CPU%'), 5000, 'the keys help');
    s.keys('Escape');
    // Esc and q in one read would be parsed as Meta-q: wait for Esc to take effect first.
    await s.waitFor((t) => !t.includes('sort by CPU%'), 5000, 'the keys help closed');
    s.keys('q');
    screen = await s.waitFor((t) => t.includes('EXIT='), 5000, 'exit');
    expect(screen).toContain('EXIT=0');
    // The alternate screen is gone: nothing of the dashboard is left.
    expect(screen).not.toContain('Lens');
    expect(screen).not.toContain('Processes');
  });

  it('top: after a sort key with a shorter label, the screen is what a full render draws', async (ctx) => {
    if (!HAS_TMUX) skipUnlessCapable(ctx.skip, 'tmux is not installed');
    const s = session(['top', '-d', '4'], isolatedHome());
    await s.waitFor(
      (t) => /Processes \(\d+\) sorted by CPU%/.test(t) && /^│\s+\d+ \S+\s+[A-Z] /m.test(t),
      20_000,
      'the table',
    );
    // f: faults order (a longer label), then c: back to cpu (a shorter one, which blessed redraws).
    await expectSameAsFullRender(s, WIDE.cols, WIDE.rows, async () => {
      s.keys('f');
      await pause(300);
      s.keys('c');
      await pause(400);
    });
  });

  it('top at 100×30: panel labels fit their border; refreshes and keys agree with a full render', async (ctx) => {
    if (!HAS_TMUX) skipUnlessCapable(ctx.skip, 'tmux is not installed');
    const s = session(['top', '-d', '3'], isolatedHome());
    s.resize(100, 30);
    const screen = await s.waitFor((t) => /^│ cpu0 /m.test(t) && /Processes \(\d+\)/.test(t), 20_000, 'the panels');
    // A label longer than its panel is cut (".."), not wrapped onto the panel's first row.
    expect(screen).toMatch(/^┌─ CPU per core [^┐]*\.\.─*┐/m);
    expect(screen).toMatch(/^│ cpu0 /m);
    // Down: blessed redraws the screen; the next refresh writes lines directly over it.
    await expectSameAsFullRender(s, 100, 30, async () => {
      s.keys('Down');
      await pause(3100);
    });
  });

  it('watch: a region whose RSS grows after the child touches memory; exit is reported', async (ctx) => {
    if (!HAS_TMUX) skipUnlessCapable(ctx.skip, 'tmux is not installed');
    // Started (its heap exists) before the dashboard reads it, however busy the machine.
    const grower = spawn('python3', ['-c', GROWER], { stdio: ['pipe', 'pipe', 'inherit'] });
    children.push(grower);
    await new Promise<void>((r) => grower.stdout?.once('data', () => r()));
    const s = session(['watch', String(grower.pid), '-d', '0.5'], isolatedHome());
    let screen = await s.waitFor((t) => t.includes('REGION') && /RSS \S+ \(/.test(t), 15_000, 'the regions table');
    for (const title of ['Process', 'Regions (smaps)', 'RSS', 'Faults/s', 'Switches/s', 'Syscalls /s', 'Lens'])
      expect(screen).toContain(title);
    expect(screen).toContain('[heap]');
    expect(screen).toContain('Model: 3. Virtual memory');
    const rssOf = (t: string) => /RSS (\d+(?:\.\d)?)M/.exec(t)?.[1];
    const before = Number(rssOf(screen));
    grower.stdin?.write('grow\n');
    // The region that took the 32 MiB: shown with ~32M resident (its ΔRSS of +32M lasts one
    // refresh, which a capture on a busy machine can miss, so the state is what is waited for).
    screen = await s.waitFor(
      (t) => /anon@[0-9a-f]+\s+anon\s+3\d(\.\d)?M\s+3\d(\.\d)?M/.test(t),
      15_000,
      'a region of ~32M resident',
    );
    await new Promise((r) => setTimeout(r, 700));
    screen = s.capture();
    expect(Number(rssOf(screen))).toBeGreaterThan(before + 25);
    grower.stdin?.end();
    screen = await s.waitFor((t) => t.includes('exited; last figures kept'), 15_000, 'the exit note');
    s.keys('q');
    screen = await s.waitFor((t) => t.includes('EXIT='), 5000, 'exit');
    expect(screen).toContain('EXIT=0');
    expect(screen).not.toContain('Regions');
  });

  it('bench --live: a bar per result against its range, the lens, saved for the other lenses', async (ctx) => {
    if (!HAS_TMUX) skipUnlessCapable(ctx.skip, 'tmux is not installed');
    const h = home();
    // --remember-noisy: a busy test machine's run is noisy, and this test is about the saved run
    const args = ['bench', '--live', '--quick', '--remember-noisy', 'counter-inc', 'syscall-getpid'];
    const s = session(args, isolatedHome(h));
    let screen = await s.waitFor((t) => t.includes('press q to quit'), 60_000, 'the run to finish');
    expect(screen).toContain('Benchmarks (log scale');
    expect(screen).toMatch(/syscall-getpid\s+\d[\d.]* ns\s+~100-300 ns\s+█/);
    expect(screen).toMatch(/counter-inc\s+\d[\d.]* ns\s+~1 ns/);
    expect(screen).toContain('1µs');
    expect(screen).toContain('Model: 6. Syscall boundary');
    expect(screen).toMatch(/this machine: \d/);
    expect(existsSync(join(h, '.oslens', 'last-bench.json'))).toBe(true);
    s.keys('q');
    screen = await s.waitFor((t) => t.includes('EXIT='), 5000, 'exit');
    expect(screen).toContain('EXIT=0');
    // After the dashboard, the usual table is printed.
    expect(screen).toContain('syscall-getpid');
  });
});
