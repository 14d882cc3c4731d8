#!/usr/bin/env node
// npm run bench:trace-lib — what watching library calls costs the traced program. Needs root.
//
// A C program times its own loop of N malloc+free pairs (clock_gettime around the loop, so no
// tool's start-up is counted) and writes the nanoseconds per pair to a file. It runs untraced,
// under `oslens trace -c --lib` (counted in kernel), under `oslens trace --lib -o FILE` (every
// call streamed and rendered), under a bpftrace uprobe count and under `ltrace -c`, round by
// round (interleaved, so machine noise hits every tool alike). Printed: the median ns per pair
// and the cost per traced call (two calls per pair) over the untraced run.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OSLENS = resolve(root, 'bin/oslens');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const PAIRS = Number(process.env.BENCH_PAIRS ?? 100000);
const LIBC = '/lib/x86_64-linux-gnu/libc.so.6';

if (process.getuid() !== 0) {
  console.error('bench:trace-lib: needs root (uprobes)');
  process.exit(5);
}
const have = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

const work = mkdtempSync(join(tmpdir(), 'oslens-bench-lib-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));
process.on('SIGINT', () => process.exit(130));

const src = join(work, 'pairs.c');
const bin = join(work, 'pairs');
const out = join(work, 'ns');
writeFileSync(
  src,
  `#include <stdio.h>
#include <stdlib.h>
#include <time.h>
int main(int argc, char **argv) {
  long n = atol(argv[1]);
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (long i = 0; i < n; i++) free(malloc(32 + (i & 15)));
  clock_gettime(CLOCK_MONOTONIC, &b);
  FILE *f = fopen(argv[2], "w");
  fprintf(f, "%.1f\\n", ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / n);
  fclose(f);
  return 0;
}
`,
);
execFileSync('gcc', ['-O0', '-o', bin, src]);
const spec = 'libc:malloc,free';
const probe = (fn) => `uprobe:${LIBC}:${fn} /pid == cpid/ { @${fn} = count(); }`;

const tools = {
  untraced: [bin],
  'oslens trace -c --lib': [OSLENS, 'trace', '-c', '--lib', spec, '--'],
  'oslens trace --lib (stream)': [OSLENS, 'trace', '--lib', spec, '-e', 'trace=!all', '-o', join(work, 'trace.txt'), '--'],
  ...(have('bpftrace') ? { 'bpftrace uprobe count': null } : {}),
  ...(have('ltrace') ? { 'ltrace -c': ['ltrace', '-c', '-o', join(work, 'ltrace.txt'), '-e', 'malloc+free'] } : {}),
};

const results = Object.fromEntries(Object.keys(tools).map((k) => [k, []]));
for (let round = 0; round < RUNS; round++) {
  for (const [name, argv] of Object.entries(tools)) {
    rmSync(out, { force: true });
    const cmd =
      name === 'bpftrace uprobe count'
        ? ['bpftrace', '-q', '-e', [probe('malloc'), probe('free')].join(' '), '-c', `${bin} ${PAIRS} ${out}`]
        : name === 'untraced'
          ? [bin, String(PAIRS), out]
          : [...argv, bin, String(PAIRS), out];
    const r = spawnSync(cmd[0], cmd.slice(1), { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    if (r.status !== 0) {
      console.error(`bench:trace-lib: ${name} failed (${r.status}): ${r.stderr.slice(0, 300)}`);
      continue;
    }
    results[name].push(Number(readFileSync(out, 'utf8')));
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const base = median(results.untraced);
console.log(`${PAIRS} malloc+free pairs, median of ${RUNS} runs (ns per pair; cost per traced call over untraced)`);
for (const [name, xs] of Object.entries(results)) {
  if (xs.length === 0) continue;
  const m = median(xs);
  const per = name === 'untraced' ? '' : `  +${((m - base) / 2 / 1000).toFixed(2)} µs/call`;
  console.log(`  ${name.padEnd(30)} ${m.toFixed(1).padStart(10)} ns/pair${per}`);
}
