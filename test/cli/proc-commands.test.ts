import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, onTestFinished } from 'vitest';
import pidusage from 'pidusage';
import { OSLENS, oslens, skipUnlessCapable } from '../helpers/env.js';
import { killChildren, procState, startChild, until, waitForOutput } from '../proc/children.js';
import { asNobody, canSwitchToNobody } from '../helpers/unprivileged.js';

afterEach(killChildren);
const scratch = mkdtempSync(join(tmpdir(), 'oslens-proc-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const MiB = 2 ** 20;

function json<T>(args: string[]): T {
  const r = oslens(args);
  expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  return JSON.parse(r.stdout) as T;
}

function expectOneLineError(r: ReturnType<typeof oslens>, status: number, pattern: RegExp): void {
  expect(r.status, r.stderr).toBe(status);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(/^oslens: /);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/);
}

interface MapsDoc {
  pid: number;
  regions: {
    start: number;
    end: number;
    perms: string;
    offset: number;
    path: string;
    kind: string;
    size: number;
    rss: number;
    pss: number;
    swap: number;
    dirty: number;
    pages: { present: number; swapped: number } | null;
  }[];
  totals: { size: number; rss: number; pss: number; swap: number; dirty: number };
  rollup: { rss: number; pss: number } | null;
}

/** A node child with a 64 MiB anonymous buffer of which it touched the first 24 MiB. */
async function startToucher(): Promise<number> {
  const code = `const b = Buffer.alloc(64 * 2 ** 20); b.fill(1, 0, 24 * 2 ** 20); console.log('ready'); setInterval(() => b[0]++, 1e6);`;
  const child = startChild(process.execPath, ['-e', code]);
  await waitForOutput(child, 'ready');
  return child.pid as number;
}

describe('oslens maps', () => {
  it('shows a large anonymous region with RSS close to what the child touched (demand paging)', async () => {
    const pid = await startToucher();
    const doc = json<MapsDoc>(['maps', '--json', String(pid)]);
    expect(doc.pid).toBe(pid);
    const big = doc.regions.filter((r) => r.kind === 'anon' && r.size >= 64 * MiB && r.size < 66 * MiB);
    expect(big, JSON.stringify(doc.regions.filter((r) => r.size >= 60 * MiB))).toHaveLength(1);
    const region = big[0]!;
    expect(region.rss).toBeGreaterThan(23.5 * MiB);
    expect(region.rss).toBeLessThan(26 * MiB);
    expect(region.perms).toBe('rw-p');
    // pagemap agrees with smaps: present pages × page size ≈ RSS.
    expect(region.pages).not.toBeNull();
    expect(Math.abs(region.pages!.present * 4096 - region.rss)).toBeLessThan(MiB);
    for (const key of ['start', 'end', 'perms', 'offset', 'path', 'kind', 'size', 'rss', 'pss', 'swap', 'dirty']) {
      expect(region).toHaveProperty(key);
    }
  });

  it('totals agree with smaps_rollup within 1%', async () => {
    const pid = await startToucher();
    const doc = json<MapsDoc>(['maps', '--json', String(pid)]);
    // Our own read of smaps_rollup, after oslens exited (RSS does not depend on other processes).
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1]) * 1024;
    expect(Math.abs(doc.totals.rss - kb('Rss')) / kb('Rss')).toBeLessThan(0.01);
    expect(doc.totals.swap).toBe(kb('Swap'));
    // PSS does: while oslens (another node) ran, the node binary's pages had one more sharer. So
    // PSS is compared with the rollup oslens read in the same moment as smaps.
    expect(doc.rollup).not.toBeNull();
    expect(Math.abs(doc.totals.pss - doc.rollup!.pss) / doc.rollup!.pss).toBeLessThan(0.01);
    expect(Math.abs(doc.totals.rss - doc.rollup!.rss) / doc.rollup!.rss).toBeLessThan(0.01);
    expect(doc.totals.size).toBe(doc.regions.reduce((s, r) => s + r.end - r.start, 0));
  });

  it('classifies a real process: text, heap, stack, vdso', () => {
    const sleeper = startChild('sleep', ['60']);
    const doc = json<MapsDoc>(['maps', '--json', String(sleeper.pid)]);
    const kinds = new Set(doc.regions.map((r) => r.kind));
    for (const k of ['text', 'rodata', 'data', 'stack', 'vdso']) expect(kinds, k).toContain(k);
    expect(doc.regions.find((r) => r.kind === 'text' && r.path.endsWith('/sleep'))).toBeTruthy();
    const text = oslens(['maps', String(sleeper.pid)]);
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/\[virtual-memory\]/);
    expect(text.stdout).toMatch(/smaps_rollup/);
  });

  it('a kernel thread has no maps: one clear line', () => {
    const r = oslens(['maps', '2']);
    expect(r.status).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^oslens: process 2 \(kthreadd\) is a kernel thread: it has no user address space/);
  });
});

