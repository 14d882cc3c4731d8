/**
 * Drives a view in a real terminal: tmux new / send-keys / capture-pane (what a person would see).
 *
 * Each test file gets its own tmux server (`tmux -L <socket>`, no user config), kept alive between
 * its sessions (exit-empty off) and killed after the file's tests, waiting until it has exited.
 * One shared default server flaked: a `tmux new` that reached a server still exiting after the
 * previous test's last session failed with "server exited unexpectedly".
 */
import { execFileSync, spawnSync, type ExecFileSyncOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { afterAll } from 'vitest';
import { OSLENS } from '../helpers/env.js';

export const HAS_TMUX = spawnSync('tmux', ['-V']).status === 0;

/** This test file's tmux server: a socket name no other file (or run) uses. */
const socketName = () => `oslens-test-${process.pid}-${randomBytes(4).toString('hex')}`;
let SOCKET = socketName();
let serverPid = 0;
let socketPath = '';
let counter = 0;

function tmux(args: string[], opts: ExecFileSyncOptions = {}): string {
  return String(execFileSync('tmux', ['-L', SOCKET, '-f', '/dev/null', ...args], { encoding: 'utf8', ...opts }));
}

/** True while `pid` is a live process (a zombie counts as ended). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

function waitGone(pid: number, what: string, timeoutMs = 10_000): void {
  const end = Date.now() + timeoutMs;
  while (alive(pid)) {
    if (Date.now() > end) throw new Error(`${what} (pid ${pid}) did not end within ${timeoutMs} ms`);
    spawnSync('sleep', ['0.05']);
  }
}

afterAll(() => {
  if (!serverPid) return;
  spawnSync('tmux', ['-L', SOCKET, 'kill-server']);
  waitGone(serverPid, `tmux server ${SOCKET}`);
  rmSync(socketPath, { force: true }); // a killed server leaves its socket file behind
  rmSync(`${socketPath}.lock`, { force: true });
  serverPid = 0;
});

export class TmuxSession {
  readonly name = `oslens-ui-${process.pid}-${++counter}`;
  private readonly panePid: number;

  /**
   * Starts `oslens ARGS` in a terminal of `size` (120×40 unless given); after it exits the pane
   * prints EXIT=<code>. The third argument may instead be a whole command line replacing oslens
   * ARGS (e.g. oslens as another user: helpers/unprivileged). `prefix`: words before the command
   * (setpriv ... to run it as another user).
   */
  constructor(
    args: string[],
    env: Record<string, string> = {},
    sizeOrCommand: { cols: number; rows: number } | string[] = { cols: 120, rows: 40 },
    prefix: string[] = [],
  ) {
    const command = Array.isArray(sizeOrCommand) ? sizeOrCommand : undefined;
    const size = Array.isArray(sizeOrCommand) ? { cols: 120, rows: 40 } : sizeOrCommand;
    const envs = Object.entries(env).map(([k, v]) => `${k}=${shellQuote(v)}`);
    const argv = command ?? [process.execPath, OSLENS, ...args];
    // Another user may not enter the test's cwd: such a command runs from /.
    const cd = command || prefix.length > 0 ? 'cd / && ' : '';
    const cmd = `${cd}${prefix.map(shellQuote).join(' ')} env ${envs.join(' ')} ${argv.map(shellQuote).join(' ')}; echo EXIT=$?; sleep 60`;
    // The server stays up when its last session ends, so the next test never meets it exiting.
    const start = () =>
      tmux(
        [
          'new',
          '-d',
          '-s',
          this.name,
          '-x',
          String(size.cols),
          '-y',
          String(size.rows),
          cmd,
          ';',
          'set',
          '-s',
          'exit-empty',
          'off',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
    for (let attempt = 1; ; attempt++) {
      try {
        start();
        break;
      } catch (err) {
        // On a loaded machine a server being started can fail ("server exited unexpectedly",
        // its .lock left behind): start this file's server afresh on a new socket, twice at most.
        if (serverPid || attempt === 3) throw err;
        const dir = `${process.env.TMUX_TMPDIR ?? '/tmp'}/tmux-${process.getuid?.() ?? 0}`;
        rmSync(`${dir}/${SOCKET}`, { force: true });
        rmSync(`${dir}/${SOCKET}.lock`, { force: true });
        SOCKET = socketName();
      }
    }
    if (!serverPid) {
      const [pid, path] = tmux(['display', '-p', '-t', this.name, '#{pid} #{socket_path}']).trim().split(' ');
      [serverPid, socketPath] = [Number(pid), path];
    }
    this.panePid = Number(tmux(['list-panes', '-t', this.name, '-F', '#{pane_pid}']).trim());
  }

  capture(): string {
    try {
      return tmux(['capture-pane', '-p', '-t', this.name], { stdio: ['ignore', 'pipe', 'ignore'] });
    } catch {
      return '';
    }
  }

  /** The pane's title: what a program set with OSC 0/2 (tmux's own default is the host name). */
  title(): string {
    return tmux(['display', '-p', '-t', this.name, '#{pane_title}']).trimEnd();
  }

  keys(...keys: string[]): void {
    // A terminal sends Esc as a lone byte; Esc and the next key read together are Meta-key.
    // So Esc ends a call, and the caller waits for its effect before the next key.
    if (keys.slice(0, -1).includes('Escape')) throw new Error('send Escape last and wait for its effect');
    tmux(['send-keys', '-t', this.name, ...keys]);
  }

  /** Polls the screen until `pred` holds; returns the screen (throws with it on timeout). */
  async waitFor(pred: (screen: string) => boolean, timeoutMs = 15_000, what = 'screen'): Promise<string> {
    const end = Date.now() + timeoutMs;
    let screen = '';
    while (Date.now() < end) {
      screen = this.capture();
      if (pred(screen)) return screen;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`timed out waiting for ${what}; the screen was:\n${screen}`);
  }

  /** Resizes the terminal (the view gets SIGWINCH and redraws everything). */
  resize(cols: number, rows: number): void {
    tmux(['resize-window', '-t', this.name, '-x', String(cols), '-y', String(rows)]);
  }

  /** Ends the session and waits until the pane's shell has exited. */
  kill(): void {
    spawnSync('tmux', ['-L', SOCKET, 'kill-session', '-t', this.name]);
    waitGone(this.panePid, `the shell of tmux session ${this.name}`);
  }
}

function shellQuote(s: string): string {
  return /^[\w./=:@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
