/** The views without a TTY: periodic plain lines, --once snapshots, --json records. */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { oslens } from '../helpers/env.js';

describe('live views without a terminal', () => {
  it('top --once prints the system lines and a process table including this test', () => {
    const r = oslens(['top', '--once', '-d', '0.3', '-n', '500', '--no-ebpf']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/cpu \d+\.\d%.*ctxsw\/s .*faults\/s minor/);
    expect(r.stdout).toMatch(/^cpu0 /m);
    expect(r.stdout).toContain('PID USER');
    expect(r.stdout).toMatch(new RegExp(`^\\s+${process.pid} `, 'm'));
  });

  it('top --json streams one record per refresh', () => {
    const r = oslens(['top', '--json', '--once', '-d', '0.3', '--no-ebpf']);
    expect(r.status).toBe(0);
    const rec = JSON.parse(r.stdout.trim().split('\n')[0] as string);
    expect(rec.system.cpus.length).toBeGreaterThan(0);
    expect(rec.processes.some((p: { pid: number }) => p.pid === process.pid)).toBe(true);
  });

  it('watch prints periodic lines and stops when the process exits', async () => {
    // Long enough to outlive oslens's start-up on a busy machine.
    const sleeper = spawn('sleep', ['3']);
    const r = await new Promise<string>((resolve) => {
      const w = spawn(process.execPath, ['bin/oslens', 'watch', String(sleeper.pid), '-d', '0.3', '--no-ebpf']);
      let out = '';
      w.stdout.on('data', (d) => (out += d));
      w.on('exit', () => resolve(out));
    });
    expect(r).toMatch(new RegExp(`pid ${sleeper.pid} sleep S rss `));
    expect(r).toContain(`process ${sleeper.pid} exited`);
  });

  it('watch of a process that exits around the first refresh ends with a line, never a stack trace', async () => {
    for (const life of ['0.05', '0.3', '0.6']) {
      const short = spawn('sleep', [life]);
      const r = await new Promise<{ out: string; err: string; code: number | null }>((resolve) => {
        const w = spawn(process.execPath, ['bin/oslens', 'watch', String(short.pid), '-d', '0.3', '--no-ebpf']);
        let out = '';
        let err = '';
        w.stdout.on('data', (d) => (out += d));
        w.stderr.on('data', (d) => (err += d));
        w.on('exit', (code) => resolve({ out, err, code }));
      });
      expect(r.err, life).not.toMatch(/^\s+at /m);
      expect([0, 3], life).toContain(r.code);
      // Gone before oslens read anything of it: "no such process"; after: "exited".
      expect(r.out + r.err, life).toMatch(new RegExp(`(process ${short.pid} exited|no such process ${short.pid} )`));
    }
  });

  it('watch --once --json gives the regions with RSS', () => {
    const r = oslens(['watch', String(process.pid), '--once', '--json', '-d', '0.2', '--no-ebpf']);
    expect(r.status).toBe(0);
    const rec = JSON.parse(r.stdout);
    expect(rec.regions.some((x: { path: string; rss: number }) => x.path === '[heap]' || x.rss > 0)).toBe(true);
    expect(rec.history).toBeUndefined();
  });

  it('-d is checked', () => {
    const r = oslens(['top', '-d', '0', '--once']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('refresh interval');
  });
});