describe('oslens why', () => {
  interface WhyDoc {
    pid: number;
    state: string;
    stateName: string;
    reasons: { code: string; text: string }[];
  }

  it('a vfork parent is reported in D, waiting for its child, with the syscall named', async () => {
    // The parent of a vfork sleeps in D (killable) until the child execs or exits.
    const src = join(scratch, 'vfork.c');
    const bin = join(scratch, 'vfork');
    writeFileSync(src, '#include <unistd.h>\nint main(void){if(vfork()==0){sleep(30);_exit(0);}return 0;}\n');
    const cc = spawnSync('gcc', ['-o', bin, src], { encoding: 'utf8' });
    expect(cc.status, cc.stderr).toBe(0);
    const parent = startChild(bin, []);
    await until(() => procState(parent.pid!) === 'D');
    const child = Number(readFileSync(`/proc/${parent.pid}/task/${parent.pid}/children`, 'utf8').trim());
    onTestFinished(() => {
      if (child > 0) process.kill(child, 'SIGKILL'); // the sleeping vfork child outlives its parent
    });
    const doc = json<WhyDoc>(['why', '--json', String(parent.pid)]);
    expect(doc.state).toBe('D');
    const d = doc.reasons.find((r) => r.code === 'uninterruptible');
    expect(d?.text).toMatch(/vfork \(#58\)/);
    expect(d?.text).toMatch(/until its child calls execve or exits/);
    // D is "uninterruptible", not "disk": this one waits for a child, not for I/O.
    expect(doc.stateName).toBe('uninterruptible sleep');
    expect(d?.text).not.toMatch(/disk/);
    // One sentence at a time: no clause spliced after a full stop.
    expect(d?.text).not.toMatch(/\)\. It waits .* and sleeps/);
  });

  it('a kernel thread makes no syscall: not "inside the read (#0) syscall"', () => {
    const doc = json<WhyDoc & { syscall: string | null }>(['why', '--json', '2']);
    expect(doc.syscall).toBeNull();
    expect(doc.reasons.map((r) => r.text).join(' ')).not.toMatch(/inside the read/);
    const text = oslens(['inspect', '2']);
    expect(text.stdout).toMatch(/syscall none \(kernel thread\)/);
  });

  it('a zombie made by the test is reported as a zombie with its parent', async () => {
    // sh forks a short sleep in the background, then becomes `sleep 60`, which never reaps it.
    const parent = startChild('sh', ['-c', 'sleep 0.2 & echo $!; exec sleep 60']);
    let zombiePid = 0;
    parent.stdout?.on('data', (d: Buffer) => (zombiePid ||= Number(d.toString().trim())));
    await until(() => zombiePid > 0 && procState(zombiePid) === 'Z');
    const doc = json<WhyDoc>(['why', '--json', String(zombiePid)]);
    expect(doc.state).toBe('Z');
    expect(doc.stateName).toBe('zombie');
    const z = doc.reasons.find((r) => r.code === 'zombie');
    expect(z?.text).toContain(`parent, pid ${parent.pid} (sleep)`);
    const ps = json<{ pid: number; state: string; ppid: number }[]>([
      'ps',
      '--json',
      '--state',
      'Z',
      '--interval',
      '0',
    ]);
    expect(ps.find((p) => p.pid === zombiePid)).toMatchObject({ state: 'Z', ppid: parent.pid });
  });

  it('a child that ignores SIGTERM is reported as ignoring it', async () => {
    const child = startChild('sh', ['-c', 'trap "" TERM; echo ready; while :; do sleep 1; done']);
    await waitForOutput(child, 'ready');
    const doc = json<WhyDoc>(['why', '--json', String(child.pid)]);
    expect(doc.reasons.map((r) => r.code)).toContain('sigterm-ignored');
    expect(doc.reasons.find((r) => r.code === 'sigterm-ignored')?.text).toMatch(/kill -KILL/);
    // It really does ignore it.
    child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 200));
    expect(procState(child.pid as number)).toBeDefined();
  });

  it('a child that catches SIGTERM is reported as catching it', async () => {
    const child = startChild(process.execPath, [
      '-e',
      'process.on("SIGTERM", () => {}); console.log("ready"); setInterval(() => {}, 1e6)',
    ]);
    await waitForOutput(child, 'ready');
    const doc = json<WhyDoc>(['why', '--json', String(child.pid)]);
    expect(doc.reasons.map((r) => r.code)).toContain('sigterm-caught');
  });

  it('a child stopped with SIGSTOP is reported as stopped, with how to resume it', async () => {
    const child = startChild('sleep', ['60']);
    child.kill('SIGSTOP');
    await until(() => procState(child.pid as number) === 'T');
    const doc = json<WhyDoc>(['why', '--json', String(child.pid)]);
    expect(doc.state).toBe('T');
    const stopped = doc.reasons.find((r) => r.code === 'stopped');
    expect(stopped?.text).toContain(`kill -CONT ${child.pid}`);
    const text = oslens(['why', String(child.pid)]);
    expect(text.stdout).toMatch(/state T = stopped/);
  });

  it('a sleeping child: S with its wchan and syscall', () => {
    const child = startChild('sleep', ['60']);
    spawnSync('sleep', ['0.2']);
    const doc = json<WhyDoc & { wchan: string | null; syscall: string | null }>(['why', '--json', String(child.pid)]);
    expect(doc.state).toBe('S');
    expect(doc.reasons[0]?.code).toBe('sleeping');
    expect(doc.syscall).toMatch(/nanosleep/);
  });

  it('--load lists running and D-state tasks with the explanation, not oslens itself', async () => {
    const busy = startChild('sh', ['-c', 'while :; do :; done']);
    await new Promise((r) => setTimeout(r, 200));
    const r = oslens(['why', '--load', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      loadavg: { load1: number };
      cpus: number;
      running: { pid: number }[];
      explanation: string;
    };
    expect(doc.cpus).toBeGreaterThan(0);
    expect(doc.running.map((t) => t.pid)).toContain(busy.pid);
    expect(doc.running.map((t) => t.pid)).not.toContain(r.pid);
    expect(doc.explanation).toMatch(/uninterruptible/);
  });
});

