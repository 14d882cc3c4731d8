/**
 * top's keys, as an htop user presses them, in a real terminal (tmux 120×40) against real
 * processes this test starts: search, filter, tree, threads, kernel threads, user, sort and
 * reverse, kill (and its refusal without permission), renice, watch, the lens toggle.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { skipUnlessCapable } from '../helpers/env.js';
import { HAS_TMUX, TmuxSession } from './tmux.js';

const sessions: TmuxSession[] = [];
const children: ChildProcess[] = [];
const dirs: string[] = [];

afterEach(() => {
  for (const s of sessions.splice(0)) s.kill();
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Runs as nobody: setpriv with uid/gid 65534 and no supplementary groups. */
const AS_NOBODY = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];

function top(opts: { asNobody?: boolean } = {}): TmuxSession {
  const h = mkdtempSync(join(tmpdir(), 'oslens-keys-'));
  chmodSync(h, 0o777); // nobody's HOME too
  dirs.push(h);
  const s = new TmuxSession(
    ['top', '-d', '0.5', '--no-ebpf'],
    { HOME: h, OSLENS_HOME: join(h, '.oslens') },
    { cols: 120, rows: 40 },
    opts.asNobody ? AS_NOBODY : [],
  );
  sessions.push(s);
  return s;
}

function child(cmd: string, args: string[]): ChildProcess {
  const c = spawn(cmd, args, { stdio: 'ignore' });
  children.push(c);
  return c;
}

/** A unique number for this test's sleeps (their command lines tell them apart). */
let serial = 0;
const mark = () => String(7_700_000 + ((process.pid * 10 + ++serial) % 100_000));

const rowOf = (screen: string, pid: number) => screen.split('\n').find((l) => new RegExp(`^│\\s+${pid} `).test(l));
const tableRowPids = (screen: string) =>
  screen
    .split('\n')
    .map((l) => /^│\s+(\d+) \S+\s+[A-Z] /.exec(l)?.[1])
    .filter((x): x is string => x !== undefined)
    .map(Number);

async function ready(s: TmuxSession, pid?: number): Promise<string> {
  return s.waitFor(
    (t) => /Processes \(\d+/.test(t) && (pid === undefined || rowOf(t, pid) !== undefined) && /\d+\.\d /.test(t),
    20_000,
    pid === undefined ? 'the table' : `a row for ${pid}`,
  );
}

/** `\` TEXT Enter: the table shows only the rows matching TEXT; the first is selected. */
async function filterTo(s: TmuxSession, text: string): Promise<string> {
  s.keys('\\');
  await s.waitFor((t) => t.includes('Filter:'), 5000, 'the filter prompt');
  s.keys('-l', text);
  s.keys('Enter');
  return s.waitFor((t) => t.includes(`filter "${text}"`) && !t.includes('Filter:'), 5000, 'the filter applied');
}

function niceOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
}

