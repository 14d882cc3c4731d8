#!/usr/bin/env node
/**
 * npm run bench:fidelity [-- --json] [--only NAME] [--show N] [--oslens PATH] [--corpus main|heldout] [--ebpf]
 *
 * How close `oslens trace` is to strace on everyday programs (scripts/fidelity/corpus.mjs). Each
 * program runs in a fresh directory with the same inputs and the same environment, under
 * `strace -o FILE` twice and under `oslens trace -o FILE` once, with the same flags (-f for
 * programs that start processes or threads; both without and with -f for the others). The traces
 * are normalised (only run-dependent values: scripts/fidelity/normalise.mjs), split per task and
 * aligned (scripts/fidelity/align.mjs). Printed: per program and in total, the share of strace's
 * lines that oslens printed identically, next to strace against itself (the noise floor), and the
 * differences by kind and by syscall with an example each. --oslens PATH runs another build's
 * bin/oslens (to compare before and after a change). --corpus heldout runs the held-out programs
 * (scripts/fidelity/heldout.mjs) instead of the main corpus. --ebpf scores `oslens trace --ebpf`
 * (root): what it reads in kernel without stopping the tracee, against the same strace runs.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { addComparison, compareTraces } from './fidelity/align.mjs';
import { CORPUS as MAIN, baseSetup } from './fidelity/corpus.mjs';
import { CORPUS as HELDOUT } from './fidelity/heldout.mjs';
import { normaliseTrace } from './fidelity/normalise.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const RUN_TIMEOUT_MS = 120_000;

function parseArgs(argv) {
  const o = { json: false, only: null, show: 0, oslens: join(ROOT, 'bin/oslens'), corpus: 'main', ebpf: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') o.json = true;
    else if (a === '--only') o.only = argv[++i];
    else if (a === '--show') o.show = Number(argv[++i]);
    else if (a === '--oslens') o.oslens = resolve(argv[++i] ?? '');
    else if (a === '--corpus') o.corpus = argv[++i];
    else if (a === '--ebpf') o.ebpf = true;
    else {
      console.error(
        `bench:fidelity: unknown argument '${a}' (use --json, --only NAME, --show N, --oslens PATH, --corpus main|heldout, --ebpf)`,
      );
      process.exit(2);
    }
  }
  if (o.corpus !== 'main' && o.corpus !== 'heldout') {
    console.error("bench:fidelity: --corpus takes 'main' or 'heldout'");
    process.exit(2);
  }
  if (!Number.isInteger(o.show) || o.show < 0) {
    console.error('bench:fidelity: --show takes a count');
    process.exit(2);
  }
  return o;
}

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

const opts = parseArgs(process.argv.slice(2));
if (!has('strace')) {
  console.error('bench:fidelity: strace is not installed (apt-get install strace)');
  process.exit(1);
}
if (opts.ebpf) {
  // Without the capability every run would score 0 with no reason given: ask oslens once.
  const probe = spawnSync(opts.oslens, ['trace', '--ebpf', '-e', 'trace=getpid', '--', 'true'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    console.error(`bench:fidelity: --ebpf: ${probe.stderr.trim().split('\n')[0] || `exit ${probe.status}`}`);
    process.exit(1);
  }
}
const scratch = mkdtempSync(join(tmpdir(), 'oslens-fidelity-'));
const cleanup = () => rmSync(scratch, { recursive: true, force: true });
process.on('SIGINT', () => {
  cleanup();
  process.exit(130);
});
const work = join(scratch, 'work');
const home = join(scratch, 'home');
const outDir = join(scratch, 'out');
mkdirSync(outDir);

/** One environment for every run, so that the traced programs see the same bytes. */
const ENV = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  HOME: home,
  // A shell exports PWD; bin/oslens, a sh script, would otherwise add it for the command.
  PWD: work,
  LANG: 'C.UTF-8',
  TZ: 'UTC',
  TERM: 'dumb',
  USER: 'root',
  GIT_AUTHOR_NAME: 'Fidelity',
  GIT_AUTHOR_EMAIL: 'fidelity@example.invalid',
  GIT_AUTHOR_DATE: '2024-01-01T00:00:00Z',
  GIT_COMMITTER_NAME: 'Fidelity',
  GIT_COMMITTER_EMAIL: 'fidelity@example.invalid',
  GIT_COMMITTER_DATE: '2024-01-01T00:00:00Z',
  GIT_CONFIG_NOSYSTEM: '1',
};