describe('oslens ps', () => {
  it('--json rows have exactly the documented fields (and live values)', async () => {
    const pid = await startToucher();
    const rows = json<Record<string, unknown>[]>(['ps', '--json', '--sort', 'rss']);
    const keys = [
      'pid',
      'ppid',
      'user',
      'state',
      'threads',
      'cpuPercent',
      'rss',
      'minflt',
      'majflt',
      'voluntaryCtxt',
      'nonvoluntaryCtxt',
      'command',
    ];
    for (const row of rows) for (const k of keys) expect(row, k).toHaveProperty(k);
    const mine = rows.find((r) => r.pid === pid)!;
    expect(mine.rss as number).toBeGreaterThan(24 * MiB);
    expect(mine.minflt as number).toBeGreaterThan((24 * MiB) / 4096 / 512); // THP may map 2 MiB per fault
    expect(mine.ppid).toBe(process.pid);
    expect(mine.user).toBe('root');
    // Sorted by RSS, biggest first.
    const rss = rows.map((r) => r.rss as number);
    expect([...rss].sort((a, b) => b - a)).toEqual(rss);
  });

  it('filters by name and state, and draws the fork tree', () => {
    const child = startChild('sh', ['-c', 'sleep 61 & sleep 62; wait']);
    spawnSync('sleep', ['0.3']);
    const rows = json<{ pid: number; ppid: number; command: string }[]>(['ps', '--json', '--name', 'sleep 6']);
    expect(
      rows
        .filter((r) => r.ppid === child.pid)
        .map((r) => r.command)
        .sort(),
    ).toEqual(['sleep 61', 'sleep 62']);
    const tree = oslens(['ps', '--tree', '--interval', '0']);
    expect(tree.status).toBe(0);
    expect(tree.stdout).toMatch(/[├└]─ sleep 6[12]/);
    const none = json<unknown[]>(['ps', '--json', '--state', 'X', '--name', 'no-such-process-name']);
    expect(none).toEqual([]);
  });
});

