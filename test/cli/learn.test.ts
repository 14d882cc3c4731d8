/** oslens learn / explain / quiz, as a user runs them; quiz and presenter mode driven in tmux. */
import { describe, expect, it } from 'vitest';
import { oslens, skipUnlessCapable } from '../helpers/env.js';
import { HAS_TMUX, TmuxSession } from '../ui/tmux.js';

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

describe('text fits the terminal', () => {
  /** Whitespace-separated words: the same at any width when lines only break between words. */
  const words = (s: string) => s.split(/\s+/).filter(Boolean);
  const widest = (s: string, skip: RegExp) =>
    Math.max(
      ...s
        .split('\n')
        .filter((l) => !skip.test(l))
        .map((l) => [...l].length),
    );

  it.each([
    [['learn', 'page-cache', '--no-run']],
    [['learn', 'oom-in-a-cgroup', '--no-run']],
    [['quiz', '--list', '--model', 'scheduling']],
    [['explain', 'vdso']],
    [['explain', 'D']],
  ])('%j wraps to $COLUMNS without breaking a word', (args) => {
    const wide = oslens(args, { env: { COLUMNS: '200' } });
    for (const cols of [60, 80]) {
      const narrow = oslens(args, { env: { COLUMNS: String(cols) } });
      expect(narrow.status, narrow.stderr).toBe(0);
      // Commands are shown whole (a "$ oslens ..." line may be wider), everything else fits.
      expect(widest(narrow.stdout, /^\s*\$ /)).toBeLessThanOrEqual(cols);
      expect(words(narrow.stdout)).toEqual(words(wide.stdout));
    }
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

/** Waits until the screen matches `pattern`; returns it. */
const waitFor = (s: TmuxSession, pattern: RegExp, ms = 30_000) =>
  s.waitFor((t) => pattern.test(t), ms, String(pattern));

describe('in tmux', () => {
  it('drives the interactive quiz: reveal, run the demo, score', async (ctx) => {
    if (!HAS_TMUX) skipUnlessCapable(ctx.skip, 'tmux is not installed');
    const s = new TmuxSession(['quiz', '--model', 'thread']);
    try {
      await waitFor(s, /Card 1 of \d+/);
      s.keys('Enter');
      await waitFor(s, /did you know it/);
      s.keys('d');
      // A timing demo: its verdict, or "inconclusive" when its trials cannot tell here.
      await waitFor(s, /Result: (HOLDS|DID NOT HOLD HERE|INCONCLUSIVE HERE)/, 60_000);
      await waitFor(s, /did you know it[\s\S]*did you know it/, 60_000);
      s.keys('y');
      await waitFor(s, /Card 2 of/);
      s.keys('q');
      const end = await waitFor(s, /EXIT=0/);
      expect(end).toMatch(/Score: 1 of 1 known/);
    } finally {
      s.kill();
    }
  });

  it('drives presenter mode: next, previous, live panel, q restores the terminal', async (ctx) => {
    if (!HAS_TMUX) skipUnlessCapable(ctx.skip, 'tmux is not installed');
    const s = new TmuxSession(['learn', 'virtual-memory', '--present']);
    try {
      let screen = await waitFor(s, /step 1 \/ \d+/);
      expect(screen).toContain('Virtual memory');
      s.keys('n');
      screen = await waitFor(s, /step 2 \/ \d+/);
      expect(screen).toContain('The address space');
      s.keys('n');
      screen = await waitFor(s, /VmRSS:\s+\d+ kB/); // step 3's live panel: the lesson process's status
      expect(screen).toContain('step 3');
      s.keys('p');
      await waitFor(s, /step 2 \/ \d+/);
      s.keys('q');
      screen = await waitFor(s, /EXIT=0/);
      expect(screen).not.toContain('step 2 /'); // the alternate screen is gone
    } finally {
      s.kill();
    }
  });

  it('presenter mode refuses without a terminal', () => {
    const r = oslens(['learn', 'thread', '--present']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('needs a terminal');
  });
});