/** Runs one program under one tracer in a fresh work dir; returns the trace text and tracer pid. */
function traceOnce(entry, tracer, follow, file) {
  rmSync(work, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
  mkdirSync(work);
  mkdirSync(home);
  baseSetup(work);
  entry.setup?.(work);
  const flags = [...(follow ? ['-f'] : []), '-o', file, '--', ...entry.argv];
  // bin/oslens run as a user runs it (its sh lines hand the caller's stdio and signals on).
  const [cmd, args] =
    tracer === 'strace' ? ['strace', flags] : [opts.oslens, ['trace', ...(opts.ebpf ? ['--ebpf'] : []), ...flags]];
  const stdin = openSync(entry.stdin ? join(work, entry.stdin) : '/dev/null', 'r');
  const stdout = openSync(join(outDir, 'stdout'), 'w');
  const r = spawnSync(cmd, args, { cwd: work, env: ENV, stdio: [stdin, stdout, stdout], timeout: RUN_TIMEOUT_MS });
  closeSync(stdin);
  closeSync(stdout);
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    // no trace written: counted as all lines missing
  }
  const problem = r.error ? r.error.message : r.signal ? `killed by ${r.signal}` : null;
  return { text, pid: r.pid, problem };
}

const pct = (n, d) => (d ? (100 * n) / d : 100);
const fmt = (x) => `${x.toFixed(1)}%`;
const empty = () => ({ straceLines: 0, otherLines: 0, identical: 0, kinds: {}, syscalls: {}, examples: [] });

const CORPUS = opts.corpus === 'heldout' ? HELDOUT : MAIN;
const corpus = CORPUS.filter((e) => !opts.only || e.name === opts.only);
if (corpus.length === 0) {
  console.error(`bench:fidelity: no program named '${opts.only}' (${CORPUS.map((e) => e.name).join(', ')})`);
  process.exit(2);
}

const results = [];
const skipped = [];
const total = empty();
const floor = empty();
for (const entry of corpus) {
  if (entry.needs && !has(entry.needs)) {
    skipped.push({ name: entry.name, reason: `${entry.needs} is not installed` });
    continue;
  }
  for (const follow of entry.forks ? [true] : [false, true]) {
    const runs = {};
    for (const run of ['strace', 'strace2', 'oslens']) {
      const file = join(outDir, `${run}.txt`);
      const t = traceOnce(entry, run === 'oslens' ? 'oslens' : 'strace', follow, file);
      runs[run] = { ...t, tasks: normaliseTrace(t.text, { follow, tracerPid: t.pid }) };
    }
    const vsOslens = compareTraces(runs.strace.tasks, runs.oslens.tasks);
    const vsStrace = compareTraces(runs.strace.tasks, runs.strace2.tasks);
    addComparison(total, vsOslens, 1000);
    addComparison(floor, vsStrace, 0);
    results.push({
      name: entry.name,
      mode: follow ? '-f' : 'plain',
      argv: entry.argv,
      problem: runs.oslens.problem ?? runs.strace.problem,
      straceLines: vsOslens.straceLines,
      oslensLines: vsOslens.otherLines,
      identical: vsOslens.identical,
      share: pct(vsOslens.identical, vsOslens.straceLines),
      floor: pct(vsStrace.identical, vsStrace.straceLines),
      kinds: vsOslens.kinds,
      examples: vsOslens.examples.slice(0, Math.max(opts.show, 3)),
    });
    if (!opts.json) process.stderr.write('.');
  }
}
cleanup();
if (!opts.json) process.stderr.write('\n');

