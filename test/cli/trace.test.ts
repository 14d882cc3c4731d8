import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OSLENS, ROOT, oslens } from '../helpers/env.js';

const dir = mkdtempSync(join(tmpdir(), 'oslens-trace-cli-'));
const counterBin = join(dir, 'counter');
beforeAll(() => {
  execFileSync('gcc', ['-O1', '-o', counterBin, join(ROOT, 'test/fixtures/trace/counter.c')]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const procState = (pid: number) => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[0];

describe('oslens trace (CLI)', () => {
  it('prints strace-style lines and exits with the command status', () => {
    const r = oslens(['trace', '--', '/bin/sh', '-c', 'cat /nonexistent-oslens; exit 7']);
    expect(r.status).toBe(7);
    expect(r.stderr).toMatch(
      /^execve\("\/bin\/sh", \["\/bin\/sh", "-c", "cat \/nonexistent-oslens; exit 7"\], 0x[0-9a-f]+ \/\* \d+ vars \*\/\) = 0$/m,
    );
    expect(r.stderr).toMatch(/\+\+\+ exited with 7 \+\+\+/);
  });

  it('reports a command killed by a signal as strace does', () => {
    const r = oslens(['trace', '-e', 'trace=kill', '--', '/bin/sh', '-c', 'kill -9 $$']);
    expect(r.stderr).toMatch(/\+\+\+ killed by SIGKILL \+\+\+/);
    expect(r.status).toBe(137);
  });

  it('-c prints the summary table; -e filters with names, classes and models', () => {
    const r = oslens(['trace', '-c', '-f', '--', '/bin/true']);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/% time +seconds +usecs\/call +calls +errors syscall/);
    expect(r.stderr).toMatch(/ total\n$/);
    const f = oslens(['trace', '-e', 'trace=%file,model:virtual-memory', '--', '/bin/true']);
    const names = new Set(
      f.stderr
        .split('\n')
        .map((l) => /^(\w+)\(/.exec(l)?.[1])
        .filter(Boolean),
    );
    expect(
      [...names].every((n) =>
        ['openat', 'access', 'newfstatat', 'execve', 'mmap', 'munmap', 'mprotect', 'brk'].includes(n!),
      ),
    ).toBe(true);
    expect(names.has('mmap')).toBe(true);
    expect(names.has('openat')).toBe(true);
  });

  it('--json prints typed records and a final summary', () => {
    const r = oslens(['trace', '--json', '-e', 'trace=openat', '--', '/bin/true']);
    const recs = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const open = recs.find((x) => x.type === 'syscall');
    expect(open).toMatchObject({ name: 'openat', nr: 257, model: 'file-descriptor', errno: null });
    expect(open.args[1].text).toBe('"/etc/ld.so.cache"');
    expect(open.raw).toHaveLength(6);
    expect(open.end).toBeGreaterThanOrEqual(open.start);
    expect(recs.at(-1)).toMatchObject({ type: 'summary' });
    expect(recs.at(-1).syscalls[0]).toMatchObject({ name: 'openat' });
  });

  it('bad input: unknown syscall, missing pid, command not found', () => {
    const e = oslens(['trace', '-e', 'trace=openat,frobnicate', '--', '/bin/true']);
    expect(e.status).toBe(2);
    expect(e.stderr.trim()).toBe("oslens: -e trace=openat,frobnicate: invalid syscall 'frobnicate'");
    const p = oslens(['trace', '-p', '4194000']);
    expect(p.status).toBe(3);
    expect(p.stderr).toMatch(/No such process/);
    const c = oslens(['trace', '--', 'no-such-command-oslens']);
    expect(c.status).toBe(127);
    expect(c.stderr.trim()).toBe("oslens: Can't stat 'no-such-command-oslens': No such file or directory");
  });

  it('-p then Ctrl-C detaches and leaves the process running, not stopped', async () => {
    const counter = spawn(counterBin, [], { stdio: ['ignore', 'pipe', 'ignore'] });
    let last = 0;
    counter.stdout.on('data', (d: Buffer) => {
      const n = d.toString().trim().split('\n').at(-1);
      if (n) last = Number(n);
    });
    try {
      await sleep(200);
      const tracer = spawn(process.execPath, [OSLENS, 'trace', '-p', String(counter.pid)], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let err = '';
      tracer.stderr.on('data', (d: Buffer) => (err += d.toString()));
      for (let i = 0; i < 100 && !/nanosleep\(/.test(err); i++) await sleep(50);
      expect(err).toMatch(/nanosleep\(/);
      tracer.kill('SIGINT');
      const code = await new Promise<number | null>((r) => tracer.on('exit', (c) => r(c)));
      expect(code, err).toBe(130); // as strace: a shell sees 130 after Ctrl-C
      expect(err).toMatch(/detached/);
      const before = last;
      await sleep(300);
      expect(last).toBeGreaterThan(before + 3);
      expect(procState(counter.pid!)).not.toBe('t');
      expect(procState(counter.pid!)).not.toBe('T');
      const status = readFileSync(`/proc/${counter.pid}/status`, 'utf8');
      expect(status).toMatch(/^TracerPid:\s+0$/m);
    } finally {
      counter.kill('SIGKILL');
    }
  });
});
