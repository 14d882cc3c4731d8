/**
 * The eBPF streams lose nothing without saying so, and every count is exact: with a ring buffer
 * too small on purpose, received + lost = produced (counted in kernel, and known from programs
 * that make an exact number of calls); rt_sigreturn and exit_group are counted; more processes
 * than the per-process table holds are all accounted for. Real kernel, real programs (root).
 */
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { OSLENS, oslens, skipUnlessCapable } from '../helpers/env.js';
import { compileC, type CompiledC } from '../helpers/cc.js';

const ROOT = process.getuid?.() === 0;

const jsonLines = (text: string) =>
  text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

// N getppid() calls, then N opens of argv[2] (when given): exact, known counts.
const CALLS_C = `
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
int main(int argc, char **argv) {
  long n = atol(argv[1]);
  for (long i = 0; i < n; i++) getppid();
  if (argc > 2)
    for (long i = 0; i < n; i++) { int fd = open(argv[2], O_RDONLY); if (fd >= 0) close(fd); }
  return 0;
}`;

// N signals handled: N rt_sigreturn calls.
const SIGNALS_C = `
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>
static void on_usr1(int s) { (void)s; }
int main(int argc, char **argv) {
  long n = atol(argv[1]);
  signal(SIGUSR1, on_usr1);
  for (long i = 0; i < n; i++) raise(SIGUSR1);
  return 0;
}`;

// N children, one after the other, each exiting at once.
const FORKS_C = `
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
int main(int argc, char **argv) {
  long n = atol(argv[1]);
  for (long i = 0; i < n; i++) {
    pid_t p = fork();
    if (p == 0) _exit(0);
    if (p > 0) waitpid(p, 0, 0);
  }
  return 0;
}`;

interface Summary {
  type: 'summary';
  syscalls: { name: string; calls: number }[];
  lost: number;
}

describe('eBPF loss accounting and exact counts (real kernel)', () => {
  let calls: CompiledC, signals: CompiledC, forks: CompiledC;
  beforeAll(() => {
    calls = compileC('calls', CALLS_C);
    signals = compileC('signals', SIGNALS_C);
    forks = compileC('forks', FORKS_C);
  });
  afterAll(() => {
    calls?.remove();
    signals?.remove();
    forks?.remove();
  });

  it('trace --ebpf with a 4 KiB ring: records received + lost = records produced, and the table is exact', ({
    skip,
  }) => {
    if (!ROOT) skipUnlessCapable(skip, 'eBPF needs root');
    const n = 100_000;
    const file = join(tmpdir(), `oslens-loss-${process.pid}.jsonl`);
    try {
      const r = oslens(['trace', '--ebpf', '--json', '--buffer', '4K', '-o', file, '--', calls.bin, String(n)]);
      expect(r.status, r.stderr).toBe(0);
      const records = jsonLines(readFileSync(file, 'utf8'));
      const summary = records.at(-1) as unknown as Summary;
      expect(summary.type).toBe('summary');
      // The table comes from the kernel: exact whatever was lost.
      expect(summary.syscalls.find((s) => s.name === 'getppid')?.calls).toBe(n);
      expect(summary.lost).toBeGreaterThan(0);
      expect(r.stderr).toMatch(/trace: lost \d+ events/);
      const reported = [...r.stderr.matchAll(/trace: lost (\d+) events?/g)].reduce((s, m) => s + Number(m[1]), 0);
      expect(reported).toBe(summary.lost);
      // One kernel record per call (exit_group included) and per task exit.
      const produced = summary.syscalls.reduce((s, c) => s + c.calls, 0) + 1;
      const received = records.filter((e) => e.type === 'syscall' || e.type === 'exit').length;
      expect(received + summary.lost).toBe(produced);
    } finally {
      rmSync(file, { force: true });
    }
  });

  it('trace --ebpf delivers a 200,000-call burst complete to a file with the default ring', ({ skip }) => {
    if (!ROOT) skipUnlessCapable(skip, 'eBPF needs root');
    const n = 200_000;
    const file = join(tmpdir(), `oslens-burst-${process.pid}.jsonl`);
    try {
      const r = oslens(['trace', '--ebpf', '--json', '-o', file, '--', calls.bin, String(n)]);
      expect(r.status, r.stderr).toBe(0);
      const records = jsonLines(readFileSync(file, 'utf8'));
      const summary = records.at(-1) as unknown as Summary;
      const got = records.filter((e) => e.type === 'syscall' && e.name === 'getppid').length;
      expect(got / n).toBeGreaterThanOrEqual(0.999);
      expect(got + summary.lost).toBeGreaterThanOrEqual(n);
    } finally {
      rmSync(file, { force: true });
    }
  });

  it('snoop open with a 4 KiB ring: events received + lost = opens made', ({ skip }) => {
    if (!ROOT) skipUnlessCapable(skip, 'eBPF needs root');
    const n = 20_000;
    const path = '/etc/hostname';
    const run = (buffer: string) => {
      // Megabytes of JSON Lines: more than spawnSync keeps by default.
      const r = spawnSync(
        process.execPath,
        [OSLENS, 'snoop', 'open', '--json', '--buffer', buffer, '--', calls.bin, String(n), path],
        { encoding: 'utf8', maxBuffer: 256 << 20, timeout: 120_000 },
      );
      expect(r.status, r.stderr).toBe(0);
      const events = jsonLines(r.stdout);
      const summary = events.at(-1) as { type: string; events: number; lost: number };
      expect(summary.type).toBe('summary');
      const opens = events.filter((e) => e.type === 'open');
      expect(summary.events).toBe(opens.length);
      return { opens, lost: summary.lost, stderr: r.stderr };
    };
    // A roomy ring: nothing lost; that run tells how many opens the program makes in all.
    const full = run('64M');
    expect(full.lost).toBe(0);
    expect(full.opens.filter((e) => e.path === path).length).toBe(n);
    const small = run('4K');
    expect(small.lost).toBeGreaterThan(0);
    expect(small.stderr).toMatch(/snoop: lost \d+ events/);
    expect(small.opens.length + small.lost).toBe(full.opens.length);
  });

  it('syscount counts every rt_sigreturn and exit_group: per-syscall totals = per-process totals', ({ skip }) => {
    if (!ROOT) skipUnlessCapable(skip, 'eBPF needs root');
    const n = 5000;
    for (const mode of [[], ['-L']]) {
      const r = oslens(['syscount', '--json', ...mode, '--', signals.bin, String(n)]);
      expect(r.status, r.stderr).toBe(0);
      const doc = JSON.parse(r.stdout) as {
        syscalls: { name: string; count: number }[];
        processes: { count: number }[];
      };
      const count = (name: string) => doc.syscalls.find((s) => s.name === name)?.count;
      expect(count('rt_sigreturn'), mode.join()).toBe(n);
      expect(count('exit_group')).toBe(1);
      const bySyscall = doc.syscalls.reduce((s, c) => s + c.count, 0);
      const byProcess = doc.processes.reduce((s, p) => s + p.count, 0);
      expect(byProcess).toBe(bySyscall);
    }
  });

  it('syscount over more than 16,384 processes: every process and every call accounted for', ({ skip }) => {
    if (!ROOT) skipUnlessCapable(skip, 'eBPF needs root');
    const n = 17_000;
    const r = oslens(['syscount', '--json', '--', forks.bin, String(n)], { timeout: 300_000 });
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      syscalls: { name: string; count: number }[];
      processes: { pid: number; count: number; exited: boolean }[];
      unkept: { processes: number; calls: number };
    };
    // The parent and its n children, each counted once (exited processes leave the kernel table).
    expect(doc.processes.length + doc.unkept.processes).toBe(n + 1);
    const bySyscall = doc.syscalls.reduce((s, c) => s + c.count, 0);
    const byProcess = doc.processes.reduce((s, p) => s + p.count, 0);
    expect(byProcess + doc.unkept.calls).toBe(bySyscall);
    expect(doc.syscalls.find((s) => s.name === 'exit_group')?.count).toBe(n + 1);
    expect(doc.syscalls.find((s) => s.name === 'wait4')?.count).toBe(n);
  });
});

