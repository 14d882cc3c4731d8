/**
 * strace's framing of lines, with strace as the oracle: each case runs a real program under
 * `strace -o` and `oslens trace -o` with the same flags and compares whole lines after
 * normalising only run-dependent values (scripts/fidelity/normalise.mjs: pids by task, addresses,
 * clock readings; the spaces before ` = ` become one once their column is checked, a line padded
 * otherwise is marked `!pad`). What is checked: ` = ` at column 40 (with pid prefixes and timestamps), the
 * pid prefix of -f -o on every line, umask's octal, the call in flight when a task dies or is
 * detached, restart_syscall, and SIGCHLD's siginfo.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain ES module of the fidelity benchmark, without type declarations
import { normaliseTrace } from '../../scripts/fidelity/normalise.mjs';
import { compileC } from '../helpers/cc.js';
import { OSLENS, skipUnlessCapable } from '../helpers/env.js';

type Tasks = Map<string, { norm: string; raw: string }[]>;
type Tracer = 'strace' | 'oslens';

const dir = mkdtempSync(join(tmpdir(), 'oslens-render-format-'));
let haveStrace = true;
beforeAll(() => {
  haveStrace = spawnSync('strace', ['-V']).status === 0;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The children of pid running `comm` (from /proc), to signal the traced program. */
function childrenOf(pid: number, comm: string): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (name === comm && Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(d));
    } catch {
      // gone
    }
  }
  return out;
}

/** The traced program: the tracer's child once it runs `comm` (strace forks probes first). */
async function waitForChild(pid: number, comm: string): Promise<number> {
  for (let i = 0; i < 500; i++) {
    const c = childrenOf(pid, comm);
    if (c.length > 0) return c[0]!;
    await sleep(20);
  }
  throw new Error(`no child of ${pid} runs ${comm}`);
}

/** Waits until pid is ptraced (TracerPid in /proc/PID/status). */
async function waitTraced(pid: number): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (!/^TracerPid:\s*0$/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'))) return;
    await sleep(20);
  }
  throw new Error(`${pid} was never traced`);
}

async function trace(
  tracer: Tracer,
  args: string[],
  during?: (tracerPid: number, child: number) => Promise<void>,
): Promise<Tasks> {
  const file = join(dir, `${tracer}.txt`);
  rmSync(file, { force: true });
  const [cmd, argv] =
    tracer === 'strace'
      ? ['strace', ['-o', file, ...args]]
      : [process.execPath, [OSLENS, 'trace', '-o', file, ...args]];
  const p = spawn(cmd, argv, { stdio: 'ignore', cwd: dir });
  const done = new Promise<void>((resolve) => p.once('exit', () => resolve()));
  const comm = basename(args[args.indexOf('--') + 1] ?? '').slice(0, 15);
  if (during) await during(p.pid!, args.includes('-p') ? 0 : await waitForChild(p.pid!, comm));
  await done;
  const follow = args.includes('-f');
  return normaliseTrace(readFileSync(file, 'utf8'), { follow, tracerPid: p.pid });
}

async function both(
  args: string[],
  during?: (tracerPid: number, child: number) => Promise<void>,
): Promise<Record<Tracer, Tasks>> {
  return { strace: await trace('strace', args, during), oslens: await trace('oslens', args, during) };
}

const lines = (t: Tasks, task = '1') => (t.get(task) ?? []).map((l) => l.norm);
const matching = (t: Tasks, re: RegExp, task = '1') => lines(t, task).filter((l) => re.test(l));

function needStrace(skip: (note?: string) => void): void {
  if (!haveStrace) skipUnlessCapable(skip, 'strace is not installed');
}