describe('oslens ps: columns, selection, threads, output', () => {
  interface PsRow {
    pid: number;
    tid: number;
    state: string;
    command: string;
    vsize: number;
    rss: number;
    memPercent: number;
    cpuTime: number;
    tty: string;
    cpuPercent: number;
  }

  it('-p PID,PID lists only those; -o picks columns (VSZ %MEM TIME TTY); piped numbers have no separators', () => {
    const a = startChild('sleep', ['71']);
    const b = startChild('sleep', ['72']);
    const rows = json<PsRow[]>(['ps', '--json', '-p', `${a.pid},${b.pid}`]);
    expect(rows.map((r) => r.pid).sort()).toEqual([a.pid, b.pid].sort());
    for (const r of rows) {
      const status = readFileSync(`/proc/${r.pid}/status`, 'utf8');
      expect(r.vsize).toBe(Number(/VmSize:\s+(\d+)/.exec(status)?.[1]) * 1024);
      expect(r.memPercent).toBeGreaterThanOrEqual(0);
      expect(r.tty).toBe('?'); // a child of the test runner, no terminal
    }
    const text = oslens(['ps', '-p', String(process.pid), '-o', 'pid,vsz,mem,time,tty,minflt,command']);
    expect(text.status, text.stderr).toBe(0);
    const [header, line] = text.stdout.trim().split('\n');
    expect(header).toMatch(/^\s*PID\s+VSZ\s+%MEM\s+TIME\s+TTY\s+MINFLT\s+COMMAND$/);
    // Piped: MINFLT as a plain number, TIME as ps's HH:MM:SS.
    expect(line).toMatch(
      new RegExp(`^\\s*${process.pid}\\s+\\S+\\s+\\d+\\.\\d\\s+\\d\\d:\\d\\d:\\d\\d\\s+\\S+\\s+\\d+\\s`),
    );
    expect(line).not.toMatch(/\d,\d\d\d/);
    expectOneLineError(oslens(['ps', '-o', 'pid,colour']), 2, /-o: unknown column "colour"/);
    expectOneLineError(oslens(['ps', '-p', '12,x']), 2, /"x" is not a process id/);
  });

  it('-L lists one row per thread with its tid; --reverse reverses the order', async () => {
    const code = `const { Worker } = require('node:worker_threads'); new Worker('setInterval(() => {}, 1e6)', { eval: true }); console.log('ready'); setInterval(() => {}, 1e6);`;
    const child = startChild(process.execPath, ['-e', code]);
    await waitForOutput(child, 'ready');
    const tids = readdirSync(`/proc/${child.pid}/task`)
      .map(Number)
      .sort((x, y) => x - y);
    const rows = json<PsRow[]>(['ps', '--json', '-L', '-p', String(child.pid), '--sort', 'tid']);
    expect(rows.every((r) => r.pid === child.pid)).toBe(true);
    // Threads may come and go meanwhile (V8's workers): most of those listed before are there.
    const listed = new Set(rows.map((r) => r.tid));
    expect(tids.filter((t) => listed.has(t)).length).toBeGreaterThanOrEqual(tids.length - 2);
    expect(rows.map((r) => r.tid)).toEqual([...rows.map((r) => r.tid)].sort((x, y) => x - y));
    const reversed = json<PsRow[]>(['ps', '--json', '-L', '-p', String(child.pid), '--sort', 'tid', '--reverse']);
    expect(reversed.map((r) => r.tid)).toEqual([...reversed.map((r) => r.tid)].sort((x, y) => y - x));
    const text = oslens(['ps', '-L', '-p', String(child.pid)]);
    expect(text.stdout.split('\n')[0]).toMatch(/PID\s+TID\s+PPID/);
  });

  it('a zombie is "[name] <defunct>"; a command line with newlines stays on one line', async () => {
    const parent = startChild('python3', [
      '-c',
      'import os, time\nif os.fork() == 0:\n    os._exit(0)\ntime.sleep(60)',
    ]);
    let zombie: PsRow | undefined;
    await until(() => {
      const rows = json<PsRow[]>(['ps', '--json', '--state', 'Z', '--interval', '0']);
      zombie = rows.find((x) => {
        try {
          return readFileSync(`/proc/${x.pid}/stat`, 'utf8').includes(`) Z ${parent.pid} `);
        } catch {
          return false;
        }
      });
      return zombie !== undefined;
    }, 5000);
    expect(zombie?.command).toBe('[python3] <defunct>');
    const text = oslens(['ps', '-p', String(parent.pid), '--interval', '0']);
    const lines = text.stdout.trim().split('\n');
    expect(lines).toHaveLength(2); // header and one row: the newlines are escaped
    expect(lines[1]).toContain('import os, time\\nif os.fork()');
  });
});

