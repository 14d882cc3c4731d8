#!/usr/bin/env node
// oslens vs perf bench, same machine, same run: the harness must add nothing.
//   syscall-getppid         vs  perf bench syscall basic        (both a getppid loop; ns per call)
//   syscall-getpid          vs  perf bench syscall basic        (shown too: getpid is ~20% cheaper
//                                                                than getppid on this kernel)
//   ctxsw-process raw trip  vs  perf bench sched pipe, pinned    (pipe ping-pong between two
//                                                                processes on one CPU; per round trip)
// oslens's ctxsw-process figure has the pipe calls subtracted; for a like-for-like comparison the
// raw round trip is rebuilt as 2 x (switch + subtracted overhead).
//   wakeup-1ms (p50)        vs  cyclictest, SCHED_OTHER, 1 ms,   (rt-tests; both a normal thread's
//   wakeup-1ms-hog (p50)        --laptop, same CPU; idle and     clock_nanosleep overshoot, the
//                               with a busy process on that CPU  median of the sleeps)
// Rounds alternate the tools so drift hits both; the median of the rounds is compared. Prints
// each pair and its ratio; each peer that is not installed is said and left out.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const oslens = resolve(root, 'bin/oslens');
const ROUNDS = Number(process.env.ROUNDS ?? 7);

function run(cmd, args, { stdoutOnly = false } = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    console.error(
      `bench:peers: ${cmd} ${args.join(' ')} failed: ${r.error?.message ?? r.stderr.trim().split('\n').pop()}`,
    );
    process.exit(1);
  }
  return stdoutOnly ? r.stdout : r.stdout + r.stderr;
}

function perfUsecsPerOp(out) {
  const m = /([\d.]+)\s+usecs\/op/.exec(out);
  if (!m) throw new Error(`cannot read perf output:\n${out}`);
  return Number(m[1]) * 1000;
}

