/**
 * Every demo runs on this machine and leaves nothing behind: no scratch files, helper
 * processes, cgroups or mounts - also when interrupted with SIGINT half way.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseMountinfo, mountOf } from '../../src/demos/mounts.js';
import { HELPER } from '../../src/demos/helper.js';
import { IN_CI, OSLENS, oslens } from '../helpers/env.js';

interface Result {
  id: string;
  status: 'done' | 'skipped';
  reason?: string;
  holds: boolean | null;
  inconclusive?: boolean;
  measurements: Array<{ label: string; value: number | string }>;
}

function leftovers(): string[] {
  const found: string[] = [];
  for (const dir of ['/tmp', '/var/tmp']) {
    if (existsSync(dir))
      found.push(
        ...readdirSync(dir)
          .filter((f) => f.startsWith('oslens-demo-'))
          .map((f) => `${dir}/${f}`),
      );
  }
  for (const cg of [
    '/sys/fs/cgroup',
    '/sys/fs/cgroup/cpu',
    '/sys/fs/cgroup/memory',
    '/sys/fs/cgroup/freezer',
    '/sys/fs/cgroup/unified',
  ]) {
    if (existsSync(cg))
      found.push(
        ...readdirSync(cg)
          .filter((f) => f.startsWith('oslens-demo-'))
          .map((f) => `${cg}/${f}`),
      );
  }
  found.push(
    ...readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .filter((l) => l.includes('oslens-demo-')),
  );
  // This checkout's helper only: other checkouts on the machine may be running their own demos.
  const helpers = spawnSync('pgrep', ['-f', HELPER], { encoding: 'utf8' }).stdout.trim();
  if (helpers) found.push(`helper processes: ${helpers}`);
  return found;
}

describe('oslens demo', () => {
  it('--list names the thirteen demos (the ten mistakes, load-d, sigterm, oom); --json too', () => {
    const r = oslens(['demo', '--list', '--json']);
    expect(r.status).toBe(0);
    const list = JSON.parse(r.stdout) as Array<{ id: string; claim: string }>;
    expect(list).toHaveLength(13);
    expect(oslens(['demo', '--list']).stdout).toContain('fork-cow');
  });

  it('runs every demo, reports a result beside the claim, and cleans up', () => {
    expect(leftovers()).toEqual([]);
    const r = oslens(['demo', 'all', '--quick', '--json'], { timeout: 300_000 });
    expect(r.status, r.stderr).toBe(0);
    const results = JSON.parse(r.stdout) as Result[];
    expect(results.map((x) => x.id)).toHaveLength(13);
    for (const x of results) {
      if (x.status === 'skipped') {
        expect(x.reason, x.id).toBeTruthy();
        // CI runs as root on a real kernel: nothing may skip there.
        if (IN_CI) throw new Error(`demo ${x.id} skipped under CI: ${x.reason}`);
        continue;
      }
      expect(x.measurements.length, x.id).toBeGreaterThan(0);
      // A verdict, or "inconclusive" (then holds is null) when the trials' spread cannot tell.
      if (x.inconclusive) expect(x.holds, x.id).toBeNull();
      else expect(typeof x.holds, x.id).toBe('boolean');
    }
    // The robust claims must hold on any Linux machine.
    for (const id of ['fork-cow', 'thread-crash', 'e2big', 'event-loop-block', 'sigterm', 'oom']) {
      expect(results.find((x) => x.id === id)?.holds, id).toBe(true);
    }
    expect(leftovers()).toEqual([]);
  });

  for (const [id, afterMs] of [
    ['cpu-throttle', 300],
    ['mmap-vs-read', 50],
    ['tmpfs-ram', 0],
    ['event-loop-block', 100],
    ['load-d', 500],
    ['sigterm', 200],
    ['oom', 0],
  ] as const) {
    it(`cleans up when interrupted: ${id}`, async () => {
      const child = spawn(process.execPath, [OSLENS, 'demo', id], { stdio: ['ignore', 'pipe', 'pipe'] });
      let err = '';
      // Interrupt once the demo has started creating things (its first progress line).
      await new Promise<void>((resolve) => {
        child.stderr.on('data', (d: Buffer) => {
          err += d.toString();
          if (err.includes('..')) resolve();
        });
        child.on('close', () => resolve());
      });
      await new Promise((r) => setTimeout(r, afterMs));
      child.kill('SIGINT');
      const code = await new Promise<number | null>((r) => child.on('close', (c) => r(c)));
      // Interrupted (130), or it had already finished (0); both must leave nothing.
      expect([0, 130], err).toContain(code);
      expect(leftovers()).toEqual([]);
    });
  }

  it('load-d: its tasks are in D, use no CPU, and are gone afterwards', async () => {
    const child = spawn(process.execPath, [OSLENS, 'demo', 'load-d', '--quick', '--json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    // While it runs, the helpers it started are in D and `why` says why.
    let holders: number[] = [];
    for (let i = 0; i < 100 && holders.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const ps = spawnSync('pgrep', ['-f', `${HELPER} vfork-hold`], { encoding: 'utf8' }).stdout.trim();
      const main = Number(ps.split('\n')[0]);
      if (main)
        holders = spawnSync('pgrep', ['-P', String(main)], { encoding: 'utf8' })
          .stdout.trim()
          .split('\n')
          .map(Number)
          .filter(Boolean);
    }
    expect(holders.length).toBe(10);
    await new Promise((r) => setTimeout(r, 300));
    const states = holders.map((p) => readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]![0]);
    expect(
      states.every((s) => s === 'D'),
      states.join(''),
    ).toBe(true);
    const why = oslens(['why', String(holders[0])]);
    expect(why.stdout).toMatch(/vfork/);
    const load = oslens(['why', '--load']);
    expect(load.stdout).toContain(`D  ${holders[0]}/${holders[0]}`);
    const code = await new Promise<number | null>((r) => child.on('close', (c) => r(c)));
    expect(code).toBe(0);
    const r = JSON.parse(out) as Result;
    expect(r.measurements.find((m) => m.label === 'of them still in D at the end')?.value).toBe(10);
    expect(r.measurements.find((m) => m.label === 'CPU time they used')?.value).toBeLessThan(0.1);
    expect(leftovers()).toEqual([]);
  });

  it('sigterm: each helper survives SIGTERM for the reason its masks show; SIGKILL ends it', () => {
    const r = JSON.parse(oslens(['demo', 'sigterm', '--json'], { timeout: 60_000 }).stdout) as Result;
    expect(r.holds).toBe(true);
    const value = (label: string) => String(r.measurements.find((m) => m.label.startsWith(label))?.value);
    expect(value('ignored')).toMatch(/bit in SigIgn.*after SIGTERM: alive.*SIGKILL: ended it/);
    expect(value('blocked')).toMatch(/bit in SigBlk.*alive \(S, bit in SigBlk,ShdPnd\)/);
    expect(value('handled (')).toMatch(/bit in SigCgt.*after SIGTERM: alive/);
    expect(value('handled, while in D')).toMatch(/state D.*alive \(D.*SIGKILL: ended it/);
    expect(leftovers()).toEqual([]);
  });

  it('oom: the helper is OOM-killed at the cgroup limit, counted, and logged', (ctx) => {
    const r = JSON.parse(oslens(['demo', 'oom', '--json'], { timeout: 60_000 }).stdout) as Result;
    if (r.status === 'skipped') {
      if (IN_CI) throw new Error(`oom skipped under CI: ${r.reason}`);
      ctx.skip();
    }
    expect(r.holds).toBe(true);
    const value = (label: string) => r.measurements.find((m) => m.label.startsWith(label))?.value;
    expect(value('helper ended by')).toBe('SIGKILL');
    expect(value('oom_kill')).toBe('+1');
    expect(String(value('kernel log'))).toMatch(/Killed process \d+ \(oslens-demohelp\)/);
    expect(leftovers()).toEqual([]);
  });

  it('an unknown demo gets suggestions and exit 2', () => {
    const r = oslens(['demo', 'fork-cw']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('fork-cow');
  });
});

describe('mountinfo', () => {
  const text = [
    '22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw',
    '30 22 0:27 / /tmp rw,nosuid shared:9 - tmpfs tmpfs rw,size=1024k',
    '31 22 0:28 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu',
  ].join('\n');
  it('finds the filesystem of a path', () => {
    const m = parseMountinfo(text);
    expect(mountOf('/tmp/x', m)?.fsType).toBe('tmpfs');
    expect(mountOf('/tmpx', m)?.fsType).toBe('ext4');
    expect(mountOf('/var/tmp', m)?.fsType).toBe('ext4');
    expect(m[2]!.superOptions.split(',')).toContain('cpu');
  });
});
