/**
 * `oslens watch PID` / `oslens watch -- CMD`: drives the WatchCollector every -d seconds and hands
 * each WatchModel to the dashboard, or prints plain lines / one snapshot / JSON Lines.
 * A command started here is ended (SIGTERM) when the view quits.
 */
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { BUILD_DIR } from '../native/addon.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { readCmdline } from '../proc/process.js';
import { readField, type Pid } from '../proc/read.js';
import { ExitCode, UserError, errnoCode } from '../util/errors.js';
import { openSyscallRates } from './collect/syscall-rates.js';
import { WatchCollector, type WatchModel } from './collect/watch.js';
import { sampleLoop, type LiveOptions } from './live.js';
import { watchPlainLine, watchSnapshot } from './plain.js';
import { Shell } from './views/shell.js';
import { WATCH_KEYS, WatchView } from './views/watch.js';

export interface WatchOptions extends LiveOptions {
  ebpf: boolean;
}

/** The record --json streams: the model without the chart histories. */
export function watchRecord(m: WatchModel): object {
  const rest: Partial<WatchModel> = { ...m };
  delete rest.history;
  return rest;
}

/** As a shell says it before running: 127 when there is no such command, 126 when it cannot run. */
function checkCommand(file: string): void {
  const dirs = file.includes('/') ? [''] : (process.env.PATH ?? '/usr/bin:/bin').split(':');
  let found = false;
  for (const d of dirs) {
    const p = d === '' && !file.includes('/') ? `./${file}` : d === '' ? file : `${d}/${file}`;
    try {
      if (!statSync(p).isFile()) continue;
      found = true;
      accessSync(p, constants.X_OK);
      return;
    } catch {
      // the next directory
    }
  }
  if (found) throw new UserError(`cannot run ${file}: permission denied`, 126);
  throw new UserError(`cannot run ${file}: command not found`, 127);
}

/**
 * Starts CMD for `watch -- CMD` (its output would garble the dashboard, so then it is discarded)
 * through oslens-runwait --exec, which makes it die with oslens, even a SIGKILLed one.
 */
export function startCommand(argv: string[], dashboard: boolean): ChildProcess {
  const [file, ...args] = argv;
  if (!file) throw new UserError('watch --: no command given', ExitCode.usage);
  checkCommand(file);
  const helper = resolve(BUILD_DIR, 'oslens-runwait');
  if (!existsSync(helper)) throw new UserError(`${helper} is missing: build it with \`npm run build:native\``);
  return spawn(helper, ['--exec', file, ...args], { stdio: dashboard ? 'ignore' : ['ignore', 'inherit', 'inherit'] });
}

/** The command's pid, once the helper has exec'd it (so its cmdline is the command's). */
async function waitSpawned(child: ChildProcess): Promise<Pid> {
  const pid = await new Promise<Pid>((res, rej) => {
    child.once('spawn', () => res(child.pid as number));
    child.once('error', (err) => rej(new UserError(`cannot run ${child.spawnfile}: ${errnoCode(err) ?? err.message}`)));
  });
  for (let i = 0; i < 200 && child.exitCode === null; i++) {
    const argv = readField(() => readCmdline(pid));
    if (!Array.isArray(argv) || argv[1] !== '--exec') break;
    await new Promise((r) => setTimeout(r, 5));
  }
  return pid;
}

export async function runWatch(target: { pid: Pid } | { argv: string[] }, opts: WatchOptions): Promise<void> {
  let child: ChildProcess | null = null;
  let pid: Pid;
  if ('pid' in target) pid = target.pid;
  else {
    child = startCommand(target.argv, opts.dashboard);
    pid = await waitSpawned(child);
  }
  const argv = readField(() => readCmdline(pid));
  const command = Array.isArray(argv) ? argv.join(' ') : '';
  const syscalls = await openSyscallRates({ enabled: opts.ebpf, pid });
  const collector = new WatchCollector(pid, command, syscalls);
  const endChild = () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  };
  try {
    collector.start();
    if (!opts.dashboard) {
      const loop = sampleLoop(opts.intervalMs, () => {
        const m = collector.tick();
        if (opts.json) process.stdout.write(JSON.stringify(watchRecord(m)) + '\n');
        else if (opts.once) process.stdout.write(watchSnapshot(m).join('\n') + '\n');
        else process.stdout.write(watchPlainLine(m) + '\n');
        // Plain mode ends once the process is gone (after saying so once).
        if (m.exited) return false;
        return !opts.once;
      });
      await loop.done;
      return;
    }
    const shell = new Shell({ title: `oslens watch ${pid}`, keys: WATCH_KEYS });
    const view = new WatchView(shell, opts.bench, opts.intervalMs / 1000);
    const loop = sampleLoop(opts.intervalMs, () => {
      view.draw(collector.tick());
    });
    shell.onClose(() => loop.stop());
    void loop.done.then(() => shell.close());
    shell.setKeyLine(`watching pid ${pid}, sampling every ${opts.intervalMs / 1000}s…`);
    shell.render();
    await shell.closedPromise;
  } finally {
    syscalls.close();
    endChild();
  }
}