const topSyscalls = Object.entries(total.syscalls)
  .sort((a, b) => b[1].count - a[1].count)
  .slice(0, 15)
  .map(([name, e]) => ({ name, count: e.count, kinds: e.kinds, example: e.example }));
const summary = {
  engine: opts.ebpf ? 'ebpf' : 'ptrace',
  strace: spawnSync('strace', ['-V'], { encoding: 'utf8' }).stdout.split('\n')[0],
  programs: results.length,
  total: {
    straceLines: total.straceLines,
    oslensLines: total.otherLines,
    identical: total.identical,
    share: pct(total.identical, total.straceLines),
    floor: pct(floor.identical, floor.straceLines),
  },
  kinds: total.kinds,
  floorKinds: floor.kinds,
  topSyscalls,
  skipped,
  results,
};

if (opts.json) {
  process.stdout.write(JSON.stringify(summary) + '\n');
  process.exit(0);
}

const cut = (s, n = 150) => (s === null ? '(none)' : s.length > n ? s.slice(0, n - 1) + '…' : s);
const out = [];
out.push(
  `oslens trace${opts.ebpf ? ' --ebpf' : ''} against ${summary.strace}: share of strace's lines printed identically`,
);
out.push('');
out.push(
  `${'program'.padEnd(16)} ${'mode'.padEnd(5)} ${'strace'.padStart(7)} ${'oslens'.padStart(7)} ${'identical'.padStart(9)} ${'floor'.padStart(7)}  largest difference`,
);
for (const r of results) {
  const top = Object.entries(r.kinds).sort((a, b) => b[1] - a[1])[0];
  out.push(
    `${r.name.padEnd(16)} ${r.mode.padEnd(5)} ${String(r.straceLines).padStart(7)} ${String(r.oslensLines).padStart(7)} ${fmt(r.share).padStart(9)} ${fmt(r.floor).padStart(7)}  ${top ? `${top[0]} (${top[1]})` : '-'}${r.problem ? `  [${r.problem}]` : ''}`,
  );
}
out.push('');
out.push(
  `total: ${summary.total.identical} of ${summary.total.straceLines} strace lines identical: ${fmt(summary.total.share)} (strace against itself: ${fmt(summary.total.floor)}); oslens printed ${summary.total.oslensLines} lines`,
);
for (const s of skipped) out.push(`skipped ${s.name}: ${s.reason}`);
out.push('');
out.push('differences by kind (oslens | strace against itself):');
for (const [k, n] of Object.entries(total.kinds).sort((a, b) => b[1] - a[1]))
  out.push(`  ${k.padEnd(32)} ${String(n).padStart(6)} | ${String(floor.kinds[k] ?? 0).padStart(5)}`);
out.push('');
out.push('syscalls with the most differing lines (one example each: strace, then oslens):');
for (const t of topSyscalls) {
  const kinds = Object.entries(t.kinds)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  out.push(`  ${t.name.padEnd(18)} ${String(t.count).padStart(5)}  ${kinds}`);
  out.push(`      strace: ${cut(t.example.strace)}`);
  out.push(`      oslens: ${cut(t.example.other)}`);
}
if (opts.show > 0) {
  out.push('');
  out.push(`${opts.show} example differences:`);
  const seen = new Set();
  const picked = [];
  // One per kind first, then in order.
  for (const ex of total.examples)
    if (!seen.has(ex.kind) && picked.length < opts.show) {
      seen.add(ex.kind);
      picked.push(ex);
    }
  for (const ex of total.examples) if (picked.length < opts.show && !picked.includes(ex)) picked.push(ex);
  for (const ex of picked) {
    out.push(`  [${ex.kind}] ${ex.name}`);
    out.push(`      strace: ${cut(ex.strace, 400)}`);
    out.push(`      oslens: ${cut(ex.other, 400)}`);
  }
}
console.log(out.join('\n'));
