/**
 * A local user picks a process's name, command line, working directory and file names. None of
 * it may reach a terminal as a control character (an OSC retitles the terminal, ESC[2J clears
 * it, a newline forges a row): every human-readable output escapes it; JSON keeps it exact.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oslens, skipUnlessCapable } from '../helpers/env.js';
import { HAS_TMUX, TmuxSession } from '../ui/tmux.js';

/** Retitles the terminal (OSC 0 ... BEL) and clears it (CSI 2J): 11 bytes, fits a comm. */
const HOSTILE = '\x1b]0;x\x07\x1b[2J';
/** The same with a line of its own, an 8-bit CSI (U+009B) and a bidi override. */
const FORGED = `${HOSTILE}\nFORGED 1 root R\u009b31m\u202e`;
/** Any C0 control but newline, DEL, or a C1 control: none may reach the terminal. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x09\x0b-\x1f\x7f\u0080-\u009f\u202e]/u;

const PYTHON = `
import mmap, os, sys, time
open("/proc/self/comm", "w").write(sys.argv[2])
f = open(sys.argv[1], "rb")
m = mmap.mmap(f.fileno(), 0, prot=mmap.PROT_READ)
print("ready", flush=True)
while sys.argv[3] == "busy": pass
time.sleep(600)
`;

/** The interpreter itself, not a wrapper (pyenv's shim would replace argv[0]). */
const PYTHON_EXE = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], {
  encoding: 'utf8',
}).stdout.trim();

let dir = '';
let hostileDir = '';
let mapped = '';
const children: ChildProcess[] = [];

/** python3 with argv[0] = FORGED, its comm HOSTILE, its cwd and a mapped file under FORGED names. */
async function hostileProcess(mode: 'idle' | 'busy'): Promise<number> {
  const child = spawn(PYTHON_EXE, ['-c', PYTHON, mapped, HOSTILE, mode, FORGED], {
    argv0: FORGED,
    cwd: hostileDir,
    env: { ...process.env, [`HOSTILE_${'\x1b'}VAR`]: FORGED },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  await new Promise<void>((res, rej) => {
    child.stdout?.on('data', (d: Buffer) => d.toString().includes('ready') && res());
    child.on('exit', (c) => rej(new Error(`the hostile child exited (${c})`)));
  });
  return child.pid ?? 0;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'oslens-hostile-'));
  hostileDir = join(dir, FORGED);
  mkdirSync(hostileDir);
  mapped = join(hostileDir, `map${HOSTILE}`);
  writeFileSync(mapped, Buffer.alloc(8192));
});

afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

function expectClean(what: string, text: string): void {
  const bad = text.split('\n').find((l) => CONTROL.test(l) || l.startsWith('FORGED'));
  expect(bad, `${what}: a control character or a forged line`).toBeUndefined();
}

