/**
 * The start and end of an eBPF tool's `-- CMD`: never left stopped (signals to oslens during
 * start-up, SIGKILL at any time), the command's exit status passed on (127 when it cannot be
 * started, 130 on Ctrl-C), and what trace --ebpf and snoop show of it. Real kernel (root).
 */
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OSLENS, oslens, skipUnlessCapable } from '../helpers/env.js';

const ROOT = process.getuid?.() === 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Proc {
  pid: number;
  ppid: number;
  state: string;
  argv: string[];
}

function processes(): Proc[] {
  const out: Proc[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const argv = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').filter(Boolean);
      out.push({ pid: Number(d), state: rest[0]!, ppid: Number(rest[1]), argv });
    } catch {
      // gone
    }
  }
  return out;
}

/** Processes whose argv has this marker (a unique `sleep` duration). */
const withMarker = (marker: string) => processes().filter((p) => p.argv.includes(marker));

async function until<T>(what: string, get: () => T | undefined, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

function start(args: string[]) {
  const child = spawn(process.execPath, [OSLENS, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise<{ code: number | null; signal: string | null }>((r) =>
    child.on('exit', (code, signal) => r({ code, signal })),
  );
  return { child, out: () => out, err: () => err, done };
}

let serial = 0;
const marker = () => `${90 + (process.pid % 9)}.${Date.now() % 100000}${serial++}`;

const jsonLines = (text: string) =>
  text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('-- CMD start and end (real kernel)', () => {
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGKILL'] as const) {
    it(`${sig} to oslens during start-up: the command is not left behind, stopped or running`, async ({ skip }) => {
      if (!ROOT) skipUnlessCapable(skip, 'eBPF needs root');
      const m = marker();
      const bg = start(['syscount', '--', 'sleep', m]);
      // The command's gate: a child of oslens, waiting for the probes to be attached.
      await until('the gate', () => processes().find((p) => p.ppid === bg.child.pid));
      bg.child.kill(sig);
      const end = await bg.done;
      if (sig === 'SIGKILL') expect(end.signal).toBe('SIGKILL');
      else expect(end.code, bg.err()).toBe(130);
      // Nothing of the command stays: not stopped (state T), not running.
      await until('the command to be gone', () => (withMarker(m).length === 0 ? true : undefined), 5000);
      expect(processes().filter((p) => p.ppid === bg.child.pid)).toEqual([]);
    });
  }

  it('a SIGKILLed oslens ends its running command', async ({ skip }) => {
    if (!ROOT) skipUnlessCapable(skip, 'eBPF needs root');
    const m = marker();
    const bg = start(['snoop', 'open', '--', 'sleep', m]);
    await until('the command', () => withMarker(m).find((p) => p.argv[0] === 'sleep'));
    bg.child.kill('SIGKILL');
    await bg.done;
    await until('the command to be gone', () => (withMarker(m).length === 0 ? true : undefined), 5000);
  });

  it('Ctrl-C while the command runs: exit 130, the command ended', async ({ skip }) => {
    if (!ROOT) skipUnlessCapable(skip, 'eBPF needs root');
    const m = marker();
    const bg = start(['faults', '--', 'sleep', m]);
    await until('the command', () => withMarker(m).find((p) => p.argv[0] === 'sleep'));
    bg.child.kill('SIGINT');
    expect((await bg.done).code).toBe(130);
    await until('the command to be gone', () => (withMarker(m).length === 0 ? true : undefined), 5000);
  });

  it("every eBPF command exits with the command's status; 127 when it cannot be started", ({ skip }) => {
    if (!ROOT) skipUnlessCapable(skip, 'eBPF needs root');
    const cases: [string[], number][] = [
      [['syscount', '--', 'sh', '-c', 'exit 7'], 7],
      [['syscount', '-L', '--', '/nonexistent/cmd'], 127],
      [['trace', '--ebpf', '-o', '/dev/null', '--', 'sh', '-c', 'exit 9'], 9],
      [['trace', '--ebpf', '-c', '-o', '/dev/null', '--', 'sh', '-c', 'exit 5'], 5],
      [['snoop', 'exec', '--', '/nonexistent/cmd'], 127],
      [['faults', '--', 'sh', '-c', 'kill -TERM $$'], 143],
      [['runqlat', '--', 'sh', '-c', 'exit 3'], 3],
    ];
    for (const [args, status] of cases) {
      const r = oslens(args);
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(status);
    }
    const missing = oslens(['syscount', '--', '/nonexistent/cmd']);
    expect(missing.stderr).toMatch(/\/nonexistent\/cmd: No such file or directory/);
  });
});

describe('what trace --ebpf and snoop show of a command (real kernel)', () => {
  it('trace --ebpf keeps argv[0] as given and follows children only with -f', ({ skip }) => {
    if (!ROOT) skipUnlessCapable(skip, 'eBPF needs root');
    const run = (follow: boolean) => {
      const r = oslens(['trace', '--ebpf', '--json', ...(follow ? ['-f'] : []), '--', 'sh', '-c', '/bin/true; :']);
      expect(r.status, r.stderr).toBe(0);
      return jsonLines(r.stdout);
    };
    const alone = run(false);
    const exec = alone.find((e) => e.type === 'exec');
    expect((exec?.argv as string[])[0]).toBe('sh');
    const tids = (ev: Record<string, unknown>[]) => new Set(ev.filter((e) => e.type === 'syscall').map((e) => e.tid));
    expect(tids(alone).size).toBe(1);
    const followed = run(true);
    expect(tids(followed).size).toBe(2);
    const childExec = followed.filter((e) => e.type === 'exec').map((e) => e.path);
    expect(childExec).toContain('/bin/true');
  });

  it('trace --ebpf shows signal deliveries as the ptrace engine does', ({ skip }) => {
    if (!ROOT) skipUnlessCapable(skip, 'eBPF needs root');
    const script = 'trap : USR1; kill -USR1 $$';
    const line = (stderr: string) =>
      /^--- SIGUSR1 \{si_signo=SIGUSR1, si_code=SI_USER, si_pid=\d+, si_uid=0\} ---$/m.exec(stderr);
    const ebpf = spawnSync(process.execPath, [OSLENS, 'trace', '--ebpf', '--', 'sh', '-c', script], {
      encoding: 'utf8',
    });
    const ptrace = spawnSync(process.execPath, [OSLENS, 'trace', '--', 'sh', '-c', script], { encoding: 'utf8' });
    expect(line(ptrace.stderr), ptrace.stderr.slice(-1500)).toBeTruthy();
    expect(line(ebpf.stderr), ebpf.stderr.slice(-1500)).toBeTruthy();
  });

  it('snoop connect prints an AF_UNIX socket path', async ({ skip }) => {
    if (!ROOT) skipUnlessCapable(skip, 'eBPF needs root');
    const path = join(tmpdir(), `oslens-unix-${process.pid}.sock`);
    const server = createServer((s) => s.end()).listen(path);
    await new Promise((r) => server.once('listening', r));
    try {
      const client = `require('net').connect(${JSON.stringify(path)}).on('connect', () => process.exit(0))`;
      const bg = start(['snoop', 'connect', '--json', '--', process.execPath, '-e', client]);
      expect((await bg.done).code, bg.err()).toBe(0);
      const hit = jsonLines(bg.out()).find((e) => e.type === 'connect' && e.family === 'AF_UNIX');
      expect(hit, bg.out().slice(0, 1000)).toMatchObject({ address: path, port: 0, ret: 0 });
    } finally {
      server.close();
      rmSync(path, { force: true });
    }
  });

  it("snoop signal names the kernel's result and never shows oslens's own signals", async ({ skip }) => {
    if (!ROOT) skipUnlessCapable(skip, 'eBPF needs root');
    // The command signals itself (delivered), then sleeps until --duration ends it (oslens's SIGTERM).
    const bg = start([
      'snoop',
      'signal',
      '--json',
      '--duration',
      '1.5',
      '--',
      'sh',
      '-c',
      'trap : USR1; kill -USR1 $$; sleep 30',
    ]);
    expect((await bg.done).code, bg.err()).toBe(0);
    const events = jsonLines(bg.out()).filter((e) => e.type === 'signal');
    const usr1 = events.find((e) => e.signal === 'SIGUSR1');
    expect(usr1, bg.out()).toMatchObject({ ret: 0, result: 'delivered' });
    expect(events.filter((e) => e.pid === bg.child.pid)).toEqual([]);
  });
});
