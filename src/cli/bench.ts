/** `oslens bench`: measure the latency table on this machine. */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { BENCHMARKS, BENCH_IDS } from '../bench/catalog.js';
import { diffRuns } from '../bench/diff.js';
import { renderComparison, renderPair, renderTable } from '../bench/render.js';
import { orderedIds, runBenchmarks } from '../bench/runner.js';
import type { BenchRun } from '../bench/types.js';
import { checkBenchHome, readRunFile, rememberRun } from '../bench/saved.js';
import { diskTempDir } from '../bench/host.js';
import { noiseWarning } from '../bench/noise.js';
import { parseMeminfo } from '../proc/system.js';
import { findLatencyRow } from '../lessons/load.js';
import { loadAddon } from '../native/addon.js';
import { ExitCode, UserError } from '../util/errors.js';
import { checkWritable, writeFileReplacing } from '../util/files.js';
import { writeReport } from './report.js';
import { parsePositiveInt, parseSize } from '../util/units.js';

interface BenchFlags {
  list?: boolean;
  json?: boolean;
  quick?: boolean;
  save?: string;
  compare?: string;
  report?: string;
  heap: string;
  batches?: string;
  rounds?: string;
  pin: boolean;
  live?: boolean;
  rememberNoisy?: boolean;
}

export function register(program: Command): void {
  program
    .command('bench')
    .description('measure the classic latency table on this machine and compare it with the reference')
    .argument('[ids...]', `benchmarks to run (default: all). Ids: ${BENCH_IDS.join(', ')}`)
    .option('--list', 'list the benchmarks with their model, latency row and method')
    .option('--json', 'print one JSON document (see README: "bench --json")')
    .option(
      '--quick',
      'fewer batches and smaller working sets (the suite in about a minute on a busy 2-core VM; --rounds 1 halves it)',
    )
    .option('--save <file>', 'also write the JSON document to FILE')
    .option(
      '--compare <file>',
      'print this run beside a saved one (from --save); --compare A.json B.json compares two saved runs without measuring',
    )
    .option('--report <file>', 'also write the run as a self-contained HTML report (see oslens report)')
    .option('--heap <size>', 'heap of fork-large and memcpy-large', '1G')
    .option('--batches <n>', 'batches per benchmark (default 7 with --quick, 31 otherwise)')
    .option('--rounds <n>', 'interleaved rounds the batches are split across (default 2 with --quick, 3 otherwise)')
    .option('--no-pin', 'do not pin to one CPU (the context-switch benchmarks then skip)')
    .option('--remember-noisy', 'remember a noisy run as this machine\'s figures anyway (README: "Noise")')
    .option('--live', 'show the run as a live dashboard (README: "Live dashboards"); saves ~/.oslens/last-bench.json')
    .addHelpText(
      'after',
      '\nExamples:\n  oslens bench --quick\n  oslens bench write-devnull counter-inc\n  oslens bench --json --save host-a.json\n  oslens bench --compare host-a.json\n  oslens bench --compare host-a.json host-b.json\n  oslens bench --quick --report now.html',
    )
    .action(async (ids: string[], flags: BenchFlags) => {
      await benchCommand(ids, flags);
    });
}