describe('pidusage as an independent oracle', () => {
  /** pidusage's CPU% over `ms` (two samples of /proc/PID/stat) and its RSS. */
  async function oracle(pid: number, ms: number): Promise<{ cpu: number; memory: number }> {
    await pidusage(pid);
    await new Promise((r) => setTimeout(r, ms));
    const s = await pidusage(pid);
    pidusage.clear();
    return { cpu: s.cpu, memory: s.memory };
  }

  it("ps's and top's CPU% and RSS for a busy child agree with pidusage's", async () => {
    // Busy a third of the time (30 ms of every 90): its CPU% is about the same over any window,
    // so ps's, top's and pidusage's windows need not line up to the millisecond.
    const duty =
      'import time\nb = bytearray(30 << 20)\nwhile True:\n    t = time.time()\n    while time.time() - t < 0.03: pass\n    time.sleep(0.06)';
    const busy = startChild('python3', ['-c', duty]);
    await new Promise((r) => setTimeout(r, 1500));
    const pid = busy.pid as number;
    // Over a second, side by side.
    const [ps, ref] = await Promise.all([
      new Promise<PsRowLike[]>((resolve, reject) => {
        const c = spawn(process.execPath, [OSLENS, 'ps', '--json', '-p', String(pid), '--interval', '1000']);
        let out = '';
        c.stdout.on('data', (d) => (out += d));
        c.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`ps exited ${code}`))));
      }),
      oracle(pid, 1500),
    ]);
    const row = ps[0] as PsRowLike;
    // Generous bounds: two cores shared with other work.
    expect(Math.abs(row.cpuPercent - ref.cpu)).toBeLessThan(20);
    expect(row.cpuPercent).toBeGreaterThan(5);
    expect(Math.abs(row.rss - ref.memory)).toBeLessThan(Math.max(2 * MiB, ref.memory * 0.1));
    expect(ref.memory).toBeGreaterThan(30 * MiB);
    // top --json: its first record is one interval in.
    const [top, ref2] = await Promise.all([
      new Promise<{ processes: PsRowLike[] }>((resolve, reject) => {
        const c = spawn(process.execPath, [OSLENS, 'top', '--json', '-d', '1', '--no-ebpf']);
        let out = '';
        c.stdout.on('data', (d) => {
          out += d;
          const nl = out.indexOf('\n');
          if (nl >= 0) {
            c.kill();
            resolve(JSON.parse(out.slice(0, nl)));
          }
        });
        c.on('close', (code) => (out.includes('\n') ? undefined : reject(new Error(`top exited ${code}`))));
      }),
      oracle(pid, 1500),
    ]);
    const t = top.processes.find((p) => p.pid === pid) as PsRowLike;
    expect(Math.abs(t.cpuPercent - ref2.cpu)).toBeLessThan(20);
    expect(t.cpuPercent).toBeGreaterThan(5);
    expect(Math.abs(t.rss - ref2.memory)).toBeLessThan(Math.max(2 * MiB, ref2.memory * 0.1));
  });
});

