#!/usr/bin/env node
// npm run bench:profile — what sampling costs: a CPU-bound C workload (fixed work, ~1 s on an idle core) timed
// alone, under `perf record -g -F HZ -- CMD` and under `oslens profile -F HZ -- CMD`, interleaved
// round by round (machine noise hits every condition alike), at 99 and 999 Hz. Prints, per
// condition, the workload's own median time (it times its loop with CLOCK_MONOTONIC, so tool
// start-up is not in it), its slowdown against running alone, and the profiler's own CPU time
// (user+sys of everything, minus the workload's). Needs root and perf. BENCH_RUNS (default 5).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OSLENS = resolve(root, 'bin/oslens');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const RATES = (process.env.BENCH_RATES ?? '99,999').split(',').map(Number);

if (process.getuid() !== 0) {
  console.error('bench:profile: needs root (eBPF, perf)');
  process.exit(5);
}
if (spawnSync('sh', ['-c', 'command -v perf']).status !== 0) {
  console.error('bench:profile: perf is missing (apt-get install linux-perf)');
  process.exit(1);
}

const work = mkdtempSync(join(tmpdir(), 'oslens-bench-profile-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));
process.on('SIGINT', () => process.exit(130));

// The workload reports its loop's wall time and its own CPU time (getrusage), in ns.
const src = join(work, 'busy.c');
writeFileSync(
  src,
  `#include <stdio.h>
#include <time.h>
#include <sys/resource.h>
volatile unsigned long sink;
__attribute__((noinline)) void hot_three(unsigned long n) { for (unsigned long i = 0; i < 3 * n; i++) sink += i * 7; }
__attribute__((noinline)) void hot_one(unsigned long n) { for (unsigned long i = 0; i < n; i++) sink += i * 7; }
int main(void) {
  struct timespec a, b; struct rusage ru;
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (int r = 0; r < 100; r++) { hot_three(1000000); hot_one(1000000); }
  clock_gettime(CLOCK_MONOTONIC, &b);
  getrusage(RUSAGE_SELF, &ru);
  fprintf(stderr, "busy: wall_ns=%lld cpu_ns=%lld\\n", (b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec),
    (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000LL + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000LL);
  return 0;
}
`,
);
const busy = join(work, 'busy');
execFileSync('gcc', ['-O1', '-fno-omit-frame-pointer', '-o', busy, src]);

/** Runs argv under bash's `time`: the workload's figures and the CPU of the whole tree. */
function run(argv) {
  const quoted = argv.map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
  const r = spawnSync('bash', ['-c', `TIMEFORMAT='tree_cpu_s=%U+%S'; time ${quoted} > /dev/null`], {
    encoding: 'utf8',
  });
  const m = /busy: wall_ns=(\d+) cpu_ns=(\d+)/.exec(r.stderr);
  const t = /tree_cpu_s=([\d.]+)\+([\d.]+)/.exec(r.stderr);
  if (r.status !== 0 || !m || !t) throw new Error(`bench:profile: ${argv.join(' ')} failed: ${r.stderr.slice(-500)}`);
  const tree = Number(t[1]) + Number(t[2]);
  return { wall: Number(m[1]) / 1e9, toolCpu: Math.max(0, tree - Number(m[2]) / 1e9) };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const conditions = [{ name: 'alone', argv: () => [busy] }];
for (const hz of RATES) {
  conditions.push({
    name: `perf record -g -F ${hz}`,
    argv: () => ['perf', 'record', '-q', '-g', '-F', String(hz), '-o', join(work, 'perf.data'), '--', busy],
  });
  conditions.push({
    name: `oslens profile -F ${hz}`,
    argv: () => [process.execPath, OSLENS, 'profile', '-F', String(hz), '--json', '--', busy],
  });
}

const results = new Map(conditions.map((c) => [c.name, []]));
for (let round = 0; round < RUNS; round++) {
  for (const c of conditions) results.get(c.name).push(run(c.argv()));
  process.stderr.write(`bench:profile: round ${round + 1}/${RUNS}\n`);
}

const base = median(results.get('alone').map((r) => r.wall));
console.log(`CPU-bound workload (100 rounds of hot_three+hot_one), ${RUNS} interleaved runs, medians`);
console.log(
  `${'condition'.padEnd(26)} ${'workload s'.padStart(11)} ${'slowdown'.padStart(9)} ${'profiler CPU s'.padStart(15)}`,
);
for (const c of conditions) {
  const rs = results.get(c.name);
  const wall = median(rs.map((r) => r.wall));
  const cpu = median(rs.map((r) => r.toolCpu));
  const slow = c.name === 'alone' ? '' : `${(((wall - base) / base) * 100).toFixed(1)}%`;
  console.log(
    `${c.name.padEnd(26)} ${wall.toFixed(3).padStart(11)} ${slow.padStart(9)} ${c.name === 'alone' ? '' : cpu.toFixed(3).padStart(15)}`,
  );
}
console.log('profiler CPU: everything the run used minus the workload itself (start-up, symbols, writing out)');
