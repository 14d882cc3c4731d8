#!/usr/bin/env node
// npm run bench:export — the cost of a scrape: `oslens export` against prometheus-node-exporter,
// interleaved (round by round, so machine noise hits both alike), at least 300 processes on the
// host (sleepers are started to reach it); oslens twice: every collector, and without the
// per-syscall histograms (a number of series comparable with node_exporter's). Per exporter: series per scrape, scrape latency
// (median, p90) and the server's CPU time per scrape (from /proc/PID/stat, over batches of
// scrapes so the clock-tick granularity does not dominate).
// BENCH_ROUNDS (default 10) x BENCH_BATCH (default 10) scrapes each; BENCH_PROCS (default 300).
/* global fetch */
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OSLENS = resolve(root, 'bin/oslens');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
const BATCH = Number(process.env.BENCH_BATCH ?? 10);
const PROCS = Number(process.env.BENCH_PROCS ?? 300);
const TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

if (spawnSync('prometheus-node-exporter', ['--version']).error) {
  console.error('bench:export: prometheus-node-exporter is missing (apt-get install prometheus-node-exporter)');
  process.exit(1);
}

const started = [];
const cleanup = () => {
  for (const c of started) if (c.exitCode === null) c.kill('SIGTERM');
};
process.on('SIGINT', () => {
  cleanup();
  process.exit(130);
});

function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

const pidCount = () => readdirSync('/proc').filter((n) => /^\d+$/.test(n)).length;
for (let i = pidCount(); i < PROCS; i++) started.push(spawn('sleep', ['600'], { stdio: 'ignore' }));

/** utime+stime of a process, seconds. */
function cpuSeconds(pid) {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / TICKS;
}

async function startServer(name, cmd, args, port) {
  const child = spawn(cmd, args, { stdio: 'ignore' });
  started.push(child);
  // A loaded machine: loading the eBPF programs can take a while.
  for (let i = 0; i < 900; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/metrics`)).ok)
        return { name, child, port, lat: [], cpu: [], series: 0 };
    } catch {
      // not yet
    }
    await sleep(100);
  }
  throw new Error(`${name} did not start`);
}

const oPort = await freePort();
const cPort = await freePort();
const nPort = await freePort();
// Every collector; and, for a number of series comparable with node_exporter's, all but the
// per-syscall ones (whose latency histograms are 16 series per syscall seen). The eBPF programs
// of the first run for every process, the other two exporters included: the same tax for all.
const oslensArgs = (port, more = []) => [OSLENS, 'export', '--listen', `127.0.0.1:${port}`, '--interval', '0', ...more];
const servers = [
  await startServer('oslens export', process.execPath, oslensArgs(oPort), oPort),
  await startServer(
    'oslens -syscalls',
    process.execPath,
    oslensArgs(cPort, ['--collectors', 'proc,system,bench,runqlat']),
    cPort,
  ),
  await startServer('node_exporter', 'prometheus-node-exporter', [`--web.listen-address=127.0.0.1:${nPort}`], nPort),
];
// What Prometheus sends: OpenMetrics first, 0.0.4 text second.
const ACCEPT = 'application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.4';

async function scrape(s) {
  const t0 = process.hrtime.bigint();
  const body = await (await fetch(`http://127.0.0.1:${s.port}/metrics`, { headers: { Accept: ACCEPT } })).text();
  s.lat.push(Number(process.hrtime.bigint() - t0) / 1e6);
  s.series = body.split('\n').filter((l) => l && !l.startsWith('#')).length;
}

const procs = pidCount();
for (const s of servers) for (let i = 0; i < 3; i++) await scrape(s); // warm-up
for (let r = 0; r < ROUNDS; r++) {
  for (const s of r % 2 ? [...servers].reverse() : servers) {
    const c0 = cpuSeconds(s.child.pid);
    for (let i = 0; i < BATCH; i++) await scrape(s);
    s.cpu.push(((cpuSeconds(s.child.pid) - c0) / BATCH) * 1000);
  }
}
cleanup();

const pct = (xs, p) => {
  const a = [...xs].sort((x, y) => x - y);
  return a[Math.min(a.length - 1, Math.floor(p * a.length))];
};
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
console.log(`bench:export: ${procs} processes at the start, ${ROUNDS} rounds x ${BATCH} scrapes each, interleaved`);
console.log('exporter          series   latency p50 ms   p90 ms   CPU ms/scrape (mean)   CPU µs/series');
for (const s of servers) {
  const cpu = mean(s.cpu);
  console.log(
    `${s.name.padEnd(16)} ${String(s.series).padStart(7)} ${pct(s.lat, 0.5).toFixed(1).padStart(15)} ${pct(s.lat, 0.9).toFixed(1).padStart(8)} ${cpu.toFixed(2).padStart(22)} ${((cpu * 1000) / s.series).toFixed(2).padStart(15)}`,
  );
}
const n = servers[2];
for (const o of servers.slice(0, 2)) {
  console.log(
    `${o.name}/node_exporter CPU per scrape: ${(mean(o.cpu) / mean(n.cpu)).toFixed(2)} (target <= 1) with ${o.series} series against ${n.series}, ` +
      `per series: ${(mean(o.cpu) / o.series / (mean(n.cpu) / n.series)).toFixed(2)}; scrape p50 ${pct(o.lat, 0.5).toFixed(1)} ms with ${procs} processes (target < 50 ms with 300)`,
  );
}