interface PsRowLike {
  pid: number;
  cpuPercent: number;
  rss: number;
}

describe('refused by the ptrace access check', () => {
  /** A python that made itself non-dumpable (prctl PR_SET_DUMPABLE 0) holding 3 files open. */
  async function nonDumpable(prefix: string[]): Promise<number> {
    const code =
      "import ctypes, time\nctypes.CDLL(None).prctl(4, 0, 0, 0, 0)\nfs = [open('/etc/hostname') for _ in range(3)]\nprint('ready', flush=True)\ntime.sleep(60)";
    // The system python: a python under /root (pyenv) is not nobody's to run.
    const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
    const [cmd, ...args] = [...prefix, python, '-c', code];
    const child = startChild(cmd as string, args);
    await waitForOutput(child, 'ready');
    return child.pid as number;
  }

  it('inspect without CAP_SYS_PTRACE: the fds listed, each "(permission denied)"; ns denied, not blank', async (ctx) => {
    if (process.getuid?.() !== 0) skipUnlessCapable(ctx.skip, 'needs root (to drop CAP_SYS_PTRACE)');
    const pid = await nonDumpable([]);
    // As root without CAP_SYS_PTRACE: /proc/PID/fd lists (root owns it), readlink fails the check.
    const run = (args: string[]) =>
      spawnSync('setpriv', ['--bounding-set=-sys_ptrace', process.execPath, OSLENS, ...args], { encoding: 'utf8' });
    const doc = JSON.parse(run(['inspect', '--json', String(pid)]).stdout);
    const fds = doc.fds as { fd: number; target: string | null; error?: string }[];
    expect(fds.map((f) => f.fd)).toEqual(expect.arrayContaining([0, 1, 2, 3, 4, 5]));
    expect(fds.every((f) => f.target === null && f.error === 'permission denied')).toBe(true);
    expect(doc.identity.namespaces).toEqual({ error: 'permission denied' });
    const text = run(['inspect', String(pid)]).stdout;
    expect(text).toMatch(/^\s+3 {2}\(permission denied\)$/m);
    expect(text).toMatch(/^ {2}ns {8}\(permission denied\)$/m);
    expect(text).not.toMatch(/^ {2}cgroup\s*$/m);
  });

  it('maps of its own non-dumpable process, as nobody: says the ptrace access check refused, not "another user"', async (ctx) => {
    if (process.getuid?.() !== 0) skipUnlessCapable(ctx.skip, 'needs root to switch to user nobody');
    const nobody = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];
    const pid = await nonDumpable(nobody);
    const [cmd, ...args] = [...nobody, process.execPath, OSLENS, 'maps', String(pid)];
    const maps = spawnSync(cmd as string, args, { encoding: 'utf8' });
    expectOneLineError(maps as ReturnType<typeof oslens>, 4, /ptrace access check .*even for its owner/);
    expect(maps.stderr).not.toMatch(/belongs to another user/);
  });
});

