#!/usr/bin/env node
// npm run bench:ebpf — the cost of watching, and how complete the streams are. Needs root.
//
// 1. Overhead, interleaved (round by round, so machine noise hits every tool alike): a 1M-syscall
//    `dd bs=1` timed alone and while counting system-wide with oslens syscount (count mode, and
//    -L), libbpf-tools syscount (count mode) and a bpftrace one-liner.
// 2. Delivery: `oslens trace --ebpf --json -o FILE -- dd ... count=200000`: the share of the calls
//    that reached the file, and the events per second delivered to it without loss.
// 3. A 200,000-open burst seen by `oslens snoop open` and libbpf-tools opensnoop in the same run:
//    what each delivered and lost.
// 4. `oslens trace -c --ebpf` against `strace -c` on one command.
// Missing tools (bpftrace, libbpf-tools, strace) are installed from Debian when possible.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OSLENS = resolve(root, 'bin/oslens');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const COUNT = Number(process.env.BENCH_COUNT ?? 500000);
const TRACE_COUNT = Number(process.env.BENCH_TRACE_COUNT ?? 200000);
const OPENS = Number(process.env.BENCH_OPENS ?? 200000);
const sleep = (ms) => delay(ms);

if (process.getuid() !== 0) {
  console.error('bench:ebpf: needs root (eBPF, bpftrace, libbpf-tools)');
  process.exit(5);
}

const work = mkdtempSync(join(tmpdir(), 'oslens-bench-ebpf-'));
let mountedTracefs = false;
const cleanup = () => {
  rmSync(work, { recursive: true, force: true });
  if (mountedTracefs) spawnSync('umount', ['/sys/kernel/tracing']);
};
process.on('SIGINT', () => {
  cleanup();
  process.exit(130);
});

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

const haveOrInstall = (cmd, pkg) => have(cmd) || (aptInstall(pkg) && have(cmd));

