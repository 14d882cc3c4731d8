/**
 * `oslens trace --live`: feeds the tracer's records (ptrace or eBPF engine, through
 * TraceRenderer's JSON records) to the TraceLiveCollector and redraws every -d seconds; without a
 * TTY, prints one plain line per record. q / Ctrl-C stops the trace (a spawned command is killed,
 * attached processes are detached), then the terminal is restored.
 */
import type { EngineRecord } from '../trace/records.js';
import { TraceRenderer, renderOptions } from '../trace/render.js';
import type { TraceRecord } from '../trace/types.js';
import { TraceLiveCollector, recordLine } from './collect/trace.js';
import type { SavedBench } from './collect/lens.js';
import { sampleLoop } from './live.js';
import { Shell } from './views/shell.js';
import { TRACE_KEYS, TraceView } from './views/trace.js';

export interface TraceLiveOptions {
  intervalMs: number;
  dashboard: boolean;
  bench: SavedBench | null;
  follow: boolean;
  title: string;
}

/** A started tracer: records arrive through the callback given to start(). */
export interface LiveTracer {
  stop(): void;
  /** Resolves when every traced process has gone (or the trace was stopped). */
  done: Promise<unknown>;
}

export async function runTraceLive(
  start: (onRecords: (records: EngineRecord[]) => void) => Promise<LiveTracer> | LiveTracer,
  opts: TraceLiveOptions,
): Promise<void> {
  const renderer = new TraceRenderer(renderOptions({ follow: opts.follow, durations: true, model: true }, true, true));
  const collector = new TraceLiveCollector();
  const toRecords = (records: EngineRecord[]) => {
    const out: TraceRecord[] = [];
    for (const r of records) for (const x of renderer.push(r)) if (typeof x !== 'string') out.push(x);
    return out;
  };

  if (!opts.dashboard) {
    const tracer = await start((records) => {
      const lines = toRecords(records)
        .map(recordLine)
        .filter((l): l is string => l !== null);
      if (lines.length > 0) process.stdout.write(lines.join('\n') + '\n');
    });
    const onSignal = () => tracer.stop();
    for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, onSignal);
    await tracer.done;
    for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.off(s, onSignal);
    return;
  }

  const shell = new Shell({ title: `oslens trace --live`, keys: TRACE_KEYS });
  const view = new TraceView(shell, opts.bench, opts.title);
  let tracer: LiveTracer;
  try {
    tracer = await start((records) => {
      for (const r of toRecords(records)) collector.push(r);
    });
  } catch (err) {
    shell.close();
    throw err;
  }
  let stopping = false;
  const stopTracer = () => {
    if (stopping) return;
    stopping = true;
    tracer.stop();
  };
  const loop = sampleLoop(opts.intervalMs, () => {
    view.draw(collector.tick());
  });
  shell.onClose(() => {
    loop.stop();
    stopTracer();
  });
  void loop.done.then(() => shell.close());
  void tracer.done.then(() => {
    if (shell.isClosed) return;
    collector.ended = 'every traced process has gone';
    view.draw(collector.tick());
    shell.setKeyLine('trace ended: the last figures stay; press q to quit');
    shell.render();
  });
  shell.setKeyLine(`tracing ${opts.title}; refresh every ${opts.intervalMs / 1000}s`);
  shell.render();
  await shell.closedPromise;
  // The tracee is killed (or detached) before we return: wait for the engine to finish.
  await tracer.done;
}
