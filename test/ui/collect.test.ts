/** Data-to-view code of the dashboards, without a terminal. */
import { describe, expect, it } from 'vitest';
import type { BenchRun } from '../../src/bench/types.js';
import type { Region } from '../../src/proc/maps.js';
import { barSegments, logPosition } from '../../src/ui/collect/bench.js';
import { pushHistory, sparkText } from '../../src/ui/collect/history.js';
import { lensFor, lensLines, lessonSection, measuredFor } from '../../src/ui/collect/lens.js';
import { processRates, sortProcessRows, type ProcessSample } from '../../src/ui/collect/processes.js';
import { deltaCounts } from '../../src/ui/collect/syscall-rates.js';
import {
  cpuSplit,
  memoryView,
  parseInterruptTotal,
  systemView,
  type SystemSample,
} from '../../src/ui/collect/system.js';
import { regionDeltas, regionName, sortRegions } from '../../src/ui/collect/watch.js';
import { processHeader, processLine } from '../../src/ui/plain.js';

const cpu = (user: number, system: number, idle: number, iowait = 0) => ({
  user,
  nice: 0,
  system,
  idle,
  iowait,
  irq: 0,
  softirq: 0,
  steal: 0,
});

function sys(t: number, c: ReturnType<typeof cpu>, ctxt: number, pgfault: number, pgmaj: number): SystemSample {
  return {
    t,
    stat: { cpu: c, perCpu: [c], contextSwitches: ctxt, bootTime: 0, processes: 0, procsRunning: 3, procsBlocked: 1 },
    interrupts: ctxt * 2,
    vmstat: { pgfault, pgmajfault: pgmaj },
    meminfo: {
      MemTotal: 1000,
      MemFree: 100,
      Cached: 300,
      Buffers: 50,
      SReclaimable: 50,
      Dirty: 7,
      SwapTotal: 10,
      SwapFree: 4,
    },
    load: null,
    pressure: { cpu: null, memory: null, io: null },
  };
}

describe('system view model', () => {
  it('splits CPU time between two samples into percentages', () => {
    const s = cpuSplit(cpu(10, 5, 100), cpu(13, 6, 105, 1));
    expect(s.user).toBeCloseTo(30);
    expect(s.system).toBeCloseTo(10);
    expect(s.iowait).toBeCloseTo(10);
    expect(s.busy).toBeCloseTo(40);
  });

  it('turns counters into rates over the interval; minor faults exclude major ones', () => {
    const v = systemView(sys(0, cpu(0, 0, 0), 1000, 500, 10), sys(2, cpu(1, 1, 2), 3000, 1500, 30));
    expect(v.contextSwitchesPerSec).toBe(1000);
    expect(v.interruptsPerSec).toBe(2000);
    expect(v.majorFaultsPerSec).toBe(10);
    expect(v.minorFaultsPerSec).toBe(490);
    expect(v.runQueue).toBe(3);
    expect(v.pressure).toBeNull();
  });

  it('memory: used excludes the page cache', () => {
    const m = memoryView({
      MemTotal: 1000,
      MemFree: 100,
      Cached: 300,
      Buffers: 50,
      SReclaimable: 50,
      SwapTotal: 10,
      SwapFree: 4,
    });
    expect(m.pageCache).toBe(400);
    expect(m.used).toBe(500);
    expect(m.swapUsed).toBe(6);
  });

  it('reads the interrupt total from /proc/stat text', () => {
    expect(parseInterruptTotal('cpu 1 2 3\nintr 12345 0 1 2\nctxt 9\n')).toBe(12345);
  });
});

const proc = (pid: number, over: Partial<ProcessSample> = {}): ProcessSample => ({
  pid,
  startTime: 1,
  comm: `p${pid}`,
  command: `p${pid}`,
  user: 'root',
  state: 'S',
  threads: 1,
  kernelThread: false,
  cpuSeconds: 0,
  rss: 0,
  minflt: 0,
  majflt: 0,
  timeslices: 0,
  ...over,
});

describe('process table', () => {
  it('computes per-process rates and ignores a reused pid', () => {
    const prev = new Map([
      [1, proc(1, { cpuSeconds: 1, minflt: 10, timeslices: 5 })],
      [2, proc(2, { cpuSeconds: 50, startTime: 1 })],
    ]);
    const cur = new Map([
      [1, proc(1, { cpuSeconds: 1.5, minflt: 30, timeslices: 11 })],
      [2, proc(2, { cpuSeconds: 0.1, startTime: 99 })],
    ]);
    const rows = processRates(prev, cur, 2, new Map([[1, 400]]));
    const r1 = rows.find((r) => r.pid === 1)!;
    expect(r1.cpuPercent).toBeCloseTo(25);
    expect(r1.minorFaultsPerSec).toBe(10);
    expect(r1.contextSwitchesPerSec).toBe(3);
    expect(r1.syscallsPerSec).toBe(200);
    expect(rows.find((r) => r.pid === 2)!.cpuPercent).toBe(0);
    expect(processRates(prev, cur, 2, null)[0]!.syscallsPerSec).toBeNull();
  });

  it('sorts by each key, biggest first (pid ascending)', () => {
    const rows = processRates(
      new Map(),
      new Map([
        [3, proc(3, { rss: 10 })],
        [1, proc(1, { rss: 30 })],
        [2, proc(2, { rss: 20 })],
      ]),
      1,
    );
    expect(sortProcessRows(rows, 'rss').map((r) => r.pid)).toEqual([1, 2, 3]);
    expect(sortProcessRows(rows, 'pid').map((r) => r.pid)).toEqual([1, 2, 3]);
    expect(processHeader('rss')).toContain('▼RSS');
    expect(processLine(rows[0]!)).toMatch(/^\s+3 root/);
  });
});