describe('hostile names in text output', () => {
  it('ps, ps --tree, inspect, inspect --env, why, maps, top --once, watch --once, why --load', async () => {
    const pid = await hostileProcess('idle');
    const escaped = '\\x1b]0;x\\x07\\x1b[2J';
    for (const args of [
      ['ps'],
      ['ps', '--tree'],
      ['ps', '--name', 'FORGED'],
      ['inspect', String(pid)],
      ['inspect', '--env', String(pid)],
      ['why', String(pid)],
      ['why', '--load'],
      ['maps', String(pid)],
      ['top', '--once', '-n', '1000'],
      ['watch', String(pid), '--once'],
    ]) {
      const r = oslens(args);
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      expectClean(args.join(' '), r.stdout + r.stderr);
    }
    // What is shown: the escapes, where the raw bytes were.
    const ps = oslens(['ps', '--name', 'FORGED']).stdout;
    expect(ps).toContain(`${escaped}\\nFORGED 1 root R\\x9b31m\\u{202e} -c`);
    const inspect = oslens(['inspect', '--env', String(pid)]).stdout;
    expect(inspect).toContain(`${pid} (${escaped})`);
    expect(inspect).toContain(`cwd       ${join(dir, `${escaped}\\nFORGED 1 root R\\x9b31m\\u{202e}`)}`);
    expect(inspect).toContain('HOSTILE_\\x1bVAR=');
    expect(oslens(['maps', String(pid)]).stdout).toContain(`/map${escaped}`);
  });

  it('the eBPF tools: snoop open (comm and path), syscount --by process, faults (comm and region path)', async () => {
    const escaped = '\\x1b]0;x\\x07\\x1b[2J';
    // Each tool says "Ctrl-C to stop" once its probes are attached: only then is the name made.
    const ready: Promise<void>[] = [];
    const run = (args: string[]) =>
      new Promise<string>((resolve) => {
        const p = spawn(process.execPath, ['bin/oslens', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        ready.push(
          new Promise<void>((r) => {
            p.stderr.on('data', (d) => {
              out += d;
              if (out.includes('Ctrl-C to stop')) r();
            });
            p.on('exit', () => r());
          }),
        );
        p.stdout.on('data', (d) => (out += d));
        p.on('exit', () => resolve(out));
      });
    const tools = [
      run(['snoop', 'open', '--duration', '8']),
      run(['syscount', '--by', 'process', '--duration', '8', '--top', '1000']),
      run(['faults', '--duration', '8', '--top', '1000', '--regions', '50']),
    ];
    await Promise.all(ready);
    await hostileProcess('idle');
    const [snoop, syscount, faults] = await Promise.all(tools);
    for (const [what, text] of [
      ['snoop', snoop],
      ['syscount', syscount],
      ['faults', faults],
    ] as const) {
      expectClean(what, text!);
      // syscount and faults name a process by its comm when first seen (python3, renamed later);
      // snoop's open comes after the rename, with the hostile path.
      if (what === 'snoop') expect(text, what).toContain(escaped);
    }
  });

  it('the JSON outputs keep the exact names', async () => {
    const pid = await hostileProcess('idle');
    const rows = JSON.parse(oslens(['ps', '--json', '--name', 'FORGED']).stdout) as {
      pid: number;
      command: string;
      comm: string;
    }[];
    const row = rows.find((r) => r.pid === pid);
    expect(row?.comm).toBe(HOSTILE);
    expect(row?.command.startsWith(`${FORGED} -c`)).toBe(true);
    const doc = JSON.parse(oslens(['inspect', '--json', String(pid)]).stdout) as { identity: { cwd: string } };
    expect(doc.identity.cwd).toBe(hostileDir);
  });

  it('time: the command line in the report; an error message quoting a name', () => {
    const r = oslens(['time', '--', 'sh', '-c', 'exit 0', FORGED]);
    expect(r.status).toBe(0);
    expectClean('time', r.stderr);
    expect(r.stderr).toContain('\\nFORGED');
    const missing = oslens(['time', '--', join(hostileDir, `missing${HOSTILE}`)]);
    expect(missing.status).toBe(127);
    expectClean('time of a missing command', missing.stderr);
  });
});

describe('hostile names in the dashboards (tmux)', () => {
  it('top and watch show the escapes; the terminal keeps its title and its screen', async (ctx) => {
    if (!HAS_TMUX) skipUnlessCapable(ctx.skip, 'tmux is not installed');
    const pid = await hostileProcess('busy');
    for (const args of [
      ['top', '-d', '0.5'],
      ['watch', String(pid), '-d', '0.5'],
    ]) {
      const s = new TmuxSession(args, { HOME: dir, OSLENS_HOME: join(dir, 'home') });
      try {
        const before = s.title();
        const screen = await s.waitFor((t) => t.includes('\\x1b]0;x\\x07'), 20_000, `${args[0]} showing the name`);
        expect(s.title(), `${args[0]}: the pane's title`).toBe(before);
        expect(
          screen.split('\n').some((l) => /^\s*FORGED/.test(l)),
          `${args[0]}: a forged line`,
        ).toBe(false);
        expect(screen, `${args[0]}: the screen was cleared`).toContain(args[0] === 'top' ? 'Processes' : 'Regions');
        s.keys('q');
        await s.waitFor((t) => t.includes('EXIT=0'), 10_000, 'a clean exit');
      } finally {
        s.kill();
      }
    }
  });
});
