/**
 * `-p` attaches like strace: the one thread named (a tid) without -f, every thread of its
 * process with -f; Ctrl-C detaches and leaves all of them running. The child is a two-thread
 * program whose threads make different syscalls: main getpid, worker getppid.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OSLENS, skipUnlessCapable } from '../helpers/env.js';
import { compileC } from '../helpers/cc.js';

const SOURCE = String.raw`
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
static void say(const char *who, unsigned long n) {
  char line[64];
  int len = snprintf(line, sizeof line, "%s %ld %lu\n", who, (long)syscall(SYS_gettid), n);
  (void)!write(1, line, (size_t)len);
}
static void *worker(void *arg) {
  (void)arg;
  struct timespec ts = {0, 20 * 1000 * 1000};
  for (unsigned long n = 0;; n++) {
    syscall(SYS_getppid);
    say("W", n);
    syscall(SYS_nanosleep, &ts, NULL);
  }
  return NULL;
}
int main(void) {
  pthread_t th;
  pthread_create(&th, NULL, worker, NULL);
  struct timespec ts = {0, 20 * 1000 * 1000};
  for (unsigned long n = 0;; n++) {
    syscall(SYS_getpid);
    say("M", n);
    syscall(SYS_nanosleep, &ts, NULL);
  }
}
`;

let bin = '';
let strace = true;
let remove = () => {};

beforeAll(() => {
  strace = spawnSync('strace', ['-V']).status === 0;
  ({ bin, remove } = compileC('two-threads', SOURCE, ['-pthread']));
});
afterAll(() => remove());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The running child: its tids and how far each thread has counted. */
interface Child {
  proc: ChildProcess;
  main: number;
  worker: number;
  count: { M: number; W: number };
}

async function startChild(): Promise<Child> {
  const proc = spawn(bin, [], { stdio: ['ignore', 'pipe', 'ignore'] });
  const c: Child = { proc, main: 0, worker: 0, count: { M: -1, W: -1 } };
  let rest = '';
  proc.stdout!.on('data', (d: Buffer) => {
    const lines = (rest + d.toString()).split('\n');
    rest = lines.pop()!;
    for (const l of lines) {
      const [who, tid, n] = l.split(' ') as ['M' | 'W', string, string];
      if (who === 'M') c.main = Number(tid);
      else c.worker = Number(tid);
      c.count[who] = Number(n);
    }
  });
  for (let i = 0; i < 100 && (!c.main || !c.worker); i++) await sleep(20);
  expect(c.main).toBe(proc.pid);
  expect(c.worker).toBeGreaterThan(0);
  return c;
}

