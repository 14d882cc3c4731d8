/** Drives a view in a real terminal: tmux new / send-keys / capture-pane (what a person would see). */
import { execFileSync, spawnSync } from 'node:child_process';
import { OSLENS } from '../helpers/env.js';

export const HAS_TMUX = spawnSync('tmux', ['-V']).status === 0;

let counter = 0;

export class TmuxSession {
  readonly name = `oslens-ui-${process.pid}-${++counter}`;

  /** Starts `oslens ARGS` in a 120×40 terminal; after it exits the pane prints EXIT=<code>. */
  constructor(args: string[], env: Record<string, string> = {}) {
    const envs = Object.entries(env).map(([k, v]) => `${k}=${shellQuote(v)}`);
    const cmd = `env ${envs.join(' ')} ${shellQuote(process.execPath)} ${shellQuote(OSLENS)} ${args.map(shellQuote).join(' ')}; echo EXIT=$?; sleep 60`;
    execFileSync('tmux', ['new', '-d', '-s', this.name, '-x', '120', '-y', '40', cmd]);
  }

  capture(): string {
    try {
      return execFileSync('tmux', ['capture-pane', '-p', '-t', this.name], { encoding: 'utf8' });
    } catch {
      return '';
    }
  }

  keys(...keys: string[]): void {
    execFileSync('tmux', ['send-keys', '-t', this.name, ...keys]);
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
    execFileSync('tmux', ['resize-window', '-t', this.name, '-x', String(cols), '-y', String(rows)]);
  }

  kill(): void {
    spawnSync('tmux', ['kill-session', '-t', this.name]);
  }
}

function shellQuote(s: string): string {
  return /^[\w./=:@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