describe('oslens inspect', () => {
  it('decodes identity, capabilities, signal masks, fds (socket addresses, pipes, eventfd-like) and threads', async () => {
    const code = `
      const net = require('net');
      const srv = net.createServer().listen(0, '127.0.0.1', () => {
        process.on('SIGUSR1', () => {});
        console.log('ready ' + srv.address().port);
      });`;
    const child = startChild(process.execPath, ['-e', code]);
    let port = 0;
    child.stdout?.on('data', (d: Buffer) => (port ||= Number(/ready (\d+)/.exec(d.toString())?.[1] ?? 0)));
    await waitForOutput(child, 'ready');
    const doc = json<{
      identity: { pid: number; ppid: number; uid: { name: string }; namespaces: Record<string, number> };
      capabilities: { effective: string[] };
      signals: { caught: string[]; ignored: string[] };
      fds: { fd: number; kind: string; socket?: { local: string; state: string } }[];
      threads: { tid: number }[];
      limits: { name: string }[];
    }>(['inspect', '--json', String(child.pid)]);
    expect(doc.identity).toMatchObject({ pid: child.pid, ppid: process.pid, uid: { name: 'root' } });
    expect(doc.identity.namespaces.pid).toBeGreaterThan(0);
    expect(doc.capabilities.effective).toContain('CAP_SYS_ADMIN');
    expect(doc.signals.caught).toContain('SIGUSR1');
    expect(doc.signals.ignored).toContain('SIGPIPE'); // node ignores SIGPIPE
    const listen = doc.fds.find((f) => f.kind === 'socket' && f.socket?.state === 'LISTEN');
    expect(listen?.socket?.local).toBe(`127.0.0.1:${port}`);
    expect(doc.fds.some((f) => f.kind === 'epoll')).toBe(true); // libuv's event loop
    expect(doc.fds.some((f) => f.kind === 'pipe')).toBe(true); // stdout to us
    expect(doc.threads.length).toBeGreaterThan(1);
    expect(doc.limits.map((l) => l.name)).toContain('Max open files');
    const text = oslens(['inspect', String(child.pid)]);
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/open files {2}\[model: file-descriptor\]/);
    expect(text.stdout).toMatch(/tcp 127\.0\.0\.1:\d+ → 0\.0\.0\.0:0 LISTEN/);
  });

  it('--env shows the environment', () => {
    const child = startChild('env', ['OSLENS_MARKER=42', 'sleep', '60']);
    spawnSync('sleep', ['0.2']);
    const doc = json<{ environ: Record<string, string> }>(['inspect', '--json', '--env', String(child.pid)]);
    expect(doc.environ.OSLENS_MARKER).toBe('42');
  });
});