/** Seconds of wall time of one command. */
function timed(argv) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(argv[0], argv.slice(1), { stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (${r.status ?? r.signal})`);
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const dd = (n) => ['dd', 'if=/dev/zero', 'of=/dev/null', 'bs=1', `count=${n}`];

function linkFds(pid) {
  try {
    return readdirSync(`/proc/${pid}/fdinfo`).filter((fd) => {
      try {
        return /^(link_type|prog_type):/m.test(readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'));
      } catch {
        return false;
      }
    }).length;
  } catch {
    return 0;
  }
}

/** Starts `argv` in the background and waits until `ready(child, output)`; returns a stopper. */
async function background(argv, ready) {
  const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d) => (out.stdout += d));
  child.stderr.on('data', (d) => (out.stderr += d));
  const exited = new Promise((r) => child.on('exit', r));
  for (let i = 0; i < 600 && !(await ready(child, out)); i++) await sleep(50);
  await sleep(500);
  return {
    out,
    async stop() {
      // A tool still attaching may miss a SIGINT: insist, then force.
      for (const sig of ['SIGINT', 'SIGINT', 'SIGTERM', 'SIGKILL']) {
        child.kill(sig);
        if (await Promise.race([exited.then(() => true), sleep(5000).then(() => false)])) break;
      }
      await exited;
      return out;
    },
  };
}

const attachedByLinks = async (c) => linkFds(c.pid) > 0;
const pct = (t, base) => `${(((t - base) / base) * 100).toFixed(1)} %`;
const slow = (t, base) => `${(t / base).toFixed(2)}x`;

// bpftrace's tracepoint: probes and libbpf-tools attach through tracefs.
if (!readFileSync('/proc/mounts', 'utf8').includes(' tracefs ')) {
  mountedTracefs = spawnSync('mount', ['-t', 'tracefs', 'nodev', '/sys/kernel/tracing']).status === 0;
}
const hasBpftrace = haveOrInstall('bpftrace', 'bpftrace');
const hasLibbpfTools = haveOrInstall('/usr/sbin/syscount', 'libbpf-tools') && have('/usr/sbin/opensnoop');
const hasStrace = haveOrInstall('strace', 'strace');

// ---- 1. Overhead, interleaved -------------------------------------------------------------
const ONE_LINER = 'tracepoint:raw_syscalls:sys_enter { @[args->id] = count(); }';
const tools = [
  ['oslens syscount (count mode)', [process.execPath, OSLENS, 'syscount', '--json'], attachedByLinks],
  ['oslens syscount -L (with latency)', [process.execPath, OSLENS, 'syscount', '-L', '--json'], attachedByLinks],
];
if (hasLibbpfTools) tools.push(['libbpf-tools syscount (count mode)', ['/usr/sbin/syscount'], attachedByLinks]);
if (hasBpftrace) tools.push([`bpftrace '${ONE_LINER}'`, ['bpftrace', '-e', ONE_LINER], async (_c, o) => /Attaching \d+ probe/.test(o.stdout + o.stderr)]);
const times = new Map([['dd alone', []], ...tools.map(([name]) => [name, []])]);
for (let r = 0; r < RUNS; r++) {
  times.get('dd alone').push(timed(dd(COUNT)));
  for (const [name, argv, ready] of tools) {
    const bg = await background(argv, ready);
    times.get(name).push(timed(dd(COUNT)));
    await bg.stop();
  }
}

// ---- 2. Delivery of trace --ebpf to a file ------------------------------------------------
const file = join(work, 'trace.jsonl');
const t0 = process.hrtime.bigint();
execFileSync(process.execPath, [OSLENS, 'trace', '--ebpf', '--json', '-o', file, '--', ...dd(TRACE_COUNT)], { stdio: 'ignore' });
const traceSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const summary = lines.at(-1);
const produced = summary.syscalls.reduce((s, c) => s + c.calls, 0);
const deliveredCalls = lines.filter((e) => e.type === 'syscall').length;
const readsProduced = summary.syscalls.find((c) => c.name === 'read')?.calls ?? 0;
const readsDelivered = lines.filter((e) => e.type === 'syscall' && e.name === 'read').length;

// ---- 3. A 200,000-open burst: oslens snoop vs libbpf-tools opensnoop ----------------------
const burstName = 'oslensburst';
const burstC = join(work, `${burstName}.c`);
const burst = join(work, burstName);
const target = join(work, 'opened');
writeFileSync(target, 'x');
writeFileSync(
  burstC,
  `#include <fcntl.h>\n#include <stdlib.h>\n#include <unistd.h>\nint main(int c, char **v) { long n = atol(v[1]); for (long i = 0; i < n; i++) { int fd = open(v[2], O_RDONLY); if (fd >= 0) close(fd); } return 0; }\n`,
);
execFileSync('gcc', ['-O2', '-o', burst, burstC]);
const snoop = await background(
  [process.execPath, OSLENS, 'snoop', 'open', '--json', '--comm', burstName],
  attachedByLinks,
);
const opensnoop = hasLibbpfTools ? await background(['/usr/sbin/opensnoop', '-n', burstName], attachedByLinks) : undefined;
const tb = process.hrtime.bigint();
timed([burst, String(OPENS), target]);
const burstSeconds = Number(process.hrtime.bigint() - tb) / 1e9;
await sleep(1000);
const snoopOut = await snoop.stop();
const openOut = opensnoop ? await opensnoop.stop() : undefined;
const snoopEvents = snoopOut.stdout.split('\n').filter((l) => l.includes(target)).length;
const snoopSummary = JSON.parse(snoopOut.stdout.trim().split('\n').at(-1));
const osEvents = openOut ? openOut.stdout.split('\n').filter((l) => l.includes(target)).length : NaN;
const osLost = openOut ? [...openOut.stderr.matchAll(/Lost (\d+) events/g)].reduce((s, m) => s + Number(m[1]), 0) : NaN;

// ---- 4. trace -c --ebpf vs strace -c ------------------------------------------------------
const timedCmd = (argv) => median(Array.from({ length: RUNS }, () => timed(argv)));
const traceBase = timedCmd(dd(TRACE_COUNT));
const oslensTrace = timedCmd([process.execPath, OSLENS, 'trace', '-c', '--ebpf', '--', ...dd(TRACE_COUNT)]);
const straceT = hasStrace ? timedCmd(['strace', '-c', '-o', '/dev/null', ...dd(TRACE_COUNT)]) : NaN;
// oslens' own start-up (Node, loading BPF) is a fixed cost, not a per-syscall one: measure it.
const startup = timedCmd([process.execPath, OSLENS, 'trace', '-c', '--ebpf', '--', 'true']);
cleanup();

// ---- Report -------------------------------------------------------------------------------
const base = median(times.get('dd alone'));
console.log(`\nbench:ebpf — dd if=/dev/zero of=/dev/null bs=1 (${COUNT} bytes, ${2 * COUNT} syscalls), median of ${RUNS} interleaved rounds\n`);
for (const [name, ts] of times) {
  const t = median(ts);
  console.log(`  ${name.padEnd(78)} ${t.toFixed(3)} s  ${name === 'dd alone' ? '' : `${slow(t, base)} (${pct(t, base)})`}`);
}
const med = (name) => (times.has(name) ? median(times.get(name)) : NaN);
const os = med('oslens syscount (count mode)');
const lt = med('libbpf-tools syscount (count mode)');
console.log(`\n  oslens syscount / libbpf-tools syscount (count mode): ${(os / lt).toFixed(2)} (target <= 1.00 within noise)`);

console.log(`\n  delivery: oslens trace --ebpf --json -o FILE -- dd ... count=${TRACE_COUNT}`);
console.log(`    calls made ${produced}, records in the file ${deliveredCalls} (${((100 * deliveredCalls) / produced).toFixed(3)} %), lost ${summary.lost}`);
console.log(`    reads: ${readsDelivered} of ${readsProduced} (${((100 * readsDelivered) / readsProduced).toFixed(3)} %; target >= 99.9 %)`);
console.log(`    events per second delivered to the file${summary.lost === 0 ? ' without loss' : ''}: ${Math.round(deliveredCalls / traceSeconds)} (end to end, ${traceSeconds.toFixed(2)} s)`);

console.log(`\n  a ${OPENS}-open burst (${burstSeconds.toFixed(2)} s), both tools attached in the same run:`);
console.log(`    oslens snoop open --comm ${burstName}   delivered ${snoopEvents} (${((100 * snoopEvents) / OPENS).toFixed(2)} %), lost ${snoopSummary.lost} (said so)`);
console.log(`    libbpf-tools opensnoop -n ${burstName}   delivered ${Number.isNaN(osEvents) ? '-' : osEvents} (${((100 * osEvents) / OPENS).toFixed(2)} %), lost ${Number.isNaN(osLost) ? '-' : osLost} (said so)`);

console.log(`\n  counting one command (${TRACE_COUNT} bytes, ${2 * TRACE_COUNT} syscalls):`);
const over = (t) => t - traceBase;
console.log(`  ${'dd alone'.padEnd(40)} ${traceBase.toFixed(3)} s`);
console.log(`  ${'oslens trace -c --ebpf'.padEnd(40)} ${oslensTrace.toFixed(3)} s  overhead ${over(oslensTrace).toFixed(3)} s (of which start-up ${startup.toFixed(3)} s)`);
console.log(`  ${'strace -c'.padEnd(40)} ${straceT.toFixed(3)} s  overhead ${over(straceT).toFixed(3)} s`);
const perSyscall = oslensTrace - startup - traceBase;
const perSyscallText = perSyscall > 0.005 ? `${(over(straceT) / perSyscall).toFixed(1)}x` : "within start-up noise";
console.log(`  strace -c overhead / oslens trace -c --ebpf overhead: ${(over(straceT) / Math.max(over(oslensTrace), 1e-6)).toFixed(1)}x (per-syscall only, without oslens' start-up: ${perSyscallText})`);