describe('trace output framed as strace frames it', () => {
  it('pads ` = ` to column 40, without and with -f -o (pid on every line of one task)', async (ctx) => {
    needStrace(ctx.skip);
    for (const flags of [[], ['-f']]) {
      const r = await both([...flags, '--', 'cat', '/etc/hostname']);
      const simple = /^(close|read|write|exit_group|access|brk|munmap|lseek)\(/;
      const s = lines(r.strace).filter((l) => simple.test(l));
      expect(s.length).toBeGreaterThan(5);
      expect(lines(r.oslens).filter((l) => simple.test(l.replace(/^!prefix /, '')))).toEqual(s);
      // The execve line, the very first, carries the prefix too (no `!prefix` mark).
      expect(lines(r.oslens)[0]).toBe(lines(r.strace)[0]);
    }
  });

  it('on a terminal, prefixes `[pid N] ` only while two tasks are traced', (ctx) => {
    needStrace(ctx.skip);
    const cmd = ['-f', '--', 'sh', '-c', '/bin/true & wait; echo x'];
    const shapes = (stderr: string) =>
      new Set(
        stderr
          .split('\n')
          .filter((l) => !/^(strace|oslens): /.test(l) && l !== '')
          .map((l) => {
            const m = /^(\[pid +\d+\] )?(\+\+\+|---|<\.\.\. \w+ resumed>|\w+)/.exec(l);
            return m ? `${m[1] ? '[pid] ' : ''}${m[2]}` : `other: ${l}`;
          }),
      );
    const s = shapes(spawnSync('strace', cmd, { encoding: 'utf8', cwd: dir }).stderr);
    const o = shapes(spawnSync(process.execPath, [OSLENS, 'trace', ...cmd], { encoding: 'utf8', cwd: dir }).stderr);
    // The first execve (one task), the child's exit (two), the parent's last write and exit
    // (the child reaped: one again).
    for (const shape of ['execve', '[pid] exit_group', '[pid] +++', 'write', 'exit_group', '+++'])
      expect(s.has(shape), shape).toBe(true);
    for (const shape of ['execve', '[pid] exit_group', '[pid] +++', 'write', 'exit_group', '+++'])
      expect(o.has(shape), shape).toBe(true);
    expect(o.has('[pid] write')).toBe(s.has('[pid] write'));
  });

  it('counts -tt timestamps and -T durations in the column as strace does', async (ctx) => {
    needStrace(ctx.skip);
    const r = await both(['-f', '-tt', '-T', '--', 'cat', '/etc/hostname']);
    const shape = (l: string) =>
      l.replace(/^\d\d:\d\d:\d\d\.\d{6} /, 'HH:MM:SS.UUUUUU ').replace(/ <\d+\.\d{6}>$/, ' <T>');
    const close = (t: Tasks) => matching(t, /^\S+ close\(/).map(shape);
    expect(close(r.strace).length).toBeGreaterThan(2);
    expect(close(r.oslens)).toEqual(close(r.strace));
  });

  it("escapes bytes as strace's string_quote does (octal, 3 digits before a digit; getrandom in hex)", async (ctx) => {
    needStrace(ctx.skip);
    // Every byte value, each also followed by an octal digit, a quote, a backslash, C escapes.
    const bytes: number[] = [];
    for (let b = 0; b < 256; b++) bytes.push(b, 0x37, b, 0x38);
    writeFileSync(join(dir, 'bytes.bin'), Buffer.concat([Buffer.from(bytes), Buffer.from('"\\\t\n\r\v\f\x00\x001')]));
    const r = await both(['-s', '2000', '--', 'cat', 'bytes.bin']);
    const io = (t: Tasks) => matching(t, /^(read|write)\(\d+, "/);
    expect(io(r.strace).filter((l) => l.includes('"\\0007\\08\\0017\\18')).length).toBe(2); // read and write of the file
    expect(io(r.oslens)).toEqual(io(r.strace));
    const random = (t: Tasks) =>
      lines(t)
        .filter((l) => l.startsWith('getrandom('))
        .map((l) => /^getrandom\(("[^"]*")/.exec(l)![1]);
    const raw = (tasks: Tasks) => [...tasks.values()].flat().filter((l) => l.raw.startsWith('getrandom('));
    expect(raw(r.strace).length).toBeGreaterThan(0);
    for (const l of [...raw(r.strace), ...raw(r.oslens)]) expect(l.raw).toMatch(/^getrandom\("(\\x[0-9a-f]{2})+", /);
    expect(random(r.oslens)).toEqual(random(r.strace));
  });

  it('prints strings in hex as strace -x (non-ASCII ones) and -xx (all) do', async (ctx) => {
    needStrace(ctx.skip);
    writeFileSync(join(dir, 'mixed.txt'), 'ab\ncd\x01e\n');
    writeFileSync(join(dir, 'plain.txt'), 'plain\ttext\n');
    for (const x of ['-x', '-xx']) {
      const r = await both([x, '--', 'cat', 'mixed.txt', 'plain.txt']);
      const io = (t: Tasks) => matching(t, /^(read|write|openat|execve)\(/);
      const s = io(r.strace);
      expect(s).toContain(
        x === '-x'
          ? 'read(3, "\\x61\\x62\\x0a\\x63\\x64\\x01\\x65\\x0a", 131072) = 8'
          : 'read(3, "\\x70\\x6c\\x61\\x69\\x6e\\x09\\x74\\x65\\x78\\x74\\x0a", 131072) = 11',
      );
      expect(io(r.oslens)).toEqual(s);
    }
  });

  it('prints umask in octal, argument and return value', async (ctx) => {
    needStrace(ctx.skip);
    const r = await both(['--', 'sh', '-c', 'umask 077; umask; umask 0'], undefined);
    const s = matching(r.strace, /^umask\(/);
    expect(s).toContain('umask(077) = 022');
    expect(matching(r.oslens, /^umask\(/)).toEqual(s);
  });

  it('ends the call of a killed task as strace does (`... <unfinished ...>) = ?`, +++ killed +++)', async (ctx) => {
    needStrace(ctx.skip);
    const r = await both(['--', 'sleep', '5'], async (_t, child) => {
      await sleep(300);
      process.kill(child, 'SIGKILL');
    });
    const tail = (t: Tasks) => lines(t).slice(-2);
    expect(tail(r.strace)).toEqual([
      'clock_nanosleep(CLOCK_REALTIME, 0, {tv_sec=5, tv_nsec=N},  <unfinished ...>) = ?',
      '+++ killed by SIGKILL +++',
    ]);
    expect(tail(r.oslens)).toEqual(tail(r.strace));
  });

  it('ends the call of a thread ended by exit_group, and SIGCHLD carries si_status as a signal name', async (ctx) => {
    needStrace(ctx.skip);
    const prog = compileC(
      'pause-thread',
      `#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>
static void *run(void *a) { (void)a; pause(); return 0; }
int main(void) { pthread_t t; pthread_create(&t, 0, run, 0); usleep(100000); exit(3); }`,
      ['-pthread'],
    );
    try {
      const r = await both(['-f', '--', prog.bin]);
      // The thread's last line: its pause, ended (joined if strace split it), then its exit.
      const thread = (t: Tasks) => lines(t, '1.1').slice(-2);
      expect(thread(r.strace)).toEqual(['pause() = ?', '+++ exited with 3 +++']);
      expect(thread(r.oslens)).toEqual(thread(r.strace));
    } finally {
      prog.remove();
    }
    const k = await both(['-f', '--', 'sh', '-c', 'sleep 5 & sleep 0.3; kill -9 $!; wait']);
    const chld = (t: Tasks) => matching(t, /^--- SIGCHLD .*CLD_KILLED/);
    expect(chld(k.strace)).toEqual([
      '--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_KILLED, si_pid=1.1, si_uid=0, si_status=SIGKILL, si_utime=N, si_stime=N} ---',
    ]);
    expect(chld(k.oslens)).toEqual(chld(k.strace));
    const killed = (t: Tasks) => lines(t, '1.1').slice(-2);
    expect(killed(k.oslens)).toEqual(killed(k.strace));
  });

  it('prints restart_syscall with the call it resumes, after SIGSTOP/SIGCONT', async (ctx) => {
    needStrace(ctx.skip);
    const r = await both(['--', 'sleep', '2'], async (_t, child) => {
      await sleep(400);
      process.kill(child, 'SIGSTOP');
      await sleep(100);
      process.kill(child, 'SIGCONT');
    });
    const around = (t: Tasks) => {
      const l = lines(t);
      const i = l.findIndex((x) => x.startsWith('restart_syscall('));
      // From the signal on (clock_nanosleep's remaining time is the decoder's, not framing).
      return l.slice(i - 3, i + 1);
    };
    expect(around(r.strace).at(-1)).toBe('restart_syscall(<... resuming interrupted clock_nanosleep ...>) = 0');
    expect(around(r.oslens)).toEqual(around(r.strace));
  });

  it('ends the call in flight at detach with ` <detached ...>` (-p, then SIGINT)', async (ctx) => {
    needStrace(ctx.skip);
    const target = spawn('sleep', ['6'], { stdio: 'ignore' });
    try {
      await sleep(100);
      const out: Record<string, string[]> = {};
      for (const tracer of ['strace', 'oslens'] as const) {
        const t = await trace(tracer, ['-p', String(target.pid)], async (tracerPid) => {
          await waitTraced(target.pid!);
          await sleep(200);
          process.kill(tracerPid, 'SIGINT');
        });
        out[tracer] = lines(t);
      }
      expect(out.strace).toEqual(['restart_syscall(<... resuming interrupted read ...> <detached ...>']);
      expect(out.oslens).toEqual(out.strace);
    } finally {
      target.kill('SIGKILL');
    }
  });
});
