#!/usr/bin/env node
// Times a syscall-heavy workload untraced, under strace and under oslens trace, and prints the
// tracing overhead of each (traced time - untraced time) and their ratio.
//   npm run bench:trace [-- --count N --runs R]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const oslens = resolve(root, 'bin/oslens');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const count = arg('--count', 200000);
const runs = arg('--runs', 3);
const workload = ['dd', 'if=/dev/zero', 'of=/dev/null', 'bs=1', `count=${count}`];

if (spawnSync('strace', ['-V']).status !== 0) {
  console.error('bench:trace: strace is not installed (apt-get install strace)');
  process.exit(1);
}

function time(cmd, args) {
  const best = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'ignore'] });
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status}`);
    best.push(s);
  }
  return Math.min(...best);
}

// Node's own start-up is not tracing overhead: measure it and subtract it from oslens's runs.
const nodeStart = time(process.execPath, [oslens, '--version']);
const rows = [
  ['untraced', () => time(workload[0], workload.slice(1))],
  ['strace -c -f', () => time('strace', ['-c', '-f', '-o', '/dev/null', ...workload])],
  [
    'oslens trace -c -f',
    () => time(process.execPath, [oslens, 'trace', '-c', '-f', '-o', '/dev/null', '--', ...workload]) - nodeStart,
  ],
  [
    'strace --seccomp-bpf -f -e trace=openat',
    () => time('strace', ['--seccomp-bpf', '-f', '-qq', '-e', 'trace=openat', '-o', '/dev/null', ...workload]),
  ],
  [
    'oslens trace -f -e trace=openat',
    () =>
      time(process.execPath, [oslens, 'trace', '-f', '-e', 'trace=openat', '-o', '/dev/null', '--', ...workload]) -
      nodeStart,
  ],
];
console.log(
  `workload: ${workload.join(' ')} (${2 * count} syscalls), best of ${runs}; node start-up ${nodeStart.toFixed(3)} s subtracted from oslens`,
);
const t = {};
for (const [name, fn] of rows) {
  t[name] = fn();
  console.log(`${name.padEnd(42)} ${t[name].toFixed(3).padStart(8)} s`);
}
const base = t['untraced'];
const over = (k) => Math.max(t[k] - base, 1e-6);
const unfiltered = over('oslens trace -c -f') / over('strace -c -f');
const filtered = over('oslens trace -f -e trace=openat') / over('strace --seccomp-bpf -f -e trace=openat');
console.log(
  `\noverhead, unfiltered: oslens ${over('oslens trace -c -f').toFixed(3)} s vs strace ${over('strace -c -f').toFixed(3)} s = ${unfiltered.toFixed(2)}x (target <= 0.50x)`,
);
console.log(
  `overhead, filtered:   oslens ${over('oslens trace -f -e trace=openat').toFixed(3)} s vs strace --seccomp-bpf ${over('strace --seccomp-bpf -f -e trace=openat').toFixed(3)} s = ${filtered.toFixed(2)}x (target <= 1.00x)`,
);

// The floor: scripts/ptrace-floor.c, the least any ptrace tracer can do per syscall (two stops,
// PTRACE_GET_SYSCALL_INFO, a count), on the same workload. No tracer can go below it here.
const dir = mkdtempSync(join(tmpdir(), 'oslens-floor-'));
// Ctrl-C reaches the running child too: this process keeps running (a listener) and stops
// when a child was interrupted, after the finally below has removed the dir.
process.on('SIGINT', () => {});
try {
  const floorBin = join(dir, 'ptrace-floor');
  const cc = spawnSync('gcc', ['-O2', '-Wall', '-Wextra', '-o', floorBin, resolve(root, 'scripts/ptrace-floor.c')], {
    encoding: 'utf8',
  });
  if (cc.status !== 0) {
    console.log(`\n(floor not measured: gcc failed: ${(cc.stderr || '').split('\n')[0]})`);
  } else {
    console.log('\nthe floor: a minimal C PTRACE_SYSCALL loop on the same workload (scripts/ptrace-floor.c)');
    let best = Infinity;
    for (const mode of ['block', 'pinned', 'spin']) {
      const times = [];
      for (let i = 0; i < runs; i++) {
        const r = spawnSync(floorBin, [mode, ...workload], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
        if (r.signal === 'SIGINT') {
          process.exitCode = 130;
          break;
        }
        if (r.status === 0) times.push(Number(r.stdout.split(' ')[0]));
      }
      if (process.exitCode === 130) break;
      if (times.length === 0) {
        console.log(`  ${mode.padEnd(7)} failed`);
        continue;
      }
      const t = Math.min(...times);
      best = Math.min(best, t);
      console.log(
        `  ${mode.padEnd(7)} ${t.toFixed(3).padStart(8)} s   overhead ${(t - base).toFixed(3)} s = ${((t - base) / over('strace -c -f')).toFixed(2)}x strace's`,
      );
    }
    if (best < Infinity)
      console.log(
        `the lowest ratio any ptrace tracer can reach here: ${((best - base) / over('strace -c -f')).toFixed(2)}x (oslens: ${unfiltered.toFixed(2)}x)`,
      );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
