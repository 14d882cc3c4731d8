/**
 * The exit-code rule (README "Exit codes"): q → 0; Ctrl-C (SIGINT, or the dashboard's Ctrl-C
 * key) → 130; a command oslens ran → its status or 128 + signal; bad values → 2; an exited
 * process → 3; a command that does not exist → 127. And what oslens starts ends with it, even
 * when oslens is SIGKILLed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { OSLENS, oslens, skipUnlessCapable } from '../helpers/env.js';
import { HAS_TMUX, TmuxSession } from '../ui/tmux.js';
import { canSwitchToNobody, nobodyCommand } from '../helpers/unprivileged.js';

const home = mkdtempSync(join(tmpdir(), 'oslens-exit-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));
const ENV = { ...process.env, OSLENS_HOME: join(home, '.oslens') };
const ROOT_USER = process.getuid?.() === 0;

const started: ChildProcess[] = [];
afterEach(() => {
  for (const c of started.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** Starts `oslens ARGS` in its own process group (as a terminal's foreground job). */
function start(args: string[]): { child: ChildProcess; output: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [OSLENS, ...args], {
    env: ENV,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<number | null>((res) => child.on('exit', (code, sig) => res(code ?? (sig ? -1 : null))));
  return { child, output: () => out, exit };
}

async function until(pred: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A process whose command line starts with `cmdline` (not oslens's own, which contains it). */
const alive = (cmdline: string) => spawnSync('pgrep', ['-f', `^${cmdline}`]).status === 0;

describe('Ctrl-C (SIGINT to the foreground group) exits 130', () => {
  const cases: [string, string[], RegExp][] = [
    ['top (plain lines)', ['top', '-d', '0.2', '--no-ebpf'], /cpu /],
    ['watch PID (plain lines)', ['watch', String(process.pid), '-d', '0.2', '--no-ebpf'], /pid \d+/],
    ['watch -- CMD', ['watch', '-d', '0.2', '--no-ebpf', '--', 'sleep', '31.5'], /pid \d+/],
    ['demo', ['demo', 'all'], /\.\. /],
    ['time -- CMD (the command dies of SIGINT: 128 + 2)', ['time', '--', 'sleep', '32.5'], /^$/],
  ];
  it.each(cases)('%s', async (_what, args, ready) => {
    const r = start(args);
    await until(() => ready.test(r.output()) && (args[0] !== 'time' || alive('sleep 32.5')), `${args[0]} running`);
    process.kill(-(r.child.pid as number), 'SIGINT');
    const code = await r.exit;
    expect(code, r.output()).toBe(130);
    if (args.includes('sleep')) expect(alive(`sleep ${args[args.length - 1]}`)).toBe(false);
  });

  it.each([
    ['ptrace', []],
    ['eBPF', ['--ebpf']],
  ])('trace -p (%s): detaches, leaves the process running, 130 as strace', async (_engine, extra, ctx) => {
    if (extra.length && !ROOT_USER) skipUnlessCapable(ctx.skip, 'eBPF needs root');
    const sleeper = spawn('sleep', ['35.5']);
    started.push(sleeper);
    const r = start(['trace', ...extra, '-p', String(sleeper.pid)]);
    await until(() => /attached|tracing/.test(r.output()), 'trace attached');
    process.kill(-(r.child.pid as number), 'SIGINT');
    expect(await r.exit, r.output()).toBe(130);
    const status = readFileSync(`/proc/${sleeper.pid}/status`, 'utf8');
    expect(status).toMatch(/^TracerPid:\s+0$/m);
    expect(status).not.toMatch(/^State:\s+[tTZ]/m);
  });

  it('syscount (eBPF): 130, BPF released', async (ctx) => {
    if (!ROOT_USER) skipUnlessCapable(ctx.skip, 'eBPF needs root');
    const r = start(['syscount']);
    await until(() => /tracing/.test(r.output()), 'syscount attached');
    process.kill(-(r.child.pid as number), 'SIGINT');
    expect(await r.exit, r.output()).toBe(130);
  });
});

describe('in a terminal: q exits 0, the Ctrl-C key 130', () => {
  it.each([
    ['top', ['top', '-d', '0.5'], 'Processes'],
    ['watch', ['watch', String(process.pid), '-d', '0.5'], 'Regions'],
  ])('%s', async (_name, args, ready, ctx) => {
    if (!HAS_TMUX) skipUnlessCapable(ctx.skip, 'tmux is not installed');
    for (const [key, code] of [
      ['q', 0],
      ['C-c', 130],
    ] as const) {
      const s = new TmuxSession(args, { OSLENS_HOME: join(home, '.oslens') });
      try {
        await s.waitFor((t) => t.includes(ready), 20_000, ready);
        s.keys(key);
        await s.waitFor((t) => t.includes(`EXIT=${code}`), 10_000, `EXIT=${code} after ${key}`);
      } finally {
        s.kill();
      }
    }
  });
});

describe('what oslens started ends with it, even when oslens is SIGKILLed', () => {
  it.each([
    ['time', ['time', '--', 'sleep', '33.5']],
    ['watch', ['watch', '-d', '0.2', '--no-ebpf', '--', 'sleep', '34.5']],
  ])('%s -- CMD', async (_name, args) => {
    const marker = args[args.length - 1] as string;
    const r = start(args);
    await until(() => alive(`sleep ${marker}`), 'the command running');
    r.child.kill('SIGKILL');
    await r.exit;
    await until(() => !alive(`sleep ${marker}`), 'the command to end with oslens', 5000);
  });
});

describe('exit codes the README documents', () => {
  it('maps of a zombie: 3 (the process exited)', () => {
    const zombie = spawn('sh', ['-c', 'sleep 0 & exec sleep 30']); // its child exits unreaped
    started.push(zombie);
    let z = '';
    for (let i = 0; i < 100 && !z; i++) {
      spawnSync('sleep', ['0.05']);
      z = spawnSync('pgrep', ['-P', String(zombie.pid), '-r', 'Z'], { encoding: 'utf8' }).stdout.trim();
    }
    expect(z, 'a zombie child').not.toBe('');
    const r = oslens(['maps', z]);
    expect(r.status, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/^oslens: process \d+ \(sleep\) has exited \(a zombie\)/);
  });

  it('watch -- a command that does not exist: 127; one that cannot run: 126', () => {
    let r = oslens(['watch', '--', '/nonexistent/cmd']);
    expect([r.status, r.stderr]).toEqual([127, 'oslens: cannot run /nonexistent/cmd: command not found\n']);
    const plain = join(home, 'not-executable');
    writeFileSync(plain, 'echo hi\n', { mode: 0o644 });
    r = oslens(['watch', '--', plain]);
    expect([r.status, r.stderr]).toEqual([126, `oslens: cannot run ${plain}: permission denied\n`]);
  });

  it('bad option values of the eBPF tools are usage errors (2), before anything loads', () => {
    for (const args of [
      ['syscount', '--top', 'abc'],
      ['syscount', '--top', '-3'],
      ['faults', '--regions', '-1'],
      ['faults', '--top', '1.5'],
      ['syscount', '--cgroup', '/tmp'],
    ]) {
      const r = oslens(args, { timeout: 20_000 });
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});

describe('top, w on a process whose smaps cannot be read', () => {
  it('says why in the dashboard and stays (it used to exit 4)', async (ctx) => {
    if (!HAS_TMUX) skipUnlessCapable(ctx.skip, 'tmux is not installed');
    if (!canSwitchToNobody()) skipUnlessCapable(ctx.skip, 'needs root (and setpriv) to run top as nobody');
    const s = new TmuxSession([], {}, nobodyCommand(['top', '-d', '0.5', '--no-ebpf']));
    try {
      await s.waitFor((t) => t.includes('Processes'), 20_000, 'top as nobody');
      // Sorted by PID (lowest first), the first row is pid 1: root's, so its smaps is closed to nobody.
      // (The selection stays on its process when the order changes: Home goes to the first row.)
      s.keys('p');
      s.keys('Home');
      await s.waitFor((t) => /sorted by PID/.test(t) && /^│\s+1 root /m.test(t), 20_000, 'pid 1 first');
      s.keys('w');
      const screen = await s.waitFor((t) => t.includes('cannot watch'), 10_000, 'the reason');
      expect(screen).toMatch(/w: cannot watch 1: permission denied reading its smaps/);
      expect(screen).toContain('Processes'); // still top
      s.keys('q');
      await s.waitFor((t) => t.includes('EXIT=0'), 10_000, 'a clean exit');
    } finally {
      s.kill();
    }
  });
});
