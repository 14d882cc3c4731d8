/**
 * `oslens top`: drives the TopCollector every -d seconds and hands each TopModel to the dashboard,
 * or prints plain lines (no TTY), one snapshot (--once) or JSON Lines (--json).
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { errnoCode } from '../util/errors.js';
import { setFlagsFromString } from 'node:v8';
import { SIGNAL_MENU, renice, sendSignal } from '../proc/control.js';
import { TopCollector, type TopModel } from './collect/top.js';
import { openSyscallRates } from './collect/syscall-rates.js';
import { sampleLoop, type LiveOptions } from './live.js';
import { topPlainLine, topSnapshot } from './plain.js';
import { Shell } from './views/shell.js';
import { TOP_KEYS, TopView } from './views/top.js';

export interface TopOptions extends LiveOptions {
  ebpf: boolean;
  /** Plain mode: how many processes --once lists. */
  limit: number;
}

/** What the user asked for on leaving: nothing, or to watch a process. */
export type TopExit = { watch: number } | null;

/** The record --json streams: the model without the chart histories. */
export function topRecord(m: TopModel): object {
  return {
    time: m.time,
    system: m.system,
    sort: m.sort,
    reverse: m.reverse,
    threads: m.threads,
    syscallsNote: m.syscallsNote,
    processes: m.processes,
  };
}

/**
 * A dashboard waking once a second runs the same few functions at low frequency: V8's optimizing
 * compiler (TurboFan, on background threads) then costs more CPU than it saves, most of top's
 * cost after drawing (npm run bench:ui). From here on, code stays in the interpreter and Sparkplug
 * baseline code. Only for the dashboards: bench and the tracers keep the full JIT. (GC flags such
 * as --single-threaded-gc must not be changed at run time: V8 aborts at the next marking.)
 */
export function lightJit(): void {
  setFlagsFromString('--max-opt=1');
}

export async function runTop(opts: TopOptions): Promise<TopExit> {
  // eBPF syscount is attached only for the dashboard and --json: plain lines do not show it.
  const syscalls = await openSyscallRates({ enabled: opts.ebpf });
  const collector = new TopCollector(syscalls);
  try {
    if (!opts.dashboard) {
      const loop = sampleLoop(opts.intervalMs, () => {
        const m = collector.tick();
        if (opts.json) process.stdout.write(JSON.stringify(topRecord(m)) + '\n');
        else if (opts.once) process.stdout.write(topSnapshot(m, opts.limit).join('\n') + '\n');
        else process.stdout.write(topPlainLine(m) + '\n');
        return !opts.once;
      });
      await loop.done;
      return null;
    }
    return await dashboard(collector, opts);
  } finally {
    syscalls.close();
    collector.close();
  }
}

/** Why `oslens watch PID` would fail at once (its smaps unreadable, no address space), or null. */
function whyNotWatchable(pid: number): string | null {
  try {
    const fd = openSync(`/proc/${pid}/smaps`, 'r');
    try {
      // Opening works for anyone; reading checks ptrace access. Empty: a kernel thread or zombie.
      if (readSync(fd, Buffer.alloc(64), 0, 64, 0) === 0) return 'it has no address space (kernel thread or exited)';
    } finally {
      closeSync(fd);
    }
    return null;
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT' || code === 'ESRCH') return 'it has exited';
    if (code === 'EACCES' || code === 'EPERM')
      return 'permission denied reading its smaps (run as its user or as root)';
    return `cannot read its smaps (${code ?? String(err)})`;
  }
}

async function dashboard(collector: TopCollector, opts: TopOptions): Promise<TopExit> {
  lightJit();
  const shell = new Shell({ title: 'oslens top', keys: TOP_KEYS });
  const view = new TopView(shell, opts.bench, SIGNAL_MENU, availableParallelism());
  let last: TopModel | null = null;
  let exit: TopExit = null;
  const loop = sampleLoop(opts.intervalMs, () => {
    last = collector.tick();
    view.draw(last);
  });
  shell.onClose(() => loop.stop());
  // sampleLoop's SIGINT handler stops sampling; the shell must close too.
  void loop.done.then(() => shell.close());
  const redraw = () => {
    if (last) view.draw(last);
  };
  const label = (pid: number) => {
    const r = last?.processes.find((p) => p.pid === pid);
    return r ? `${pid} (${r.comm})` : String(pid);
  };
  view.actions = {
    sort: (key, reverse) => {
      collector.sort = key;
      collector.reverse = reverse;
      if (last) last = collector.resort(last, key, reverse);
      redraw();
    },
    // Threads are sampled from the next tick on.
    threads: (show) => {
      collector.showThreads = show;
      shell.notify(show ? 'threads shown from the next refresh' : 'threads hidden from the next refresh');
    },
    watch: (pid) => {
      // watch reads the process's smaps: when that cannot be done, say why here and stay in top.
      const why = whyNotWatchable(pid);
      if (why) {
        shell.notify(`w: cannot watch ${pid}: ${why}`);
        shell.render();
        return;
      }
      exit = { watch: pid };
      shell.close();
    },
    signal: (pid, signal) => sendSignal(pid, signal, label(pid)).message,
    renice: (pid, delta) => renice(pid, delta, label(pid)).message,
  };
  shell.setKeyLine(`sampling every ${opts.intervalMs / 1000}s…`);
  // The lens from the start when it is shown (it loads the lessons: a one-off cost better paid
  // at start-up than in the first refresh); folded, when `l` first shows it.
  shell.updateLens();
  shell.render();
  await shell.closedPromise;
  return exit;
}