function oslensBench(ids) {
  // one round each time: the rounds of this script interleave oslens with its peers
  const doc = JSON.parse(
    run(process.execPath, [oslens, 'bench', '--json', '--rounds', '1', ...ids], { stdoutOnly: true }),
  );
  if (doc.noise?.noisy)
    console.log(`  (oslens: noisy run: ${doc.noise.reasons.join('; ') || doc.noise.noisyRows.join(', ')})`);
  for (const r of doc.results) {
    if (r.status !== 'measured') {
      console.error(`bench:peers: oslens ${r.id} was ${r.status}: ${r.skipped}`);
      process.exit(1);
    }
  }
  return Object.fromEntries(doc.results.map((r) => [r.id, r]));
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const cpus = readFileSync('/proc/self/status', 'utf8').match(/Cpus_allowed_list:\s*(\S+)/)[1];
const lastCpu = cpus.split(',').pop().split('-').pop();

const installed = (cmd, args) => {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
const havePerf = installed('perf', ['--version']);
const haveCyclictest = installed('cyclictest', ['--help']);
if (!havePerf)
  console.log('bench:peers: perf is not installed (Debian: apt-get install linux-perf): its pairs are left out');
if (!haveCyclictest)
  console.log(
    'bench:peers: cyclictest is not installed (Debian: apt-get install rt-tests): the wakeup pairs are left out',
  );
if (!havePerf && !haveCyclictest) process.exit(1);
console.log(
  'bench:peers: lmbench is not packaged in Debian (apt-cache policy lmbench: no candidate) and cannot be fetched here:' +
    "\n  the lmbench anchors in lessons/latency.yaml (lat_sig, lat_select, lat_syscall open) stay the development host's.",
);

/** cyclictest's overshoot median (µs histogram, one bucket per µs) and mean, in ns. */
function cyclictest(loops, withHog) {
  const hog = withHog
    ? spawn('taskset', ['-c', lastCpu, 'sh', '-c', 'while :; do :; done'], { stdio: 'ignore' })
    : null;
  try {
    // SCHED_OTHER like oslens's thread; --laptop: leave /dev/cpu_dma_latency alone (oslens does)
    const out = run('cyclictest', [
      '-t1',
      '-a',
      lastCpu,
      '--policy=other',
      '-i',
      '1000',
      '-l',
      String(loops),
      '-q',
      '--laptop',
      '-h',
      '20000',
    ]);
    const avg = Number(/^# Avg Latencies: (\d+)/m.exec(out)?.[1]);
    let total = 0;
    const buckets = [];
    for (const m of out.matchAll(/^(\d{6}) (\d+)$/gm)) {
      buckets.push([Number(m[1]), Number(m[2])]);
      total += Number(m[2]);
    }
    const overflow = Number(/^# Histogram Overflows: (\d+)/m.exec(out)?.[1] ?? 0);
    let seen = 0;
    let p50 = Number.NaN;
    for (const [us, n] of buckets) {
      seen += n;
      if (seen >= (total + overflow) / 2) {
        p50 = us;
        break;
      }
    }
    return { p50: p50 * 1000, avg: avg * 1000 };
  } finally {
    hog?.kill('SIGKILL');
  }
}

const wakeupP50 = (r) => Number(/p50 (\d+)/.exec(r.note ?? '')?.[1]);

const pairs = { getppid: [], getpid: [], ctxsw: [], wakeup: [], wakeupHog: [] };
for (let round = 1; round <= ROUNDS; round++) {
  const parts = [`round ${round}:`];
  if (havePerf) {
    // Pinned to the CPU oslens pins its loop to, so both run under the same conditions.
    const perfSyscall = perfUsecsPerOp(
      run('taskset', ['-c', lastCpu, 'perf', 'bench', 'syscall', 'basic', '-l', '3000000']),
    );
    const perfPipe = perfUsecsPerOp(run('taskset', ['-c', lastCpu, 'perf', 'bench', 'sched', 'pipe', '-l', '200000']));
    const o = oslensBench(['syscall-getpid', 'syscall-getppid', 'ctxsw-process']);
    const sw = o['ctxsw-process'];
    const oslensTrip = 2 * (sw.nsPerOp + (sw.overheadNsPerOp ?? 0));
    pairs.getppid.push([o['syscall-getppid'].nsPerOp, perfSyscall]);
    pairs.getpid.push([o['syscall-getpid'].nsPerOp, perfSyscall]);
    pairs.ctxsw.push([oslensTrip, perfPipe]);
    parts.push(
      `getppid ${o['syscall-getppid'].nsPerOp.toFixed(1)} vs ${perfSyscall.toFixed(1)} ns` +
        ` (getpid ${o['syscall-getpid'].nsPerOp.toFixed(1)});` +
        ` pipe round trip ${(oslensTrip / 1000).toFixed(2)} vs ${(perfPipe / 1000).toFixed(2)} µs` +
        ` (oslens switch alone: ${(sw.nsPerOp / 1000).toFixed(2)} µs);`,
    );
  }
  if (haveCyclictest) {
    const idle = cyclictest(1000, false);
    const o = oslensBench(['wakeup-1ms', 'wakeup-1ms-hog']);
    const hog = cyclictest(1000, true);
    pairs.wakeup.push([wakeupP50(o['wakeup-1ms']), idle.p50]);
    pairs.wakeupHog.push([wakeupP50(o['wakeup-1ms-hog']), hog.p50]);
    parts.push(
      `wakeup p50 ${(wakeupP50(o['wakeup-1ms']) / 1000).toFixed(1)} vs ${(idle.p50 / 1000).toFixed(1)} µs` +
        ` (mean ${(o['wakeup-1ms'].nsPerOp / 1000).toFixed(1)} vs ${(idle.avg / 1000).toFixed(1)}),` +
        ` with a hog ${(wakeupP50(o['wakeup-1ms-hog']) / 1000).toFixed(1)} vs ${(hog.p50 / 1000).toFixed(1)} µs`,
    );
  }
  console.log(parts.join(' '));
}

// [oslens, peer, pairs, unit, scale, same work?] — only like-for-like pairs decide the exit status.
const rows = [
  ...(havePerf
    ? [
        ['syscall-getppid', `perf bench syscall basic (CPU ${lastCpu})`, pairs.getppid, 'ns', 1, true],
        ['syscall-getpid', `perf bench syscall basic (CPU ${lastCpu})`, pairs.getpid, 'ns', 1, false],
        ['ctxsw-process (raw round trip)', `perf bench sched pipe (CPU ${lastCpu})`, pairs.ctxsw, 'µs', 1000, true],
      ]
    : []),
  ...(haveCyclictest
    ? [
        ['wakeup-1ms (p50)', `cyclictest SCHED_OTHER (CPU ${lastCpu})`, pairs.wakeup, 'µs', 1000, true],
        ['wakeup-1ms-hog (p50)', `cyclictest + a hog on CPU ${lastCpu}`, pairs.wakeupHog, 'µs', 1000, true],
      ]
    : []),
];
console.log('');
console.log(
  'oslens'.padEnd(32) + 'figure'.padStart(10) + '   ' + 'peer'.padEnd(36) + 'figure'.padStart(10) + '   ratio',
);
let ok = true;
for (const [a, b, xs, unit, scale, same] of rows) {
  const ours = median(xs.map((x) => x[0]));
  const theirs = median(xs.map((x) => x[1]));
  const ratio = ours / theirs;
  const within = Math.abs(ratio - 1) <= 0.15;
  if (same) ok &&= within;
  console.log(
    a.padEnd(32) +
      `${(ours / scale).toFixed(2)} ${unit}`.padStart(10) +
      '   ' +
      b.padEnd(36) +
      `${(theirs / scale).toFixed(2)} ${unit}`.padStart(10) +
      `   ${ratio.toFixed(3)} ${within ? '(within ±15%)' : '(OUTSIDE ±15%)'}${same ? '' : ' (not the same syscall)'}`,
  );
}
if (havePerf)
  console.log(
    '\nperf bench syscall basic times getppid(). oslens times the same call (syscall-getppid) to check the harness;' +
      '\nsyscall-getpid, the latency-table figure, is ~20% cheaper on this kernel (getppid also reads the parent under RCU).',
  );
if (haveCyclictest)
  console.log(
    '\ncyclictest runs as oslens does here: a SCHED_OTHER thread (timer slack 50 µs), 1 ms sleeps, pinned, without' +
      '\nsetting /dev/cpu_dma_latency (--laptop); with its usual -p 80 (SCHED_FIFO, no slack) it sees far less.',
  );
process.exit(ok ? 0 : 1);