// Touches `depth` pages of stack, one frame per page: the stack grows down all the while.
const STACK_C = `
#include <stdlib.h>
#include <string.h>
static int deep(int n) {
  volatile char buf[4096];
  memset((char *)buf, n, sizeof buf);
  return n ? deep(n - 1) + buf[100] : 0;
}
int main(int argc, char **argv) { return deep(atoi(argv[1])) == 12345; }`;

describe('faults: rows by mapping identity, bounded under a fork loop (real kernel)', () => {
  it('a growing stack is one [stack] row holding its faults', ({ skip }) => {
    if (!ROOT) skipUnlessCapable(skip, 'eBPF needs root');
    const stack = compileC('stack', STACK_C);
    try {
      const depth = 1500;
      const r = oslens(['faults', '--json', '--', stack.bin, String(depth)]);
      expect(r.status, r.stderr).toBe(0);
      const doc = JSON.parse(r.stdout) as {
        processes: { comm: string; regions: { path: string; kind: string; faults: number }[] }[];
      };
      const p = doc.processes.find((x) => x.comm === 'stack');
      const stacks = p!.regions.filter((g) => g.kind === 'stack');
      expect(stacks).toHaveLength(1);
      expect(stacks[0]!.path).toBe('[stack]');
      expect(stacks[0]!.faults).toBeGreaterThanOrEqual(depth);
    } finally {
      stack.remove();
    }
  });

  it('faults --interval 0.2 over more processes than its tables hold: none lost, every one accounted for', ({
    skip,
  }) => {
    if (!ROOT) skipUnlessCapable(skip, 'eBPF needs root');
    const forks = compileC('forks', FORKS_C);
    try {
      const n = 17_000;
      const r = spawnSync(
        process.execPath,
        [OSLENS, 'faults', '--json', '--interval', '0.2', '--', forks.bin, String(n)],
        {
          encoding: 'utf8',
          maxBuffer: 512 << 20,
          timeout: 300_000,
        },
      );
      expect(r.status, r.stderr).toBe(0);
      const docs = jsonLines(r.stdout) as unknown as {
        processes: unknown[];
        unkept: { regionFaults: number; processFaults: number; foldedProcesses: number };
      }[];
      const last = docs.at(-1)!;
      // Exited processes leave the kernel tables, so they never fill up.
      expect(last.unkept.regionFaults).toBe(0);
      expect(last.unkept.processFaults).toBe(0);
      expect(last.processes.length + last.unkept.foldedProcesses).toBe(n + 1);
      // An interval lists what faulted in it, not everything since the start.
      const intervals = docs.slice(0, -1);
      expect(intervals.length).toBeGreaterThan(0);
      expect(Math.max(...intervals.map((d) => d.processes.length))).toBeLessThan(n / 2);
    } finally {
      forks.remove();
    }
  });
});
