#!/usr/bin/env node
// npm run bench:ebpf — the cost of watching. A syscall-heavy workload (dd bs=1: two syscalls per
// byte) is timed alone, then while counting system-wide with `oslens syscount` and with the
// bpftrace one-liner (installed from Debian if missing), then under `oslens trace -c --ebpf` and
// `strace -c`. Prints the slowdowns. Needs root.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OSLENS = resolve(root, 'bin/oslens');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const COUNT = Number(process.env.BENCH_COUNT ?? 500000);
const TRACE_COUNT = Number(process.env.BENCH_TRACE_COUNT ?? 200000);
const sleep = (ms) => delay(ms);

if (process.getuid() !== 0) {
  console.error('bench:ebpf: needs root (eBPF and bpftrace)');
  process.exit(5);
}

function have(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

function aptInstall(pkg) {
  console.error(`bench:ebpf: installing ${pkg} (apt-get)`);
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  const r = spawnSync('apt-get', ['install', '-y', '-qq', pkg], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return r.status === 0;
}

/** Seconds of wall time of one command. */
function timed(argv) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(argv[0], argv.slice(1), { stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (${r.status ?? r.signal})`);
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const dd = (n) => ['dd', 'if=/dev/zero', 'of=/dev/null', 'bs=1', `count=${n}`];

function workload(n = COUNT) {
  return median(Array.from({ length: RUNS }, () => timed(dd(n))));
}

async function linkFds(pid) {
  try {
    return readdirSync(`/proc/${pid}/fdinfo`).filter((fd) => {
      try {
        return /^link_type:/m.test(readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'));
      } catch {
        return false;
      }
    }).length;
  } catch {
    return 0;
  }
}

/** Runs `argv` in the background, waits until `ready()`, times the workload, stops it. */
async function whileRunning(argv, ready) {
  const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise((r) => child.on('exit', r));
  for (let i = 0; i < 600 && !(await ready(child, out)); i++) await sleep(50);
  await sleep(300);
  const t = workload();
  child.kill('SIGINT');
  await exited;
  return t;
}

const pct = (t, base) => `${(((t - base) / base) * 100).toFixed(1)} %`;
const results = [];

const base = workload();
results.push(['dd bs=1 alone', base, '']);

const withOslens = await whileRunning(
  [process.execPath, OSLENS, 'syscount', '--json'],
  async (c) => (await linkFds(c.pid)) > 0,
);
results.push(['+ oslens syscount (system-wide)', withOslens, pct(withOslens, base)]);

let withBpftrace;
if (have('bpftrace') || aptInstall('bpftrace')) {
  // bpftrace attaches `tracepoint:` probes, which need tracefs.
  const mounted = readFileSync('/proc/mounts', 'utf8').includes(' tracefs ');
  if (!mounted) spawnSync('mount', ['-t', 'tracefs', 'nodev', '/sys/kernel/tracing']);
  const oneLiner = 'tracepoint:raw_syscalls:sys_enter { @[args->id] = count(); }';
  withBpftrace = await whileRunning(['bpftrace', '-e', oneLiner], async (_c, out) => /Attaching \d+ probe/.test(out));
  if (!mounted) spawnSync('umount', ['/sys/kernel/tracing']);
  results.push([`+ bpftrace '${oneLiner}'`, withBpftrace, pct(withBpftrace, base)]);
} else {
  results.push(['+ bpftrace', NaN, 'not installed']);
}

const traceBase = workload(TRACE_COUNT);
const timedCmd = (argv) => median(Array.from({ length: RUNS }, () => timed(argv)));
const oslensTrace = timedCmd([process.execPath, OSLENS, 'trace', '-c', '--ebpf', '--', ...dd(TRACE_COUNT)]);
let straceT = NaN;
if (have('strace') || aptInstall('strace')) straceT = timedCmd(['strace', '-c', '-o', '/dev/null', ...dd(TRACE_COUNT)]);
// oslens' own start-up (Node, loading BPF) is a fixed cost, not a per-syscall one: measure it.
const startup = timedCmd([process.execPath, OSLENS, 'trace', '-c', '--ebpf', '--', 'true']);

console.log(
  `\nbench:ebpf — dd if=/dev/zero of=/dev/null bs=1 (${COUNT} bytes, ${2 * COUNT} syscalls), median of ${RUNS}\n`,
);
for (const [what, t, note] of results)
  console.log(`  ${what.padEnd(78)} ${Number.isNaN(t) ? '   -   ' : `${t.toFixed(3)} s`}  ${note}`);
console.log(`\n  counting one command (${TRACE_COUNT} bytes, ${2 * TRACE_COUNT} syscalls):`);
const over = (t) => t - traceBase;
console.log(`  ${'dd alone'.padEnd(40)} ${traceBase.toFixed(3)} s`);
console.log(
  `  ${'oslens trace -c --ebpf'.padEnd(40)} ${oslensTrace.toFixed(3)} s  overhead ${over(oslensTrace).toFixed(3)} s (of which start-up ${startup.toFixed(3)} s)`,
);
console.log(`  ${'strace -c'.padEnd(40)} ${straceT.toFixed(3)} s  overhead ${over(straceT).toFixed(3)} s`);
console.log(
  `\n  oslens syscount vs bpftrace slowdown: ${pct(withOslens, base)} vs ${withBpftrace === undefined ? '-' : pct(withBpftrace, base)}`,
);
console.log(
  `  strace -c overhead / oslens trace -c --ebpf overhead: ${(over(straceT) / Math.max(over(oslensTrace), 1e-6)).toFixed(1)}x`,
);
const perSyscall = Math.max(oslensTrace - startup - traceBase, 1e-3);
console.log(
  `  (per-syscall overhead only, without oslens' fixed start-up: ${(over(straceT) / perSyscall).toFixed(1)}x)`,
);
