/**
 * The README's 45-minute lecture ("Teaching with oslens"), driven in tmux at 80x24 and at
 * 120x40 as a teacher would run it: every command of the plan, with oslens alone. Each screen
 * must show what the lecture points at (the notice, the claims, the figures, the verdicts).
 */
import { describe, expect, it } from 'vitest';
import { skipUnlessCapable } from '../helpers/env.js';
import { HAS_TMUX, TmuxSession } from './tmux.js';

const waitFor = (s: TmuxSession, pattern: RegExp, ms = 60_000) =>
  s.waitFor((t) => pattern.test(t), ms, String(pattern));

/** Starts `oslens ARGS` at the given size (sessions start at 120x40). */
function session(args: string[], cols: number, rows: number): TmuxSession {
  const s = new TmuxSession(args);
  if (cols !== 120 || rows !== 40) s.resize(cols, rows);
  return s;
}

async function run(args: string[], cols: number, rows: number, expectOnScreen: RegExp[], ms = 120_000) {
  const s = session(args, cols, rows);
  try {
    const screen = await waitFor(s, /EXIT=\d+/, ms);
    expect(screen, screen).toContain('EXIT=0');
    for (const p of expectOnScreen) expect(screen, `${args.join(' ')} at ${cols}x${rows}`).toMatch(p);
    return screen;
  } finally {
    s.kill();
  }
}

/** Steps through a presenter lesson; at each step waits for the panel's run and checks the slide. */
async function present(lesson: string, cols: number, rows: number, checks: Array<RegExp[]>) {
  const s = session(['learn', lesson, '--present'], cols, rows);
  try {
    for (const [i, want] of checks.entries()) {
      const step = new RegExp(`step ${i + 1} / ${checks.length}`);
      let screen = await waitFor(s, step);
      // Wait for the live panel to finish (no "running…") before judging the slide.
      screen = await s.waitFor((t) => step.test(t) && !t.includes('running…'), 120_000, `step ${i + 1} ran`);
      for (const p of want) {
        if (!p.test(screen)) screen = await waitFor(s, p, 20_000);
        expect(screen, `${lesson} step ${i + 1} at ${cols}x${rows}`).toMatch(p);
      }
      expect(screen).not.toMatch(/command failed|not in this build/);
      if (i + 1 < checks.length) s.keys('n');
    }
    s.keys('q');
    await waitFor(s, /EXIT=0/);
  } finally {
    s.kill();
  }
}

for (const [cols, rows] of [
  [80, 24],
  [120, 40],
] as const) {
  describe(`the lecture at ${cols}x${rows}`, () => {
    it(
      'part 1, syscalls: a trace, the syscall boundary slides, explain, signals',
      { timeout: 600_000 },
      async (ctx) => {
        if (!HAS_TMUX) skipUnlessCapable(ctx.skip, 'tmux is not installed');
        await run(
          ['trace', '-e', 'trace=execve,openat,mmap,brk,write,exit_group', '--', '/bin/echo', 'hi'],
          cols,
          rows,
          [/write\(1, "hi\\n", 3\)\s+= 3/, /exit_group\(0\)/],
        );
        await present('syscall-boundary', cols, rows, [
          [/Syscall boundary/],
          [/Notice:/, /Folklore: an empty syscall/, /syscall-getpid/, /counter-inc/],
          [/Folklore: clock_gettime through the vDSO/, /clock-vdso/, /clock-syscall/],
          [/Notice:/, /seeded/, /open\+read\+close/],
          // trace --lib: the printf block, the write inside it, what it returns
          [/printf\("hello from %s/, /(?:^\s*|│)\s{2,}write\(1, "hello from C/m, /\} printf = \d+/],
        ]);
        await run(['explain', 'vdso'], cols, rows, [/getrandom since 6\.11/]);
        await run(['explain', 'write'], cols, rows, [/oslens bench write-devnull/]);
        await run(['demo', 'sigterm'], cols, rows, [/Result: HOLDS/]);
      },
    );

    it(
      'part 2, memory and faults: the virtual-memory slides, fork, the OOM drill',
      { timeout: 600_000 },
      async (ctx) => {
        if (!HAS_TMUX) skipUnlessCapable(ctx.skip, 'tmux is not installed');
        await present('virtual-memory', cols, rows, [
          [/Virtual memory/],
          [/SIZE/, /RSS/, /heap/],
          [/VmRSS:\s+\d+ kB/, /Folklore: VmSize is far larger/],
          [/fault-minor/, /fault-major/, /Folklore: a minor fault/],
          [/Shmem before/, /growth/],
        ]);
        await run(['demo', 'fork-cow', '--quick'], cols, rows, [/Result: HOLDS/]);
        await run(['demo', 'oom'], cols, rows, [/Result: HOLDS/, /oom_kill/]);
      },
    );

    it(
      'part 3, scheduling: the slides, the load from D tasks seen by why and top',
      { timeout: 600_000 },
      async (ctx) => {
        if (!HAS_TMUX) skipUnlessCapable(ctx.skip, 'tmux is not installed');
        await present('scheduling', cols, rows, [
          [/Scheduling/],
          [/ctxsw-thread/, /ctxsw-process/, /Folklore: a switch between/],
          [/se\.vruntime/],
          [/nr_throttled/, /Folklore: a throttled group/],
          [/in D at the end/, /load1 after/],
        ]);
        // While the D tasks sit there, a second terminal explains the load; top counts them.
        const demo = session(['demo', 'load-d', '--quick'], cols, rows);
        try {
          await waitFor(demo, /oslens why \d+/);
          await run(['why', '--load'], cols, rows, [/D\s+\d+\/\d+\s+oslens-demohelp\s+waits in kernel_clone/]);
          const top = session(['top'], cols, rows);
          try {
            await waitFor(top, /R \d+\s+D ([1-9]\d*)/, 30_000);
            top.keys('q');
            await waitFor(top, /EXIT=0/);
          } finally {
            top.kill();
          }
          await waitFor(demo, /EXIT=0/, 60_000);
        } finally {
          demo.kill();
        }
        await run(['explain', 'load average'], cols, rows, [/uninterruptible sleep/]);
        await run(['explain', 'eevdf'], cols, rows, [/virtual deadline/]);
      },
    );
  });
}
