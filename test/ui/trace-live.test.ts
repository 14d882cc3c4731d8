import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { TraceLiveCollector, eventLine } from '../../src/ui/collect/trace.js';
import type { SyscallEvent } from '../../src/trace/types.js';
import { skipUnlessCapable } from '../helpers/env.js';
import { HAS_TMUX, TmuxSession } from './tmux.js';

const sessions: TmuxSession[] = [];
afterEach(() => {
  for (const s of sessions.splice(0)) s.kill();
});

const ev = (name: string, duration: number, errno: string | null = null): SyscallEvent => ({
  type: 'syscall',
  tid: 7,
  name,
  nr: 0,
  args: [{ name: 'fd', text: '3' }],
  raw: [],
  ret: errno ? -2 : 1,
  errno,
  start: 1_700_000_000.5,
  end: 1_700_000_000.5 + duration,
  duration,
  model: 'syscall-boundary',
});

describe('trace --live', () => {
  it('counts per syscall, tags each with the model of the syscall table', () => {
    const c = new TraceLiveCollector();
    c.push(ev('read', 0.001));
    c.push(ev('read', 0.003, 'EAGAIN'));
    c.push(ev('openat', 0.002));
    const m = c.tick();
    const read = m.rows.find((r) => r.name === 'read');
    expect(read).toMatchObject({ calls: 2, errors: 1, maxSeconds: 0.003 });
    expect(read?.avgSeconds).toBeCloseTo(0.002);
    expect(read?.model).not.toBe('syscall-boundary');
    expect(m.log).toHaveLength(3);
    expect(eventLine(ev('openat', 0.002))).toMatch(/\[7\] openat\(3\) = 1 <0\.002000> \[[a-z-]+\]$/);
  });

  it('in a terminal: the log and table with a syscall row and model tags; q kills the tracee', async (ctx) => {
    if (!HAS_TMUX) skipUnlessCapable(ctx.skip, 'tmux is not installed');
    const marker = `oslens-trace-live-${process.pid}`;
    const loop = `while :; do cat /etc/hostname; sleep 0.1; done # ${marker}`;
    // 200 columns: the lens is shown beside the view (folded to l below 140).
    const s = new TmuxSession(['trace', '--live', '-d', '0.5', '--', 'sh', '-c', loop], {}, { cols: 200, rows: 60 });
    sessions.push(s);
    const screen = await s.waitFor(
      (t) => /^│ wait4 +process +\d+/m.test(t) && /Model: \d+\. Process/.test(t),
      20_000,
      'a wait4 row and the lens',
    );
    expect(screen).toContain('Per syscall: count and latency');
    expect(screen).toMatch(/vfork\(\) = \d+ <[\d.]+> \[process\]/);
    expect(screen).toContain('Lens');
    expect(screen).toMatch(/Model: \d+\. Process/);
    s.keys('q');
    await s.waitFor((t) => t.includes('EXIT=0'), 10_000, 'a clean exit');
    const left = spawnSync('pgrep', ['-f', marker], { encoding: 'utf8' }).stdout.trim();
    // Only tmux's own command line may still mention it (it holds the pane).
    const tracees = left
      .split('\n')
      .filter(Boolean)
      .filter((pid) => !/tmux|EXIT=/.test(spawnSync('ps', ['-o', 'args=', '-p', pid], { encoding: 'utf8' }).stdout));
    expect(tracees).toEqual([]);
  });
});
