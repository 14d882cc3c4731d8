/**
 * `oslens export` scraped by a real Prometheus (Debian's package) for ~20 s on loopback: the
 * series exist, the fault and switch counters of a child this test drives rose by what it did,
 * the run-queue histogram has buckets, the target is healthy (Prometheus parsed the OpenMetrics),
 * and `promtool check metrics` accepts a 0.0.4 scrape.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OSLENS, ROOT as ROOT_DIR, skipUnlessCapable } from '../helpers/env.js';
import { freePort } from '../helpers/net.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ROOT = process.getuid?.() === 0;
const HAVE_PROMETHEUS = spawnSync('prometheus', ['--version']).status === 0;

async function waitFor<T>(what: string, ms: number, probe: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch {
      // not up yet
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

interface Vector {
  metric: Record<string, string>;
  value: [number, string];
}

async function query(promPort: number, q: string): Promise<Vector[]> {
  const r = await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent(q)}`);
  const body = (await r.json()) as { status: string; data: { result: Vector[] }; error?: string };
  if (body.status !== 'success') throw new Error(`${q}: ${body.error}`);
  return body.data.result;
}

/**
 * A child that, once told on stdin, touches PAGES fresh anonymous pages (no huge pages: one minor
 * fault each) and then sleeps SLEEPS times (one voluntary switch each), then idles.
 */
const PAGES = 20000;
const SLEEPS = 300;
const CHILD = `
import mmap, sys, time
time.sleep(0.002)  # one clock_nanosleep first: its histogram series exists before the measured ones
sys.stdout.write('ready\\n'); sys.stdout.flush()
sys.stdin.readline()
m = mmap.mmap(-1, ${PAGES} * 4096, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
m.madvise(mmap.MADV_NOHUGEPAGE)
for i in range(0, ${PAGES} * 4096, 4096):
    m[i] = 1
for _ in range(${SLEEPS}):
    time.sleep(0.002)
sys.stdout.write('done\\n'); sys.stdout.flush()
sys.stdin.readline()
`;