describe('oslens time', () => {
  it('reports fault counts of the same order as getrusage for a command touching N pages', () => {
    const pages = 20_000; // 78 MiB
    const toucher = `const b = Buffer.alloc(${pages} * 4096); for (let i = 0; i < b.length; i += 4096) b[i] = 1;`;
    const file = join(scratch, 'usage.json');
    const r = spawnSync(
      process.execPath,
      [OSLENS, 'time', '--json', '-o', file, '--', process.execPath, '-e', toucher],
      {
        encoding: 'utf8',
      },
    );
    expect(r.status, r.stderr).toBe(0);
    const u = JSON.parse(readFileSync(file, 'utf8'));
    // The oracle: getrusage(RUSAGE_CHILDREN) in a python3 parent that ran the same command.
    const oracle = spawnSync(
      'python3',
      [
        '-c',
        'import resource, subprocess, sys; subprocess.run(sys.argv[1:]); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_minflt)',
        process.execPath,
        '-e',
        toucher,
      ],
      { encoding: 'utf8' },
    );
    expect(oracle.status, oracle.stderr).toBe(0);
    const expected = Number(oracle.stdout.trim());
    expect(expected).toBeGreaterThan(pages / 512); // at least one fault per 2 MiB (THP) touched
    expect(u.minflt / expected).toBeGreaterThan(0.5);
    expect(u.minflt / expected).toBeLessThan(2);
    expect(u.maxRss).toBeGreaterThan(pages * 4096 * 0.9);
    expect(u.exitStatus).toBe(0);
    for (const k of ['wall', 'user', 'sys', 'maxRss', 'minflt', 'majflt', 'voluntaryCtxt', 'nonvoluntaryCtxt']) {
      expect(u, k).toHaveProperty(k);
    }
    expect(u.rows.find((x: { field: string }) => x.field === 'majflt').latencyRow).toBe('major-fault');
  });

  it('passes stdout/stderr through, reports to stderr, exits with the command status or 128+signal', () => {
    const r = oslens(['time', '--', 'sh', '-c', 'echo out; echo err >&2; exit 7']);
    expect(r.status).toBe(7);
    expect(r.stdout).toBe('out\n');
    expect(r.stderr).toMatch(/^err\n/);
    expect(r.stderr).toMatch(/exit status 7/);
    expect(r.stderr).toMatch(/minor faults .*\[virtual-memory\]/);
    const k = oslens(['time', '--', 'sh', '-c', 'kill -TERM $$']);
    expect(k.status).toBe(143);
    expect(k.stderr).toMatch(/killed by SIGTERM/);
    const missing = oslens(['time', '--', 'no-such-command-xyz']);
    expectOneLineError(missing, 127, /cannot run no-such-command-xyz: No such file or directory/);
  });
});

describe('bad input', () => {
  it('a non-numeric PID is a usage error (exit 2)', () => {
    for (const cmd of ['inspect', 'maps', 'why']) {
      expectOneLineError(oslens([cmd, 'abc']), 2, /"abc" is not a process id/);
    }
  });

  it('an unknown PID is "no such process" (exit 3)', () => {
    const pid = 4_000_000; // above the default pid_max
    for (const cmd of ['inspect', 'maps', 'why']) {
      // It never existed: not "exited".
      expectOneLineError(oslens([cmd, String(pid)]), 3, new RegExp(`^oslens: no such process ${pid} `));
    }
  });

  it('bad flags are one-line usage errors', () => {
    expectOneLineError(oslens(['ps', '--sort', 'colour']), 2, /--sort: unknown key "colour"/);
    expectOneLineError(oslens(['ps', '--user', 'no-such-user-xyz']), 2, /--user/);
    expectOneLineError(oslens(['ps', '--state', 'Q']), 2, /--state/);
  });

  it('permission denied: maps of a root process as nobody exits 4; inspect reports fields as denied', (ctx) => {
    if (!canSwitchToNobody()) skipUnlessCapable(ctx.skip, 'needs root (and setpriv) to switch to user nobody');
    const target = startChild('sleep', ['60']);
    expectOneLineError(asNobody(['maps', String(target.pid)]) as ReturnType<typeof oslens>, 4, /permission denied/);
    const inspect = asNobody(['inspect', '--json', String(target.pid)]);
    expect(inspect.status, inspect.stderr).toBe(0);
    const doc = JSON.parse(inspect.stdout);
    expect(doc.identity.exe).toEqual({ error: 'permission denied' });
    expect(doc.fds).toEqual({ error: 'permission denied' });
    expect(doc.identity.pid).toBe(target.pid);
    const why = asNobody(['why', '--json', String(target.pid)]);
    expect(why.status, why.stderr).toBe(0);
  });
});
