/** `oslens export`: bad input before serving, the top-N bound, no capability, clean stop. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { OSLENS, oslens, skipUnlessCapable } from '../helpers/env.js';
import { freePort } from '../helpers/net.js';
import { loadedBpfProgramIds } from '../helpers/bpf.js';

const ROOT = process.getuid?.() === 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const started: ChildProcess[] = [];
afterAll(() => {
  for (const c of started) if (c.exitCode === null) c.kill('SIGKILL');
});

function listenOn(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(port, '127.0.0.1', () => resolve(s));
  });
}

/** Starts the exporter (optionally through a wrapper like setpriv) and waits for its JSON line. */
async function start(args: string[], wrapper: string[] = []): Promise<{ child: ChildProcess; port: number }> {
  const port = await freePort();
  const argv = [...wrapper, process.execPath, OSLENS, 'export', '--json', '--listen', `127.0.0.1:${port}`, ...args];
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  for (let i = 0; i < 300 && !out.includes('\n'); i++) {
    if (child.exitCode !== null) break;
    await sleep(100);
  }
  if (!out.includes('\n')) throw new Error(`exporter did not start: ${err}`);
  expect(JSON.parse(out).listen.port).toBe(port);
  return { child, port };
}

const exited = (c: ChildProcess) =>
  new Promise<number | null>((r) => (c.exitCode !== null ? r(c.exitCode) : c.on('exit', (code) => r(code))));

