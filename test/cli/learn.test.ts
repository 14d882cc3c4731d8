/** oslens learn / explain / quiz, as a user runs them; quiz and presenter mode driven in tmux. */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { OSLENS, oslens, skipUnlessCapable } from '../helpers/env.js';

describe('oslens learn', () => {
  it('lists the models, paths and mistakes', () => {
    const r = oslens(['learn']);
    expect(r.status).toBe(0);
    for (const s of ['virtual-memory', 'day-zero', 'processes', 'memory', 'io', 'fork-is-cow'])
      expect(r.stdout).toContain(s);
    const j = JSON.parse(oslens(['learn', '--json']).stdout) as { models: unknown[]; paths: unknown[] };
    expect(j.models).toHaveLength(12);
    expect(j.paths).toHaveLength(4);
  });

  it('learn day-zero --no-run shows the steps without running them', () => {
    const r = oslens(['learn', 'day-zero', '--no-run']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('OSTEP');
    expect(r.stdout).toContain('$ oslens trace -e trace=execve');
    expect(r.stdout).toContain('Notice:');
    expect(r.stdout).not.toContain('| ');
  });

  it('learn virtual-memory runs its live steps inline', () => {
    const r = oslens(['learn', 'virtual-memory'], { timeout: 180_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\| VmRSS:\s+\d+ kB/);
    expect(r.stdout).toContain('Figures that matter');
    expect(r.stdout).toContain('oslens quiz --model virtual-memory');
  });

  it('learn --json and unknown lessons', () => {
    const j = JSON.parse(oslens(['learn', 'page-cache', '--no-run', '--json']).stdout) as {
      kind: string;
      steps: unknown[];
    };
    expect(j.kind).toBe('model');
    expect(j.steps.length).toBeGreaterThan(1);
    const r = oslens(['learn', 'virtual-memroy']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('virtual-memory');
  });
});

describe('oslens explain', () => {
  it('explains a syscall with its model, latency row and live command', () => {
    const r = oslens(['explain', 'mmap']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('model:   virtual-memory');
    expect(r.stdout).toContain('latency:');
    expect(r.stdout).toContain('oslens trace -e trace=mmap');
  });

  it.each(['VmRSS', 'majflt', '/proc/PID/smaps', 'D', 'SIGSEGV', 'E2BIG', 'fork-large', 'page-cache'])(
    'explains %s',
    (thing) => {
      const r = oslens(['explain', thing, '--json']);
      expect(r.status, r.stderr).toBe(0);
      expect((JSON.parse(r.stdout) as { matches: unknown[] }).matches.length).toBeGreaterThan(0);
    },
  );

  it('unknown things get the closest matches and exit 2', () => {
    const r = oslens(['explain', 'VmRS']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('VmRSS');
  });
});

describe('oslens quiz (not a terminal)', () => {
  it('--json and --list, filtered by model', () => {
    const cards = JSON.parse(oslens(['quiz', '--json', '--model', 'thread']).stdout) as Array<{ model: string }>;
    expect(cards.length).toBeGreaterThanOrEqual(3);
    expect(cards.every((c) => c.model === 'thread')).toBe(true);
    expect(oslens(['quiz', '--list']).stdout).toContain('Why does fork() of a 4 GB process');
    expect(oslens(['quiz', '--model', 'kernel']).status).toBe(2);
  });
});

const hasTmux = spawnSync('tmux', ['-V']).status === 0;

function tmux(args: string[]): string {
  return spawnSync('tmux', args, { encoding: 'utf8' }).stdout;
}

async function waitFor(session: string, pattern: RegExp, ms = 30_000): Promise<string> {
  const end = Date.now() + ms;
  let screen = '';
  while (Date.now() < end) {
    screen = tmux(['capture-pane', '-p', '-t', session]);
    if (pattern.test(screen)) return screen;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${pattern} in:\n${screen}`);
}

describe('in tmux', () => {
  it('drives the interactive quiz: reveal, run the demo, score', async (ctx) => {
    if (!hasTmux) skipUnlessCapable(ctx.skip, 'tmux is not installed');
    const s = `oslens-quiz-${process.pid}`;
    tmux([
      'new',
      '-d',
      '-s',
      s,
      '-x',
      '120',
      '-y',
      '40',
      `${process.execPath} ${OSLENS} quiz --model thread; echo QUIZ-EXIT=$?; sleep 30`,
    ]);
    try {
      await waitFor(s, /Card 1 of \d+/);
      tmux(['send-keys', '-t', s, 'Enter']);
      await waitFor(s, /did you know it/);
      tmux(['send-keys', '-t', s, 'd']);
      await waitFor(s, /Result: HOLDS/, 60_000);
      await waitFor(s, /did you know it[\s\S]*did you know it/, 60_000);
      tmux(['send-keys', '-t', s, 'y']);
      await waitFor(s, /Card 2 of/);
      tmux(['send-keys', '-t', s, 'q']);
      const end = await waitFor(s, /QUIZ-EXIT=0/);
      expect(end).toMatch(/Score: 1 of 1 known/);
    } finally {
      tmux(['kill-session', '-t', s]);
    }
  });

  it('drives presenter mode: next, previous, live panel, q restores the terminal', async (ctx) => {
    if (!hasTmux) skipUnlessCapable(ctx.skip, 'tmux is not installed');
    const s = `oslens-present-${process.pid}`;
    tmux([
      'new',
      '-d',
      '-s',
      s,
      '-x',
      '120',
      '-y',
      '40',
      `${process.execPath} ${OSLENS} learn virtual-memory --present; echo PRESENT-EXIT=$?; sleep 30`,
    ]);
    try {
      let screen = await waitFor(s, /step 1 \/ \d+/);
      expect(screen).toContain('Virtual memory');
      tmux(['send-keys', '-t', s, 'n']);
      screen = await waitFor(s, /step 2 \/ \d+/);
      expect(screen).toContain('The address space');
      tmux(['send-keys', '-t', s, 'n']);
      screen = await waitFor(s, /VmRSS:\s+\d+ kB/); // step 3's live panel: the lesson process's status
      expect(screen).toContain('step 3');
      tmux(['send-keys', '-t', s, 'p']);
      await waitFor(s, /step 2 \/ \d+/);
      tmux(['send-keys', '-t', s, 'q']);
      screen = await waitFor(s, /PRESENT-EXIT=0/);
      expect(screen).not.toContain('step 2 /'); // the alternate screen is gone
    } finally {
      tmux(['kill-session', '-t', s]);
    }
  });

  it('presenter mode refuses without a terminal', () => {
    const r = oslens(['learn', 'thread', '--present']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('needs a terminal');
  });
});