async function benchCommand(ids: string[], flags: BenchFlags): Promise<void> {
  if (flags.list) {
    printList(Boolean(flags.json));
    return;
  }
  // --compare A.json B.json: the first argument that is not a benchmark id but names a file
  // (a path, or *.json) is the second run; nothing is measured
  const first = ids[0];
  if (flags.compare && first !== undefined && !BENCH_IDS.includes(first) && /[/.]/.test(first)) {
    compareSaved(flags.compare, first, ids.slice(1), flags);
    return;
  }
  const unknown = ids.filter((id) => !BENCH_IDS.includes(id));
  if (unknown.length > 0) {
    throw new UserError(
      `unknown benchmark ${unknown.map((u) => `"${u}"`).join(', ')}; valid ids: ${BENCH_IDS.join(', ')}`,
      ExitCode.usage,
    );
  }
  const heapBytes = parseSize(flags.heap, '--heap');
  if (heapBytes < 1 << 20) throw new UserError('--heap: at least 1M', ExitCode.usage);
  const batches = flags.batches === undefined ? undefined : parsePositiveInt(flags.batches, '--batches', 10000);
  const rounds = flags.rounds === undefined ? undefined : parsePositiveInt(flags.rounds, '--rounds', 100);
  const other = flags.compare ? readRunFile(flags.compare) : undefined;
  const selected = orderedIds(ids.length > 0 ? ids : BENCH_IDS);
  // What can fail after minutes of measuring is checked first.
  checkBenchHome();
  if (flags.save) checkWritable(flags.save, '--save');
  if (flags.report) checkWritable(flags.report, '--report');
  diskTempDir(process.env, (flags.quick ? 48 : 320) << 20); // an OSLENS_TMPDIR that cannot be used
  checkHeapFits(selected, heapBytes, flags.heap);
  if (flags.live) {
    const run = { quick: Boolean(flags.quick), heapBytes, batches, rounds, pin: flags.pin };
    // The dashboard (blessed) is loaded only when asked for: it is most of the CLI's start-up.
    const { benchLive } = await import('../ui/bench-live.js');
    const full = await benchLive(selected, {
      run,
      json: Boolean(flags.json),
      save: flags.save,
      rememberNoisy: flags.rememberNoisy,
    });
    if (full && flags.report) writeReport([{ name: 'this run', run: full }], flags.report, '--report');
    return;
  }

  let cancelled = false;
  const onSigint = () => {
    if (cancelled) process.exit(ExitCode.interrupted); // second Ctrl-C: do not wait
    cancelled = true;
    loadAddon().cancelBench();
  };
  process.on('SIGINT', onSigint);
  const showProgress = Boolean(process.stderr.isTTY) && !flags.json;
  const run = await runBenchmarks(selected, {
    quick: Boolean(flags.quick),
    heapBytes,
    batches,
    rounds,
    pin: flags.pin,
    cancelled: () => cancelled,
    onProgress: showProgress
      ? (done, total, id) => {
          process.stderr.write(done < total ? `\r\x1b[K[${done + 1}/${total}] ${id}` : '\r\x1b[K');
        }
      : undefined,
  }).finally(() => {
    process.off('SIGINT', onSigint);
    if (showProgress) process.stderr.write('\r\x1b[K');
  });
  if (cancelled)
    throw new UserError('interrupted: benchmark stopped, helpers reaped, temp files removed', ExitCode.interrupted);

  // for the lessons and lenses (oslens learn shows this machine's figures): never a noisy run
  // unless asked, so a busy machine's figures are not quoted as this machine's
  const remember = !run.noise.noisy || Boolean(flags.rememberNoisy);
  if (remember) {
    run.noise.rememberedAnyway = run.noise.noisy;
    rememberRun(run);
  }
  const warning = noiseWarning(run, remember);
  if (warning) process.stderr.write(warning + '\n');
  if (flags.save) {
    writeFileReplacing(flags.save, JSON.stringify(run, null, 2) + '\n', '--save');
  }
  if (flags.report) writeReport([{ name: 'this run', run }], flags.report, '--report');
  if (flags.json) {
    process.stdout.write(JSON.stringify(run, null, 2) + '\n');
  } else {
    const pair = renderPair(run, 'write-devnull', 'counter-inc');
    if (pair && selected.length <= 3) process.stdout.write(pair + '\n');
    const columns = process.stdout.isTTY ? process.stdout.columns : Number(process.env.COLUMNS) || undefined;
    process.stdout.write(renderTable(run, { color: Boolean(process.stdout.isTTY), width: columns }));
    if (other && flags.compare) process.stdout.write('\n' + renderComparison(run, other, flags.compare));
  }
}

/** `bench --compare A.json B.json [IDS...]`: two saved runs side by side, nothing measured. */
function compareSaved(fileA: string, fileB: string, ids: string[], flags: BenchFlags): void {
  const unknown = ids.filter((id) => !BENCH_IDS.includes(id));
  if (unknown.length > 0)
    throw new UserError(
      `--compare ${fileA} ${fileB}: unknown benchmark ${unknown.map((u) => `"${u}"`).join(', ')} (or more than two files)`,
      ExitCode.usage,
    );
  const measuring = (['save', 'report', 'live', 'quick', 'batches', 'rounds', 'rememberNoisy'] as const).filter(
    (k) => flags[k] !== undefined,
  );
  if (measuring.length > 0)
    throw new UserError(
      `--compare with two files measures nothing: --${measuring[0]!.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())} does not apply`,
      ExitCode.usage,
    );
  const a = readRunFile(fileA);
  const b = readRunFile(fileB);
  const selected = ids.length > 0 ? orderedIds(ids) : [];
  if (flags.json) {
    const diff = diffRuns(a, b, selected);
    const side = (file: string, run: BenchRun) => ({
      file,
      host: run.host,
      noisy: Boolean(run.noise?.noisy),
      date: run.host.date,
    });
    process.stdout.write(JSON.stringify({ a: side(fileA, a), b: side(fileB, b), ...diff }, null, 2) + '\n');
    return;
  }
  process.stdout.write(renderComparison(a, b, fileB, { currentName: fileA, ids: selected }));
}

/**
 * The heap benchmarks touch their heap (fork-large) or two of them (memcpy-large copies one
 * into the other): more than MemAvailable would swap or call the OOM killer, not measure.
 */
function checkHeapFits(ids: readonly string[], heapBytes: number, text: string): void {
  const touched = ids.includes('memcpy-large') ? 2 * heapBytes : ids.includes('fork-large') ? heapBytes : 0;
  if (touched === 0) return;
  const available = parseMeminfo(readFileSync('/proc/meminfo', 'utf8')).MemAvailable;
  if (available === undefined || touched <= available * 0.9) return;
  const gib = (n: number) => `${(n / 2 ** 30).toFixed(1)} GiB`;
  throw new UserError(
    `--heap ${text}: the heap benchmarks would touch ${gib(touched)} but ${gib(available)} is available (MemAvailable); use a smaller --heap`,
    ExitCode.usage,
  );
}

function printList(json: boolean): void {
  const rows = BENCHMARKS.map((b) => ({
    id: b.id,
    title: b.title,
    model: b.model,
    row: b.row,
    reference: findLatencyRow(b.row).display,
    method: b.method,
  }));
  if (json) {
    process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
    return;
  }
  for (const r of rows) {
    process.stdout.write(
      `${r.id.padEnd(16)} ${r.model.padEnd(18)} ${`${r.row} (${r.reference})`.padEnd(44)} ${r.method}\n`,
    );
  }
}