describe('top keys (tmux 120×40)', () => {
  it('/ searches as you type, n goes to the next match, Enter shows the match', async (ctx) => {
    if (!HAS_TMUX) skipUnlessCapable(ctx.skip, 'tmux is not installed');
    const m = mark();
    const a = child('sleep', [`${m}1`]);
    const b = child('sleep', [`${m}2`]);
    const s = top();
    await ready(s);
    s.keys('/');
    await s.waitFor((t) => t.includes('Search:'), 5000, 'the search prompt');
    s.keys('-l', `${m}1`);
    await s.waitFor((t) => t.includes(`Search: ${m}1_`), 5000, 'the typed text');
    s.keys('Enter');
    await s.waitFor((t) => !t.includes('Search:'), 5000, 'the prompt closed');
    s.keys('Enter');
    let screen = await s.waitFor((t) => t.includes(`Process ${a.pid} `), 5000, `the details of ${a.pid}`);
    expect(screen).toContain(`sleep ${m}1`);
    s.keys('Escape');
    // Esc and / in one read would be parsed as Meta-/: wait for Esc to take effect first.
    await s.waitFor((t) => !t.includes(`Process ${a.pid} `), 5000, 'the details closed');
    // A search matching both, then n: the other one.
    s.keys('/');
    await s.waitFor((t) => t.includes('Search:'), 5000, 'the search prompt');
    s.keys('-l', m);
    s.keys('Enter');
    await s.waitFor((t) => !t.includes('Search:'), 5000, 'the prompt closed');
    s.keys('Enter');
    screen = await s.waitFor((t) => /Process \d+ /.test(t), 5000, 'details');
    const first = Number(/Process (\d+) /.exec(screen)?.[1]);
    s.keys('Escape');
    await s.waitFor((t) => !t.includes(`Process ${first} `), 5000, 'the details closed');
    s.keys('n');
    await new Promise((r) => setTimeout(r, 800)); // a loaded machine: n handled before Enter
    s.keys('Enter');
    screen = await s.waitFor(
      (t) => /Process \d+ /.test(t) && !t.includes(`Process ${first} `),
      10_000,
      'the next match',
    );
    const second = Number(/Process (\d+) /.exec(screen)?.[1]);
    expect(new Set([first, second])).toEqual(new Set([a.pid, b.pid]));
  });

  it('\\ filters the table to matching rows; Esc in the prompt clears the filter', async (ctx) => {
    if (!HAS_TMUX) skipUnlessCapable(ctx.skip, 'tmux is not installed');
    const m = mark();
    const a = child('sleep', [`${m}1`]);
    const b = child('sleep', [`${m}2`]);
    const s = top();
    await ready(s);
    const screen = await filterTo(s, `${m}1`);
    expect(screen).toMatch(/Processes \(1 of \d+\)/);
    expect(tableRowPids(screen)).toEqual([a.pid]);
    s.keys('\\');
    await s.waitFor((t) => t.includes('Filter:'), 5000, 'the filter prompt');
    s.keys('Escape');
    const all = await s.waitFor((t) => !t.includes('filter "') && rowOf(t, b.pid) !== undefined, 5000, 'all rows');
    expect(tableRowPids(all).length).toBeGreaterThan(10);
  });

  it('t shows each process under its parent', async (ctx) => {
    if (!HAS_TMUX) skipUnlessCapable(ctx.skip, 'tmux is not installed');
    const m = mark();
    const sh = child('sh', ['-c', `sleep ${m} & wait`]);
    const s = top();
    await ready(s);
    await filterTo(s, m);
    s.keys('t');
    const screen = await s.waitFor((t) => /, tree/.test(t) && /`- sleep /.test(t), 5000, 'the tree');
    const ls = screen.split('\n');
    const parent = ls.findIndex((l) => rowOf(l, sh.pid ?? 0) !== undefined);
    expect(parent).toBeGreaterThan(0);
    expect(ls[parent + 1]).toMatch(new RegExp(`\`- sleep ${m}`));
  });

  it('H adds a row per thread (the tids of /proc/PID/task)', async (ctx) => {
    if (!HAS_TMUX) skipUnlessCapable(ctx.skip, 'tmux is not installed');
    const m = mark();
    const py = child('python3', [
      '-c',
      'import threading, time\nfor _ in range(2): threading.Thread(target=time.sleep, args=(1000,), daemon=True).start()\ntime.sleep(1000)',
      m,
    ]);
    let tids: number[] = [];
    for (let i = 0; i < 100 && tids.length < 3; i++) {
      await new Promise((r) => setTimeout(r, 100));
      tids = readdirSync(`/proc/${py.pid}/task`).map(Number);
    }
    expect(tids.length).toBe(3);
    const s = top();
    await ready(s);
    let screen = await filterTo(s, m);
    expect(tableRowPids(screen)).toEqual([py.pid]);
    s.keys('H');
    screen = await s.waitFor((t) => /, threads/.test(t) && tableRowPids(t).length === 3, 10_000, 'three rows');
    expect(tableRowPids(screen).sort()).toEqual(tids.sort());
    s.keys('H');
    await s.waitFor((t) => !/, threads/.test(t) && tableRowPids(t).length === 1, 10_000, 'one row again');
  });

  it('K hides kernel threads', async (ctx) => {
    if (!HAS_TMUX) skipUnlessCapable(ctx.skip, 'tmux is not installed');
    const s = top();
    await ready(s);
    s.keys('p'); // by PID, then Home: kthreadd (2) is near the top
    s.keys('Home');
    let screen = await s.waitFor((t) => /sorted by PID/.test(t) && rowOf(t, 2) !== undefined, 5000, 'pid 2');
    expect(rowOf(screen, 2)).toContain('[kthreadd]');
    s.keys('K');
    screen = await s.waitFor((t) => t.includes('no kernel threads'), 5000, 'kernel threads hidden');
    expect(rowOf(screen, 2)).toBeUndefined();
    expect(screen).not.toMatch(/ \[kworker/);
    expect(rowOf(screen, 1)).toBeDefined();
  });

  it("u shows one user's processes (a menu of the users there are)", async (ctx) => {
    if (!HAS_TMUX) skipUnlessCapable(ctx.skip, 'tmux is not installed');
    const m = mark();
    const nob = child(AS_NOBODY[0] as string, [...AS_NOBODY.slice(1), 'sleep', m]);
    await new Promise((r) => setTimeout(r, 300));
    const s = top();
    await ready(s);
    s.keys('u');
    const menu = await s.waitFor((t) => t.includes('(all users)') && t.includes('nobody'), 5000, 'the user menu');
    const items = menu
      .split('\n')
      .map((l) => /│(\S[^│]*?)\s*│/.exec(l.slice(l.indexOf('│')))?.[1])
      .filter((x): x is string => x !== undefined);
    const at = items.indexOf('nobody') - items.indexOf('(all users)');
    expect(at).toBeGreaterThan(0);
    for (let i = 0; i < at; i++) s.keys('Down');
    s.keys('Enter');
    const screen = await s.waitFor((t) => t.includes('user nobody'), 5000, 'only nobody');
    const rows = screen.split('\n').filter((l) => /^│\s+\d+ \S+\s+[A-Z] /.test(l));
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(r).toMatch(/^│\s+\d+ nobody /);
    expect(screen).toContain(`sleep ${m}`);
    void nob;
  });

  it('sort keys: r reverses, a key twice reverses, < > move the column, o picks one from a menu', async (ctx) => {
    if (!HAS_TMUX) skipUnlessCapable(ctx.skip, 'tmux is not installed');
    const s = top();
    await ready(s);
    s.keys('r');
    await s.waitFor((t) => t.includes('sorted by CPU% (reversed)') && t.includes('▲CPU%'), 5000, 'reversed');
    s.keys('m');
    await s.waitFor((t) => /sorted by RSS(?! \()/.test(t) && t.includes('▼RSS'), 5000, 'by RSS');
    s.keys('m');
    await s.waitFor((t) => t.includes('sorted by RSS (reversed)'), 5000, 'RSS reversed');
    s.keys('T');
    await s.waitFor((t) => /sorted by TIME\+(?! \()/.test(t), 5000, 'by TIME+ (T)');
    s.keys('>');
    await s.waitFor((t) => t.includes('sorted by FLT/s'), 5000, 'the next column (>)');
    s.keys('<');
    s.keys('<');
    await s.waitFor((t) => t.includes('sorted by RSS'), 5000, 'two columns back (<)');
    s.keys('o');
    await s.waitFor((t) => t.includes('Sort by') && t.includes('COMMAND'), 5000, 'the sort menu');
    s.keys('Down');
    s.keys('Enter');
    const screen = await s.waitFor((t) => t.includes('sorted by TIME+'), 5000, 'TIME+ from the menu');
    // Sorted by TIME+: the column reads biggest first.
    const times = screen
      .split('\n')
      .filter((l) => /^│\s+\d+ /.test(l))
      .map((l) => /(\d+):(\d\d)\.(\d\d)/.exec(l))
      .filter((x): x is RegExpExecArray => x !== null)
      .map((x) => Number(x[1]) * 60 + Number(x[2]) + Number(x[3]) / 100);
    expect(times.length).toBeGreaterThan(5);
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeLessThanOrEqual(times[i - 1] as number);
  });

  it('k sends the signal picked from its menu; ] and [ renice the selected process', async (ctx) => {
    if (!HAS_TMUX) skipUnlessCapable(ctx.skip, 'tmux is not installed');
    const m = mark();
    const victim = child('sleep', [m]);
    const ended = new Promise<string | null>((r) => victim.on('exit', (_code, sig) => r(sig)));
    const s = top();
    await ready(s);
    await filterTo(s, m);
    s.keys(']');
    await s.waitFor((t) => t.includes('nice 0 -> 1'), 5000, 'reniced to 1');
    expect(niceOf(victim.pid ?? 0)).toBe(1);
    s.keys('F7');
    await s.waitFor((t) => t.includes('nice 1 -> 0'), 5000, 'reniced back to 0');
    expect(niceOf(victim.pid ?? 0)).toBe(0);
    s.keys('k');
    await s.waitFor((t) => t.includes(`Send to ${victim.pid}`) && t.includes('SIGKILL'), 5000, 'the signal menu');
    s.keys('Enter'); // the first: SIGTERM
    expect(await ended).toBe('SIGTERM');
    await s.waitFor((t) => t.includes(`sent SIGTERM to ${victim.pid}`), 5000, 'the notice');
  });

  it('without permission, k and [ are refused with the reason; the process lives on', async (ctx) => {
    if (!HAS_TMUX) skipUnlessCapable(ctx.skip, 'tmux is not installed');
    if (process.getuid?.() !== 0) skipUnlessCapable(ctx.skip, 'needs root to run top as nobody');
    const m = mark();
    const rootsChild = child('sleep', [`${m}1`]);
    const s = top({ asNobody: true });
    await ready(s);
    await filterTo(s, `${m}1`);
    s.keys('k');
    await s.waitFor((t) => t.includes(`Send to ${rootsChild.pid}`), 5000, 'the signal menu');
    s.keys('Enter');
    await s.waitFor(
      (t) => t.includes(`cannot send SIGTERM to ${rootsChild.pid} (sleep): not permitted`),
      5000,
      'the refusal',
    );
    s.keys('[');
    await s.waitFor((t) => /cannot renice \d+ \(sleep\) to -1: not permitted/.test(t), 5000, 'renice refused');
    expect(rootsChild.exitCode).toBeNull();
    expect(rootsChild.signalCode).toBeNull();
    expect(niceOf(rootsChild.pid ?? 0)).toBe(0);
  });

  it('w watches the selected process; l shows and hides the lens', async (ctx) => {
    if (!HAS_TMUX) skipUnlessCapable(ctx.skip, 'tmux is not installed');
    const m = mark();
    const target = child('sleep', [m]);
    const s = top();
    await ready(s);
    expect(s.capture()).not.toContain('Lens');
    s.keys('l');
    await s.waitFor((t) => t.includes('Lens') && /Model: \d+\./.test(t), 5000, 'the lens');
    s.keys('l');
    await s.waitFor((t) => !t.includes('Lens'), 5000, 'the lens folded');
    await filterTo(s, m);
    s.keys('w');
    const screen = await s.waitFor((t) => t.includes(`watching pid ${target.pid}`), 15_000, 'watch');
    expect(screen).toContain('Regions (smaps)');
  });
});