/** The BPF program ids a process holds (its fdinfo lists prog_id for programs and links). */
function heldProgramIds(pid: number): number[] {
  const ids = new Set<number>();
  for (const fd of readdirSync(`/proc/${pid}/fdinfo`)) {
    try {
      const m = /^prog_id:\s*(\d+)/m.exec(readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'));
      if (m) ids.add(Number(m[1]));
    } catch {
      // closed meanwhile
    }
  }
  return [...ids];
}

describe('oslens export: bad input, one line, before serving', () => {
  it('a port in use: exit 1; a bad address or collector: exit 2', async () => {
    const busy = await listenOn(0);
    const port = (busy.address() as { port: number }).port;
    try {
      const r = oslens(['export', '--collectors', 'proc', '--listen', `127.0.0.1:${port}`], { timeout: 30_000 });
      expect(r.stderr).toBe(`oslens: cannot listen on 127.0.0.1:${port}: the port is in use\n`);
      expect(r.status).toBe(1);
    } finally {
      busy.close();
    }
    for (const [args, line] of [
      [['--listen', 'localhost'], 'oslens: --listen: expected ADDR:PORT like 127.0.0.1:9464, got "localhost"'],
      [
        ['--listen', '127.0.0.1:70000'],
        'oslens: --listen: expected ADDR:PORT like 127.0.0.1:9464, got "127.0.0.1:70000"',
      ],
      [['--listen', '192.0.2.1:9464'], 'oslens: cannot listen on 192.0.2.1:9464: no such address on this host'],
      [
        ['--collectors', 'proc,disk'],
        'oslens: --collectors: unknown "disk" (choose from proc,system,bench,syscalls,runqlat)',
      ],
      [['--interval', 'soon'], 'oslens: --interval: expected seconds from 0 to 3600, got "soon"'],
    ] as const) {
      const r = oslens(['export', '--collectors', 'proc', ...args], { timeout: 30_000 });
      expect(r.stderr).toBe(`${line}\n`);
      expect(r.status).toBe(2);
    }
  });
});

describe('oslens export: serving', () => {
  it('bounds the proc labels to the top N plus "other", and serves both text formats', async () => {
    const { child, port } = await start(['--collectors', 'proc,system', '--top', '5']);
    const om = await fetch(`http://127.0.0.1:${port}/metrics`, {
      headers: { Accept: 'application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.4' },
    });
    expect(om.headers.get('content-type')).toMatch(/^application\/openmetrics-text; version=1.0.0/);
    // gzip when asked (fetch asks, as Prometheus does); not when not.
    expect(om.headers.get('content-encoding')).toBe('gzip');
    const omText = await om.text();
    const identity = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { 'Accept-Encoding': 'identity' } });
    expect(identity.headers.get('content-encoding')).toBeNull();
    expect((await identity.text()).length).toBeGreaterThan(1000);
    expect(omText.endsWith('# EOF\n')).toBe(true);
    // The reference OpenMetrics parser (Python prometheus_client, strict about the grammar) reads it.
    const parsed = spawnSync(
      '/usr/bin/python3',
      [
        '-c',
        'import sys\nfrom prometheus_client.openmetrics.parser import text_string_to_metric_families as f\nprint(len(list(f(sys.stdin.read()))))',
      ],
      { input: omText, encoding: 'utf8' },
    );
    expect(parsed.stderr).toBe('');
    expect(Number(parsed.stdout)).toBeGreaterThan(10);
    const plain = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(plain.headers.get('content-type')).toMatch(/^text\/plain; version=0.0.4/);
    const text = await plain.text();
    const lint = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(lint.stdout + lint.stderr).toBe('');
    const pids = [...text.matchAll(/^oslens_process_minor_faults_total\{pid="(\d*)",comm="([^"]*)"\}/gm)];
    expect(pids.length).toBe(6);
    expect(pids.filter((m) => m[2] === 'other' && m[1] === '').length).toBe(1);
    // The five most active and "other" stand for every process read.
    const tracked = Number(/^oslens_processes_tracked (\d+)$/m.exec(text)?.[1]);
    expect(tracked).toBeGreaterThan(5);
    const page = await (await fetch(`http://127.0.0.1:${port}/`)).text();
    expect(page).toMatch(/<td>proc<\/td><td>up<\/td>/);
    child.kill('SIGINT');
    expect(await exited(child)).toBe(130); // README "Exit codes": Ctrl-C is 130, after a clean stop
    // The port is released: it can be bound again at once.
    const again = await listenOn(port);
    again.close();
  });

  it('without the capability: the eBPF collectors are off and say so, the others serve', async ({ skip }) => {
    if (spawnSync('setpriv', ['--version']).error) throw new Error('setpriv (util-linux) is needed for this test');
    if (!ROOT) skipUnlessCapable(skip, 'dropping capabilities needs root to start from');
    const { child, port } = await start(
      ['--collectors', 'proc,syscalls,runqlat'],
      ['setpriv', '--inh-caps=-all', '--bounding-set=-all', '--'],
    );
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(text).toMatch(/^oslens_collector_up\{collector="proc"\} 1$/m);
    expect(text).toMatch(/^oslens_collector_up\{collector="syscalls"\} 0$/m);
    expect(text).toMatch(/^oslens_collector_up\{collector="runqlat"\} 0$/m);
    expect(text).not.toMatch(/^oslens_syscalls_total/m);
    const page = await (await fetch(`http://127.0.0.1:${port}/`)).text();
    expect(page).toMatch(/<td>syscalls<\/td><td>off<\/td><td>[^<]*needs CAP_BPF/);
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(143);
  });

  it('SIGTERM detaches the BPF programs and releases the port', async ({ skip }) => {
    if (!ROOT) skipUnlessCapable(skip, 'eBPF needs root');
    const { child, port } = await start(['--collectors', 'syscalls,runqlat']);
    expect(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()).toMatch(/^oslens_syscalls_total/m);
    const held = heldProgramIds(child.pid!);
    expect(held.length).toBeGreaterThan(0);
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(143);
    // A detached tp_btf program is freed after an RCU-tasks grace period: give it time.
    let left: number[] = held;
    for (let i = 0; i < 100 && left.length > 0; i++) {
      await sleep(100);
      const loaded = loadedBpfProgramIds();
      left = held.filter((id) => loaded.includes(id));
    }
    expect(left).toEqual([]);
    const again = await listenOn(port);
    again.close();
  });
});
