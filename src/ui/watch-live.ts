/**
 * `oslens watch PID` / `oslens watch -- CMD`: drives the WatchCollector every -d seconds and hands
 * each WatchModel to the dashboard, or prints plain lines / one snapshot / JSON Lines.
 * A command started here is ended (SIGTERM) when the view quits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readCmdline } from '../proc/process.js';
import { readField, type Pid } from '../proc/read.js';
import { ExitCode, UserError } from '../util/errors.js';
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

/** Starts CMD for `watch -- CMD` (its output would garble the dashboard, so then it is discarded). */
export function startCommand(argv: string[], dashboard: boolean): ChildProcess {
  const [file, ...args] = argv;
  if (!file) throw new UserError('watch --: no command given', ExitCode.usage);
  const child = spawn(file, args, { stdio: dashboard ? 'ignore' : ['ignore', 'inherit', 'inherit'] });
  return child;
}

async function waitSpawned(child: ChildProcess): Promise<Pid> {
  return new Promise((resolve, reject) => {
    child.once('spawn', () => resolve(child.pid as number));
    child.once('error', (err) => reject(new UserError(`cannot start ${child.spawnfile}: ${err.message}`)));
  });
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
