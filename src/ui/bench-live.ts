/**
 * `oslens bench --live`: runs the suite one benchmark at a time through src/bench's runner and
 * hands each result to the dashboard (or, without a TTY, prints a line per result; --json streams
 * the BenchResult records). At the end the run is saved to ~/.oslens/last-bench.json, where every
 * dashboard's lens finds this machine's figures.
 */
import { writeFileReplacing } from '../util/files.js';
import { findBench } from '../bench/catalog.js';
import { computeRatios, folkloreNotes } from '../bench/compare.js';
import { mergeNoise, noiseWarning } from '../bench/noise.js';
import { renderTable } from '../bench/render.js';
import { runBenchmarks, type RunOptions } from '../bench/runner.js';
import type { BenchResult, BenchRun } from '../bench/types.js';
import { loadLatencyTable } from '../lessons/load.js';
import { loadAddon } from '../native/addon.js';
import { ExitCode, UserError } from '../util/errors.js';
import { benchLiveModel, benchPlainLine, type BenchSpecLike } from './collect/bench.js';
import { defaultBenchFile, loadSavedBench, rememberRun, type SavedBench } from '../bench/saved.js';
import { BenchView } from './views/bench.js';
import { Shell } from './views/shell.js';

export interface BenchLiveOptions {
  run: Omit<RunOptions, 'onProgress' | 'cancelled'>;
  json: boolean;
  /** Also write the run here (bench --save). */
  save?: string;
  /** Remember the run even when it was noisy (bench --remember-noisy). */
  rememberNoisy?: boolean;
  /** Where the run is saved for the lenses (default ~/.oslens/last-bench.json). */
  lastBenchFile?: string;
}

export async function benchLive(ids: readonly string[], opts: BenchLiveOptions): Promise<BenchRun | null> {
  const specs: BenchSpecLike[] = ids.map((id) => {
    const s = findBench(id);
    if (!s) throw new UserError(`unknown benchmark "${id}"`, ExitCode.usage);
    return s;
  });
  const dashboard = Boolean(process.stdout.isTTY && process.stdin.isTTY) && !opts.json;
  const lastFile = opts.lastBenchFile ?? defaultBenchFile();
  let saved: SavedBench | null = loadSavedBench(lastFile);
  const results = new Map<string, BenchResult>();
  const runs: BenchRun[] = [];
  let cancelled = false;
  const cancel = () => {
    if (cancelled) return;
    cancelled = true;
    loadAddon().cancelBench();
  };

  let shell: Shell | null = null;
  let view: BenchView | null = null;
  if (dashboard) {
    shell = new Shell({
      title: 'oslens bench --live',
      keys: [
        '↑/↓, j/k   select a benchmark: the lens shows its model and latency row',
        'q          stop the run (helpers reaped) and quit',
      ],
    });
    shell.onClose(cancel);
    view = new BenchView(shell, () => saved);
  }
  const onSigint = () => (shell ? shell.close() : cancel());
  process.on('SIGINT', onSigint);

  const draw = (running: string | null, status: string) => {
    view?.draw(benchLiveModel(specs, results, running), status);
  };
  try {
    draw(specs[0]?.id ?? null, 'starting');
    for (const [i, spec] of specs.entries()) {
      if (cancelled) break;
      draw(spec.id, `running ${spec.id} (${i + 1}/${specs.length})`);
      const run = await runBenchmarks([spec.id], {
        ...opts.run,
        cancelled: () => cancelled,
        onProgress: (done, _total, id) => {
          if (done === 0) draw(id, `running ${id} (${i + 1}/${specs.length})`);
        },
      });
      runs.push(run);
      const r = run.results[0];
      if (!r) continue;
      results.set(spec.id, r);
      if (opts.json) process.stdout.write(JSON.stringify(r) + '\n');
      else if (!dashboard) {
        const row = benchLiveModel(specs, results, null).rows[i];
        if (row) process.stdout.write(benchPlainLine(row, i + 1, specs.length) + '\n');
      }
    }
  } finally {
    process.off('SIGINT', onSigint);
  }

  const first = runs[0];
  const all = specs.map((s) => results.get(s.id)).filter((r): r is BenchResult => r !== undefined);
  let full: BenchRun | null = null;
  let remembered = false;
  if (first && !cancelled) {
    const ratios = computeRatios(all, loadLatencyTable());
    const noise = mergeNoise(runs.map((r) => r.noise)) ?? first.noise;
    full = { ...first, results: all, ratios, notes: folkloreNotes(all, ratios, opts.run.heapBytes), noise };
    remembered = !noise.noisy || Boolean(opts.rememberNoisy);
    noise.rememberedAnyway = remembered && noise.noisy;
    if (remembered) rememberRun(full, lastFile);
    if (opts.save) {
      writeFileReplacing(opts.save, JSON.stringify(full, null, 2) + '\n', '--save');
    }
    saved = loadSavedBench(lastFile) ?? saved;
  }
  if (shell) {
    if (!shell.isClosed) {
      const where = remembered ? `saved to ${lastFile}` : 'noisy: not remembered';
      draw(null, cancelled ? 'stopped' : `done: ${where}; press q to quit`);
      await shell.closedPromise;
    }
  }
  if (cancelled && !full) {
    throw new UserError('interrupted: benchmark stopped, helpers reaped, temp files removed', ExitCode.interrupted);
  }
  if (full && !opts.json) {
    if (dashboard) process.stdout.write(renderTable(full, { color: Boolean(process.stdout.isTTY) }));
    else if (remembered) process.stdout.write(`saved to ${lastFile}\n`);
  }
  const warning = full ? noiseWarning(full, remembered) : null;
  if (warning) process.stderr.write(warning + '\n');
  return full;
}