/** Runs `tool ...args` for about `ms` (until `until` matches, at least 1 s), then Ctrl-C. */
async function runFor(
  tool: string,
  args: string[],
  ms: number,
  until: RegExp[],
): Promise<{ code: number | null; err: string }> {
  const p = spawn(tool, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  p.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const t0 = Date.now();
  while (Date.now() - t0 < 5000 && (Date.now() - t0 < ms || !until.every((r) => r.test(err)))) await sleep(50);
  p.kill('SIGINT');
  const code = await new Promise<number | null>((r) => p.on('exit', (c) => r(c)));
  return { code, err };
}

const oslensArgs = (args: string[]) => [OSLENS, 'trace', ...args];

/** After the tracer is gone: every thread is untraced, not stopped, and still counting. */
async function expectRunningUntraced(c: Child): Promise<void> {
  const before = { ...c.count };
  await sleep(300);
  expect(c.count.M).toBeGreaterThan(before.M + 3);
  expect(c.count.W).toBeGreaterThan(before.W + 3);
  for (const tid of [c.main, c.worker]) {
    const status = readFileSync(`/proc/${c.main}/task/${tid}/status`, 'utf8');
    expect(status).toMatch(/^TracerPid:\s+0$/m);
    expect(status).toMatch(/^State:\s+[RS]/m);
  }
}

describe('oslens trace -p on a multi-threaded process (strace semantics)', () => {
  it('-p PID without -f attaches only that thread; the process keeps running after', async () => {
    const c = await startChild();
    try {
      const r = await runFor(process.execPath, oslensArgs(['-p', String(c.main)]), 1000, [/getpid\(\)/]);
      expect(r.code, r.err).toBe(130); // Ctrl-C: strace re-raises SIGINT, a shell sees 130
      expect(r.err).toMatch(new RegExp(`^oslens: Process ${c.main} attached$`, 'm'));
      expect(r.err).not.toMatch(new RegExp(`Process ${c.worker} attached`));
      expect(r.err).toMatch(new RegExp(`^getpid\\(\\) += ${c.main}$`, 'm'));
      expect(r.err).toMatch(/^write\(1, "M /m);
      // Nothing of the worker: neither its syscalls nor its writes, and no [pid N] prefixes.
      expect(r.err).not.toMatch(/getppid/);
      expect(r.err).not.toMatch(/"W /);
      expect(r.err).not.toMatch(/\[pid /);
      expect(r.err).toMatch(new RegExp(`^oslens: Process ${c.main} detached$`, 'm'));
      await expectRunningUntraced(c);
    } finally {
      c.proc.kill('SIGKILL');
    }
  });

  it('-p TID of a non-main thread attaches that thread alone', async () => {
    const c = await startChild();
    try {
      const r = await runFor(process.execPath, oslensArgs(['-p', String(c.worker)]), 1000, [/getppid\(\)/]);
      expect(r.code, r.err).toBe(130); // Ctrl-C: strace re-raises SIGINT, a shell sees 130
      expect(r.err).toMatch(new RegExp(`^getppid\\(\\) += \\d+$`, 'm'));
      expect(r.err).not.toMatch(/getpid\(\)/);
      expect(r.err).not.toMatch(/"M /);
      await expectRunningUntraced(c);
    } finally {
      c.proc.kill('SIGKILL');
    }
  });

  it('-f -p PID attaches every thread; lines carry the tid that made the call', async () => {
    const c = await startChild();
    try {
      const r = await runFor(process.execPath, oslensArgs(['-f', '-p', String(c.main)]), 1000, [
        /getpid\(\)/,
        /getppid\(\)/,
      ]);
      expect(r.code, r.err).toBe(130); // Ctrl-C: strace re-raises SIGINT, a shell sees 130
      expect(r.err).toMatch(new RegExp(`^oslens: Process ${c.main} attached$`, 'm'));
      expect(r.err).toMatch(new RegExp(`^oslens: Process ${c.worker} attached$`, 'm'));
      expect(r.err).toMatch(new RegExp(`^\\[pid +${c.main}\\] getpid\\(\\) += ${c.main}$`, 'm'));
      expect(r.err).toMatch(new RegExp(`^\\[pid +${c.worker}\\] getppid\\(\\) += \\d+$`, 'm'));
      // Each call on its own thread only.
      const tidsOf = (call: string) =>
        new Set([...r.err.matchAll(new RegExp(`^\\[pid +(\\d+)\\] ${call}\\(`, 'gm'))].map((m) => Number(m[1])));
      expect([...tidsOf('getpid')]).toEqual([c.main]);
      expect([...tidsOf('getppid')]).toEqual([c.worker]);
      expect(r.err).toMatch(new RegExp(`^oslens: Process ${c.worker} detached$`, 'm'));
      await expectRunningUntraced(c);
    } finally {
      c.proc.kill('SIGKILL');
    }
  });

  it('strace agrees: -p alone sees the main thread only, -f -p both', async (ctx) => {
    if (!strace) skipUnlessCapable(ctx.skip, 'strace is not installed');
    const c = await startChild();
    try {
      const one = await runFor('strace', ['-p', String(c.main)], 1000, [/getpid\(\)/]);
      expect(one.err).toMatch(/^getpid\(\) += \d+$/m);
      expect(one.err).not.toMatch(/getppid/);
      const all = await runFor('strace', ['-f', '-p', String(c.main)], 1000, [/getpid\(\)/, /getppid\(\)/]);
      expect(all.err).toMatch(new RegExp(`^\\[pid +${c.worker}\\] getppid\\(\\)`, 'm'));
      await expectRunningUntraced(c);
    } finally {
      c.proc.kill('SIGKILL');
    }
  });
});
