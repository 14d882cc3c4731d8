/**
 * tcp-rtt listens on 127.0.0.1 and then connects to itself: another local process can connect
 * in between. The benchmark must accept only its own client socket (getsockname of the client
 * = getpeername of the accepted one) and close the intruder. strace delays the benchmark's
 * connect() by 1.5 s so that the intruder surely comes first.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { OSLENS, skipUnlessCapable } from '../helpers/env.js';

const HAS_STRACE = spawnSync('strace', ['-V']).status === 0;

/** Ports of the 127.0.0.1 TCP listeners whose socket `pid` holds open. */
function listenersOf(pid: number): number[] {
  const inodes = new Set<string>();
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m?.[1]) inodes.add(m[1]);
    }
  } catch {
    return [];
  }
  return readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f[3] === '0A' && f[1]?.startsWith('0100007F:') && inodes.has(f[9] ?? ''))
    .map((f) => parseInt(f[1]!.slice(9), 16));
}

function childPid(parent: number): number | undefined {
  const out = spawnSync('pgrep', ['-P', String(parent)], { encoding: 'utf8' }).stdout.trim();
  return out ? Number(out.split('\n')[0]) : undefined;
}

describe('tcp-rtt', () => {
  it('closes a connection that is not its own and measures over its own socket', async (ctx) => {
    if (!HAS_STRACE) skipUnlessCapable(ctx.skip, 'strace is not installed');
    const bench = spawn(
      'strace',
      [
        '-f',
        '-qq',
        '-o',
        '/dev/null',
        '-e',
        'trace=connect',
        '-e',
        'inject=connect:delay_enter=1500000',
        process.execPath,
        OSLENS,
        'bench',
        'tcp-rtt',
        '--quick',
        '--json',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    bench.stdout.on('data', (d: Buffer) => (out += d.toString()));
    bench.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((res) => bench.on('exit', (c) => res(c)));
    let intruder: Socket | undefined;
    let intruderClosed = false;
    try {
      const end = Date.now() + 20_000;
      let port: number | undefined;
      while (port === undefined && Date.now() < end) {
        const pid = bench.pid ? childPid(bench.pid) : undefined;
        port = pid ? listenersOf(pid)[0] : undefined;
        if (port === undefined) await new Promise((r) => setTimeout(r, 20));
      }
      expect(port, 'the benchmark never listened').toBeDefined();
      intruder = connect(port!, '127.0.0.1');
      intruder.on('error', () => undefined);
      intruder.on('close', () => (intruderClosed = true));
      const code = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 60_000))]);
      expect(code, `the benchmark: ${err}`).toBe(0);
      const run = JSON.parse(out) as { results: { id: string; status: string; nsPerOp: number }[] };
      const r = run.results.find((x) => x.id === 'tcp-rtt');
      expect(r?.status).toBe('measured');
      expect(r?.nsPerOp).toBeGreaterThan(0);
      await new Promise((res) => setTimeout(res, 100));
      expect(intruderClosed, 'the intruder was accepted and kept').toBe(true);
    } finally {
      intruder?.destroy();
      bench.kill('SIGKILL');
    }
  });
});