const children: ChildProcess[] = [];
const dirs: string[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function lines(child: ChildProcess): { next: (want: string) => Promise<void> } {
  let buf = '';
  child.stdout!.on('data', (d: Buffer) => (buf += d.toString()));
  return {
    next: (want) =>
      waitFor(`child to print ${want}`, 20_000, async () => (buf.includes(want) ? true : undefined)).then(
        () => undefined,
      ),
  };
}

describe('oslens export under a real Prometheus', () => {
  it('is scraped for ~20 s: series, counters of a driven child, histogram buckets, promtool', async ({ skip }) => {
    if (!HAVE_PROMETHEUS) skipUnlessCapable(skip, 'the prometheus package is not installed');
    if (!ROOT) skipUnlessCapable(skip, 'the eBPF collectors need root');
    const dir = mkdtempSync(join(tmpdir(), 'oslens-prom-'));
    dirs.push(dir);
    const home = join(dir, 'home');
    spawnSync('mkdir', ['-p', home]);
    // A saved bench run for the bench collector (the shape `oslens bench` remembers).
    writeFileSync(
      join(home, 'last-bench.json'),
      JSON.stringify({
        host: { date: '2026-01-02T03:04:05.000Z', hostname: 'h', cpuModel: 'c' },
        results: [
          {
            id: 'syscall-getpid',
            model: 'syscall-boundary',
            row: 'syscall',
            nsPerOp: 250,
            reference: { lowNs: 50, highNs: 500 },
            status: 'measured',
          },
        ],
      }),
    );
    const exportPort = await freePort();
    const exporter = spawn(
      process.execPath,
      [OSLENS, 'export', '--listen', `127.0.0.1:${exportPort}`, '--top', '100000', '--interval', '0'],
      { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, OSLENS_HOME: home } },
    );
    children.push(exporter);
    let exporterErr = '';
    exporter.stderr!.on('data', (d: Buffer) => (exporterErr += d.toString()));
    await waitFor('the exporter', 30_000, async () =>
      (await fetch(`http://127.0.0.1:${exportPort}/`)).ok ? true : undefined,
    ).catch((e: Error) => {
      throw new Error(`${e.message}: ${exporterErr}`);
    });

    const promPort = await freePort();
    writeFileSync(
      join(dir, 'prometheus.yml'),
      `global:\n  scrape_interval: 1s\n  scrape_timeout: 900ms\nscrape_configs:\n  - job_name: oslens\n    static_configs:\n      - targets: ['127.0.0.1:${exportPort}']\n`,
    );
    const prom = spawn(
      'prometheus',
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
      ],
      { stdio: 'ignore' },
    );
    children.push(prom);

    const child = spawn('/usr/bin/python3', ['-c', CHILD], { stdio: ['pipe', 'pipe', 'inherit'] });
    children.push(child);
    const out = lines(child);
    await out.next('ready');
    const pid = String(child.pid);
    const series = (name: string) => `${name}_total{pid="${pid}"}`;
    // Scraped a few times before the child acts, so the series' first value is before it.
    await waitFor('the child in Prometheus', 30_000, async () =>
      Number(
        (await query(promPort, `count_over_time(${series('oslens_process_minor_faults')}[1m])`))[0]?.value[1] ?? 0,
      ) >= 3
        ? true
        : undefined,
    );
    // ... and the sleep histogram's series too (a series first seen after the sleeps shows no rise):
    // on a quiet machine nothing else may call clock_nanosleep.
    const sleepBucket = 'oslens_syscall_latency_seconds_bucket{syscall="clock_nanosleep",le="0.016777216"}';
    await waitFor('the sleep histogram in Prometheus', 30_000, async () =>
      Number((await query(promPort, `count_over_time(${sleepBucket}[1m])`))[0]?.value[1] ?? 0) >= 3 ? true : undefined,
    );
    const started = Date.now();
    child.stdin!.write('go\n');
    await out.next('done');
    // Scraped ~20 s in all: the rest after the child is done.
    await sleep(Math.max(3000, 20_000 - (Date.now() - started)));

    const rise = async (name: string) => {
      const s = series(name);
      const v = await query(promPort, `max_over_time(${s}[5m]) - min_over_time(${s}[5m])`);
      return Number(v[0]?.value[1]);
    };
    const faults = await rise('oslens_process_minor_faults');
    expect(faults).toBeGreaterThanOrEqual(PAGES);
    expect(faults).toBeLessThan(PAGES * 1.05 + 500);
    const switches = await rise('oslens_process_voluntary_context_switches');
    if (!(switches >= SLEEPS)) {
      // What Prometheus holds, and what the kernel says now: tells a lost scrape from a stale read.
      const held = await fetch(
        `http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent(`${series('oslens_process_voluntary_context_switches')}[5m]`)}`,
      ).then((r) => r.text());
      const kernel = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^voluntary_ctxt_switches:.*$/m)?.[0];
      throw new Error(`voluntary switches rose ${switches} < ${SLEEPS}; kernel: ${kernel}; Prometheus: ${held}`);
    }
    expect(switches).toBeLessThan(SLEEPS * 1.2 + 50);

    // The target is healthy: Prometheus parsed every scrape (it asks for OpenMetrics first).
    const targets = (await (await fetch(`http://127.0.0.1:${promPort}/api/v1/targets`)).json()) as {
      data: { activeTargets: { health: string; lastError: string }[] };
    };
    expect(targets.data.activeTargets.map((t) => [t.health, t.lastError])).toEqual([['up', '']]);
    expect(
      Number((await query(promPort, 'count_over_time(up{job="oslens"}[5m])'))[0]?.value[1]),
    ).toBeGreaterThanOrEqual(15);

    // Every collector up, and one series of each.
    const up = await query(promPort, 'oslens_collector_up');
    expect(Object.fromEntries(up.map((v) => [v.metric.collector, v.value[1]]))).toEqual({
      proc: '1',
      system: '1',
      bench: '1',
      syscalls: '1',
      runqlat: '1',
    });
    for (const name of [
      'oslens_process_cpu_seconds_total',
      'oslens_process_resident_memory_bytes',
      'oslens_process_major_faults_total',
      'oslens_process_involuntary_context_switches_total',
      'oslens_context_switches_total',
      'oslens_run_queue_tasks',
      'oslens_page_faults_total',
      'oslens_memory_bytes',
      'oslens_syscalls_total',
      'oslens_syscall_errors_total',
      'oslens_syscall_latency_seconds_bucket',
      'oslens_syscall_latency_seconds_sum',
    ]) {
      expect((await query(promPort, name)).length, name).toBeGreaterThan(0);
    }
    // The child's own syscalls are in the eBPF counts with their model: it slept (clock_nanosleep).
    const sleeps = await query(promPort, 'oslens_syscalls_total{syscall="clock_nanosleep"}');
    expect(sleeps[0]?.metric.model).toBe('scheduling');
    expect(Number(sleeps[0]?.value[1])).toBeGreaterThanOrEqual(SLEEPS);
    // Their latency is in the histogram: each 2 ms sleep took 2 ms or more, so the calls between
    // 1.05 ms and 16.8 ms rose by at least the child's (a loaded machine may overshoot a few).
    const band = (le: string) => `oslens_syscall_latency_seconds_bucket{syscall="clock_nanosleep",le="${le}"}`;
    const inBand = await query(
      promPort,
      `(max_over_time(${band('0.016777216')}[5m]) - min_over_time(${band('0.016777216')}[5m])) - ignoring(le) (max_over_time(${band('0.001048576')}[5m]) - min_over_time(${band('0.001048576')}[5m]))`,
    );
    expect(Number(inBand[0]?.value[1])).toBeGreaterThanOrEqual(SLEEPS * 0.9);
    expect(sleeps.length).toBe(1);
    const p99 = await query(
      promPort,
      'histogram_quantile(0.99, sum by (le) (rate(oslens_syscall_latency_seconds_bucket{model="scheduling"}[10s])))',
    );
    expect(Number(p99[0]?.value[1])).toBeGreaterThan(0);
    // The saved bench run, with its labels, bounds and date.
    const bench = await query(promPort, 'oslens_bench_operation_seconds');
    expect(bench.map((v) => [v.metric.id, v.metric.model, v.metric.row, Number(v.value[1])])).toEqual([
      ['syscall-getpid', 'syscall-boundary', 'syscall', 250e-9],
    ]);
    expect(Number((await query(promPort, 'oslens_bench_reference_high_seconds'))[0]?.value[1])).toBe(500e-9);
    expect(Number((await query(promPort, 'oslens_bench_run_timestamp_seconds'))[0]?.value[1])).toBe(
      Date.parse('2026-01-02T03:04:05.000Z') / 1000,
    );
    // The run-queue histogram: buckets with le bounds, cumulative, and a quantile Prometheus computes.
    const buckets = await query(promPort, 'oslens_runqueue_latency_seconds_bucket');
    expect(buckets.length).toBeGreaterThan(10);
    const byLe = buckets
      .map((b) => [Number(b.metric.le === '+Inf' ? Infinity : b.metric.le), Number(b.value[1])] as const)
      .sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < byLe.length; i++) expect(byLe[i]![1]).toBeGreaterThanOrEqual(byLe[i - 1]![1]);
    expect(byLe.at(-1)![1]).toBeGreaterThan(0);
    const p50 = await query(promPort, 'histogram_quantile(0.5, rate(oslens_runqueue_latency_seconds_bucket[10s]))');
    expect(Number(p50[0]?.value[1])).toBeGreaterThan(0);

    // promtool accepts a Prometheus 0.0.4 scrape (what a scraper gets without asking for OpenMetrics).
    const scrape = await (await fetch(`http://127.0.0.1:${exportPort}/metrics`)).text();
    const check = spawnSync('promtool', ['check', 'metrics'], { input: scrape, encoding: 'utf8' });
    expect(check.stdout + check.stderr).toBe('');
    expect(check.status).toBe(0);

    // The shipped dashboard's queries are valid PromQL and each finds data from this exporter.
    const dashboard = JSON.parse(readFileSync(join(ROOT_DIR, 'export/grafana-dashboard.json'), 'utf8')) as {
      panels: { title: string; targets: { expr: string }[] }[];
    };
    for (const p of dashboard.panels) {
      for (const t of p.targets) {
        const expr = t.expr.replaceAll('$instance', '.+').replaceAll('$__rate_interval', '10s');
        expect((await query(promPort, expr)).length, `${p.title}: ${expr}`).toBeGreaterThan(0);
      }
    }

    child.stdin!.end();
    prom.kill('SIGTERM');
    exporter.kill('SIGTERM');
    expect(await new Promise((r) => exporter.on('exit', (code) => r(code)))).toBe(143);
  }, 120_000);
});
