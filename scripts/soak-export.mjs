#!/usr/bin/env node
// npm run soak:export [-- SECONDS] — memory of `oslens export` under process churn.
// Starts the exporter (all collectors, --interval 0, --top 20), keeps ~CHURN_LIVE short-lived
// processes coming and going (each under one of 64 names: a new pid and label set every time),
// scrapes /metrics every second, and each minute prints the exporter's RSS, V8 heap, open fds
// (from its own process_* / nodejs_* metrics) and the per-scrape label bound. At the end: the
// growth of RSS and heap from the first minute after warm-up to the last, and whether the proc
// series stayed within --top + "other" in every scrape. Exit 1 when the bound was broken.
// Default 600 s; SOAK_SPAWN_PER_S (default 20) processes started per second.
/* global fetch, setInterval, clearInterval */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SECONDS = Number(process.argv[2] ?? 600);
const SPAWN_PER_S = Number(process.env.SOAK_SPAWN_PER_S ?? 20);
const TOP = 20;
const NAMES = 64;

const dir = mkdtempSync(join(tmpdir(), 'oslens-soak-'));
// comm is the basename of what was executed: links to sleep give the churn many names.
for (let i = 0; i < NAMES; i++) symlinkSync('/bin/sleep', join(dir, `churn-${i}`));
const children = new Set();
let exporter;
let stopping = false;
const cleanup = () => {
  stopping = true;
  for (const c of children) c.kill('SIGKILL');
  if (exporter?.exitCode === null) exporter.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
};
process.on('SIGINT', () => {
  cleanup();
  process.exit(130);
});

const port = await new Promise((res, rej) => {
  const s = createServer();
  s.once('error', rej);
  s.listen(0, '127.0.0.1', () => {
    const { port: p } = s.address();
    s.close(() => res(p));
  });
});
exporter = spawn(
  process.execPath,
  [join(root, 'bin/oslens'), 'export', '--listen', `127.0.0.1:${port}`, '--interval', '0', '--top', String(TOP)],
  { stdio: ['ignore', 'ignore', 'pipe'] },
);
let exporterErr = '';
exporter.stderr.on('data', (d) => (exporterErr += d));
exporter.on('exit', (code) => {
  if (!stopping) {
    console.error(`soak:export: the exporter exited (${code}): ${exporterErr.trim()}`);
    process.exit(1);
  }
});
const url = `http://127.0.0.1:${port}/metrics`;
for (let i = 0; ; i++) {
  try {
    if ((await fetch(url)).ok) break;
  } catch {
    if (i > 900 || exporter.exitCode !== null) throw new Error('the exporter did not start');
  }
  await sleep(100);
}

let spawned = 0;
function churn() {
  if (stopping) return;
  const name = `churn-${spawned++ % NAMES}`;
  // Lives 0.1 to 3 s: some are seen by one scrape, some by several, some by none.
  const c = spawn(join(dir, name), [(0.1 + Math.random() * 2.9).toFixed(2)], { stdio: 'ignore' });
  children.add(c);
  c.on('exit', () => children.delete(c));
}
const spawner = setInterval(churn, 1000 / SPAWN_PER_S);

const value = (text, name) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
const samples = []; // { t, rss, heap, fds }
let scrapes = 0;
let broken = 0;
let maxSeries = 0;
const t0 = Date.now();
console.log(`soak:export: ${SECONDS} s, ~${SPAWN_PER_S} processes started per second, --top ${TOP}, 1 scrape/s`);
console.log('   t s   RSS MB   heap MB   fds   proc series (max)   processes   spawned');
while (Date.now() - t0 < SECONDS * 1000) {
  await sleep(1000);
  const text = await (await fetch(url)).text();
  scrapes++;
  const series = text.match(/^oslens_process_cpu_seconds_total\{/gm)?.length ?? 0;
  const other = /^oslens_process_cpu_seconds_total\{pid="",comm="other"\}/m.test(text);
  maxSeries = Math.max(maxSeries, series);
  if (series > TOP + 1 || (value(text, 'oslens_processes_tracked') > TOP && !other)) broken++;
  const s = {
    t: (Date.now() - t0) / 1000,
    rss: value(text, 'process_resident_memory_bytes') / 2 ** 20,
    heap: value(text, 'nodejs_heap_size_used_bytes') / 2 ** 20,
    fds: value(text, 'process_open_fds'),
  };
  samples.push(s);
  if (scrapes % 60 === 0 || scrapes === 1) {
    console.log(
      `${s.t.toFixed(0).padStart(6)} ${s.rss.toFixed(1).padStart(8)} ${s.heap.toFixed(1).padStart(9)} ${String(s.fds).padStart(5)} ${`${series} (${maxSeries})`.padStart(19)} ${String(value(text, 'oslens_processes_tracked')).padStart(11)} ${String(spawned).padStart(9)}`,
    );
  }
}
clearInterval(spawner);
cleanup();

// Warm-up: the first minute (JIT, first readings). Then the first and last minute compared by median.
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const window = (from, to) => samples.filter((s) => s.t >= from && s.t < to);
const first = window(60, 120);
const last = window(SECONDS - 60, SECONDS + 1);
if (first.length === 0 || last.length === 0) {
  console.log('soak:export: too short to compare (run at least 180 s)');
} else {
  const f = (k) => median(first.map((s) => s[k]));
  const l = (k) => median(last.map((s) => s[k]));
  console.log(
    `RSS median ${f('rss').toFixed(1)} MB (60-120 s) -> ${l('rss').toFixed(1)} MB (last minute): ${(l('rss') - f('rss')).toFixed(1)} MB; ` +
      `heap ${f('heap').toFixed(1)} -> ${l('heap').toFixed(1)} MB; fds ${f('fds')} -> ${l('fds')}; ` +
      `max RSS ${Math.max(...samples.map((s) => s.rss)).toFixed(1)} MB`,
  );
  // Flat means no trend once warm: the least-squares slope of RSS and heap over the second half.
  const half = samples.filter((s) => s.t >= SECONDS / 2);
  const slope = (k) => {
    const mt = half.reduce((a, s) => a + s.t, 0) / half.length;
    const mv = half.reduce((a, s) => a + s[k], 0) / half.length;
    const num = half.reduce((a, s) => a + (s.t - mt) * (s[k] - mv), 0);
    const den = half.reduce((a, s) => a + (s.t - mt) ** 2, 0);
    return (num / den) * 60;
  };
  console.log(
    `second half (${(SECONDS / 2).toFixed(0)}-${SECONDS} s): RSS ${Math.min(...half.map((s) => s.rss)).toFixed(1)}-${Math.max(...half.map((s) => s.rss)).toFixed(1)} MB, ` +
      `slope ${slope('rss').toFixed(2)} MB/min; heap slope ${slope('heap').toFixed(2)} MB/min`,
  );
}
console.log(
  `${scrapes} scrapes, ${spawned} processes started; proc series per scrape at most ${maxSeries} (bound ${TOP} + other): ${broken === 0 ? 'held' : `broken in ${broken} scrapes`}`,
);
process.exit(broken === 0 ? 0 : 1);