const region = (start: number, rss: number, path = '', size = 4096 * 100): Region =>
  ({ start, end: start + size, size, rss, path, kind: 'anon', perms: 'rw-p', dirty: 0, swap: 0 }) as Region;

describe('watch regions', () => {
  it('per-region RSS deltas by start address; new regions marked', () => {
    const prev = [region(0x1000, 4096, '[heap]'), region(0x900000, 0)];
    const cur = [region(0x1000, 4096 * 3, '[heap]', 4096 * 200), region(0x900000, 0), region(0x7f0000, 8192)];
    const rows = regionDeltas(prev, cur);
    expect(rows[0]).toMatchObject({ rssDelta: 8192, changed: true, isNew: false, sizeDelta: 4096 * 100 });
    expect(rows[1]).toMatchObject({ rssDelta: 0, changed: false });
    expect(rows[2]).toMatchObject({ rssDelta: 8192, isNew: true, changed: true });
    expect(sortRegions(rows).map((r) => r.key)).toEqual(['1000', '7f0000', '900000']);
    expect(regionName(rows[0]!)).toBe('[heap]');
    expect(regionName(rows[2]!)).toBe('anon@7f0000');
    // The first sample has nothing to compare with: no deltas.
    expect(regionDeltas(null, cur).every((r) => r.rssDelta === 0 && !r.changed)).toBe(true);
  });

  it('syscall counter deltas keep only what grew', () => {
    expect([
      ...deltaCounts(
        new Map([
          ['read', 10],
          ['write', 5],
        ]),
        new Map([
          ['read', 4],
          ['write', 5],
        ]),
      ),
    ]).toEqual([['read', 6]]);
  });
});

describe('bench bars on a log scale', () => {
  it('places ns on the 0.1 ns .. 1 s axis', () => {
    expect(logPosition(0.1, 40)).toBe(0);
    expect(logPosition(1e9, 40)).toBe(40);
    expect(logPosition(1, 40)).toBe(4);
  });

  it('marks the reference range and the overlap with the measured bar', () => {
    const segs = barSegments(200, { lowNs: 100, highNs: 300 }, 40);
    expect(segs.map((s) => s.kind)).toEqual(
      ['bar', 'bar-in-ref', 'ref', 'empty'].filter((k) => segs.some((s) => s.kind === k)),
    );
    expect(segs.reduce((n, s) => n + s.length, 0)).toBe(40);
    expect(barSegments(null, null, 10)).toEqual([{ kind: 'empty', length: 10 }]);
  });
});

describe('the lens', () => {
  it('shows the model summary, a lesson excerpt and the latency row', () => {
    const c = lensFor({ label: 'Page faults/s', model: 'virtual-memory', row: 'minor-vs-major-fault' }, null);
    expect(c.modelTitle).toBe('3. Virtual memory');
    expect(c.summary.length).toBeGreaterThan(20);
    expect(c.excerpt).not.toContain('`');
    expect(c.latency?.measured).toBeNull();
    expect(lensLines(c).join('\n')).toContain('not measured yet');
  });

  it("quotes this machine's figure from a saved bench run", () => {
    const run = {
      results: [{ id: 'syscall-getpid', row: 'syscall', nsPerOp: 187 }],
      ratios: [{ row: 'vdso-vs-syscall', measured: 12.5, numerator: 'clock-syscall', denominator: 'clock-vdso' }],
    } as unknown as BenchRun;
    expect(measuredFor(run, 'syscall')).toBe('187 ns (syscall-getpid)');
    expect(measuredFor(run, 'vdso-vs-syscall')).toContain('clock-syscall / clock-vdso');
    const c = lensFor(
      { label: 'x', model: 'syscall-boundary', row: 'syscall' },
      { run, file: 'f.json', date: '2026-11-23T00:00:00Z' },
    );
    expect(c.latency?.measured).toBe('187 ns (syscall-getpid)');
    expect(c.benchNote).toContain('f.json');
  });

  it('takes the first paragraph of a lesson section, markdown stripped', () => {
    expect(lessonSection('## A\n\nOne `two` **three**.\n\nNext.\n## B\nx', 'A')).toBe('One two three.');
    expect(lessonSection('## A\nx', 'Missing')).toBeNull();
  });

  it('history and sparklines', () => {
    const h: number[] = [];
    for (let i = 0; i < 5; i++) pushHistory(h, i, 3);
    expect(h).toEqual([2, 3, 4]);
    expect(sparkText([0, 1, 2], 3)).toBe('▁▄█');
    expect(sparkText([0, 0], 5)).toBe('▁▁');
  });
});
