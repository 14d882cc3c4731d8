#!/usr/bin/env node
// npm run bench:ui — the cost of `oslens top -d 1` against htop's (-d 10 = 1 s) on this machine.
// Both run side by side under tmux (120×40) for the same time; their CPU time (utime + stime from
// /proc/PID/stat) is compared over the same window, after a warm-up that leaves out start-up.
// Installs htop from Debian when missing. Exit 1 when top costs more than htop.
import { execFileSync, spawnSync } from 'node:child_process';
import { setTimeout } from 'node:timers';
import { performance } from 'node:perf_hooks';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SECONDS = Number(process.env.BENCH_UI_SECONDS ?? 60);
const WARMUP = 3;
const TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

function have(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

if (!have('tmux')) {
  console.error('bench:ui needs tmux (apt-get install -y tmux)');
  process.exit(2);
}
if (!have('htop')) {
  console.log('bench:ui: installing htop from Debian (apt-get install -y htop)');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  const r = spawnSync('apt-get', ['install', '-y', '-qq', 'htop'], { stdio: 'inherit', env });
  if (r.status !== 0 || !have('htop')) {
    console.error('bench:ui: could not install htop (run as root, with the network)');
    process.exit(2);
  }
}
if (!existsSync(resolve(ROOT, 'dist/cli/main.js'))) {
  console.error('bench:ui: dist/ is missing: run npm run build first');
  process.exit(2);
}

const sessions = [];
function start(name, command) {
  // exec: the pane's process is the tool itself, so pane_pid is the pid to measure.
  execFileSync('tmux', ['new', '-d', '-s', name, '-x', '120', '-y', '40', `exec ${command}`], { cwd: ROOT });
  sessions.push(name);
  return Number(execFileSync('tmux', ['list-panes', '-t', name, '-F', '#{pane_pid}'], { encoding: 'utf8' }).trim());
}
function cleanup() {
  for (const s of sessions.splice(0)) spawnSync('tmux', ['kill-session', '-t', s]);
}
process.on('SIGINT', () => {
  cleanup();
  process.exit(130);
});

/** utime + stime of pid in clock ticks, the kernel's own integer unit (the comm field may hold
 * spaces: split after the last ')'). Compared as integers, so a tie is a tie, not float noise. */
function cpuTicks(pid) {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}
const cpuSeconds = (pid) => cpuTicks(pid) / TICKS;

// Through the launcher, as a user runs it (it picks the node flags per command); its `exec node`
// keeps the pane's pid. This node first on PATH.
const PATH = `${dirname(process.execPath)}:${process.env.PATH ?? ''}`;

/** Resident memory of pid, kB: total, anonymous (heap, stacks) and file-backed (node's binary, libraries). */
function memory(pid) {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return { rss: kb('VmRSS'), anon: kb('RssAnon'), file: kb('RssFile') };
}

const sleep = (s) => new Promise((r) => setTimeout(r, s * 1000));
const tag = process.pid;
let topPid, htopPid;
try {
  topPid = start(`oslens-bench-top-${tag}`, `env PATH=${PATH} sh bin/oslens top -d 1`);
  htopPid = start(`oslens-bench-htop-${tag}`, 'htop -d 10');
  await sleep(WARMUP);
  const top0 = cpuTicks(topPid);
  const htop0 = cpuTicks(htopPid);
  const t0 = performance.now();
  await sleep(SECONDS);
  const wall = (performance.now() - t0) / 1000;
  const topTicks = cpuTicks(topPid) - top0;
  const htopTicks = cpuTicks(htopPid) - htop0;
  const top = topTicks / TICKS;
  const htop = htopTicks / TICKS;
  const totalTop = cpuSeconds(topPid);
  const totalHtop = cpuSeconds(htopPid);
  const row = (name, cpu, total) =>
    `${name.padEnd(22)} ${cpu.toFixed(2).padStart(6)} s  ${((cpu / wall) * 100).toFixed(2).padStart(6)} % of one core   (with start-up: ${total.toFixed(2)} s)`;
  console.log(`bench:ui: ${SECONDS} s side by side under tmux 120x40, after ${WARMUP} s warm-up; 1 s refresh each`);
  console.log(row('oslens top -d 1', top, totalTop));
  console.log(row('htop -d 10', htop, totalHtop));
  const mb = (kb) => `${(kb / 1024).toFixed(1)} MB`;
  for (const [name, pid] of [
    ['oslens top -d 1', topPid],
    ['htop -d 10', htopPid],
  ]) {
    const m = memory(pid);
    console.log(`${name.padEnd(22)} resident ${mb(m.rss)} (anonymous ${mb(m.anon)}, file-backed ${mb(m.file)})`);
  }
  const ok = topTicks < htopTicks;
  console.log(
    ok
      ? `oslens top used ${topTicks} ticks, htop ${htopTicks} (${htop > 0 ? (top / htop).toFixed(2) : '?'}×): below htop`
      : `oslens top used ${topTicks} ticks, htop ${htopTicks} (${htop > 0 ? (top / htop).toFixed(2) : '?'}×): NOT below htop`,
  );
  process.exitCode = ok ? 0 : 1;
} finally {
  cleanup();
}
