/** top's table logic (pure): columns that fit a width, TIME+, tty names, filters and the tree. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { axisLabels } from '../../src/bench/scale.js';
import { nextMatch, tableRows, NO_CHOICE } from '../../src/ui/collect/process-table.js';
import { sortProcessRows, ttyName, type ProcessRateRow } from '../../src/ui/collect/processes.js';
import { columnsLine, commandOffset, fitColumns, timePlus } from '../../src/ui/process-columns.js';

function row(pid: number, ppid: number, over: Partial<ProcessRateRow> = {}): ProcessRateRow {
  return {
    pid,
    tgid: pid,
    ppid,
    nice: 0,
    vsize: 1 << 20,
    tty: '?',
    cpuSeconds: pid,
    memPercent: 0.1,
    user: 'root',
    state: 'S',
    comm: `p${pid}`,
    command: `prog ${pid}`,
    threads: 1,
    kernelThread: false,
    cpuPercent: pid % 7,
    rss: pid * 4096,
    minorFaultsPerSec: 0,
    majorFaultsPerSec: 0,
    contextSwitchesPerSec: 0,
    syscallsPerSec: null,
    ...over,
  };
}

describe('process table columns', () => {
  it('fitColumns keeps COMMAND at least 20 cells (or a third) and drops by priority', () => {
    fc.assert(
      fc.property(fc.integer({ min: 20, max: 250 }), (width) => {
        const cols = fitColumns(width);
        const left = width - commandOffset(cols);
        expect(cols[0]?.title).toBe('PID');
        if (cols.length > 1) expect(left).toBeGreaterThanOrEqual(Math.min(20, Math.max(8, Math.floor(width / 3))));
        // Wider never shows fewer columns.
        expect(fitColumns(width + 10).length).toBeGreaterThanOrEqual(cols.length);
        const line = columnsLine(cols, row(123456, 1, { command: 'x'.repeat(300) }), left);
        expect(line.length).toBe(width);
      }),
    );
    const at80 = fitColumns(76).map((c) => c.title);
    expect(at80).toEqual(['PID', 'USER', 'S', 'CPU%', 'RSS', 'FLT/s', 'CSW/s', 'SYSC/s']);
    expect(fitColumns(200).map((c) => c.title)).toEqual(expect.arrayContaining(['VIRT', '%MEM', 'TIME+', 'TTY', 'NI']));
  });

  it('TIME+ is minutes:seconds.hundredths', () => {
    expect(timePlus(0)).toBe('0:00.00');
    expect(timePlus(61.257)).toBe('1:01.25');
    expect(timePlus(3600 * 20)).toBe('20h00');
  });

  it('ttyName decodes stat tty_nr like ps', () => {
    expect(ttyName(0)).toBe('?');
    expect(ttyName((136 << 8) | 3)).toBe('pts/3');
    expect(ttyName((4 << 8) | 1)).toBe('tty1');
    expect(ttyName((4 << 8) | 65)).toBe('ttyS1');
  });
});

describe('tableRows', () => {
  const rows = [row(1, 0), row(10, 1), row(11, 10), row(12, 10), row(20, 1, { user: 'nobody' })];

  it('filters by text, user and kernel threads', () => {
    expect(tableRows(rows, { ...NO_CHOICE, filter: 'PROG 1' }).map((r) => r.row.pid)).toEqual([1, 10, 11, 12]);
    expect(tableRows(rows, { ...NO_CHOICE, user: 'nobody' }).map((r) => r.row.pid)).toEqual([20]);
    const k = [...rows, row(2, 0, { kernelThread: true, command: '[kthreadd]' })];
    expect(tableRows(k, { ...NO_CHOICE, hideKernelThreads: true }).some((r) => r.row.pid === 2)).toBe(false);
  });

  it('the tree: every row once, each child after its parent, siblings in sort order', () => {
    const arb = fc
      .uniqueArray(fc.integer({ min: 2, max: 400 }), { minLength: 1, maxLength: 60 })
      .chain((pids) =>
        fc.tuple(
          fc.constant(pids),
          fc.array(fc.integer({ min: 0, max: 400 }), { minLength: pids.length, maxLength: pids.length }),
        ),
      );
    fc.assert(
      fc.property(arb, fc.boolean(), ([pids, parents], reverse) => {
        const rs = sortProcessRows(
          pids.map((p, i) => row(p, parents[i] as number)),
          'cpu',
          reverse,
        );
        const out = tableRows(rs, { ...NO_CHOICE, tree: true });
        expect(out.map((r) => r.row.pid).sort((a, b) => a - b)).toEqual([...pids].sort((a, b) => a - b));
        const at = new Map(out.map((r, i) => [r.row.pid, i]));
        for (const r of out) {
          const parent = at.get(r.row.ppid);
          if (parent !== undefined && r.row.ppid !== r.row.pid && r.prefix)
            expect(parent).toBeLessThan(at.get(r.row.pid) as number);
          // ASCII only: the table's per-tick path writes one cell per character.
          expect(r.prefix).toMatch(/^[ |`-]*$/);
        }
      }),
    );
    const t = tableRows(rows, { ...NO_CHOICE, tree: true });
    expect(t.map((r) => `${r.prefix}${r.row.pid}`)).toEqual(['1', '|- 10', '|  |- 11', '|  `- 12', '`- 20']);
  });

  it('a cycle of parents (pids reused between two reads) still shows every row', () => {
    const t = tableRows([row(7, 8), row(8, 7)], { ...NO_CHOICE, tree: true });
    expect(t.map((r) => r.row.pid).sort()).toEqual([7, 8]);
  });

  it('threads go under their process', () => {
    const t = tableRows([row(5, 1), row(6, 1, { tgid: 5 })], { ...NO_CHOICE, tree: true });
    expect(t.map((r) => `${r.prefix}${r.row.pid}`)).toEqual(['5', '`- 6']);
  });

  it('nextMatch wraps around and skips the current row', () => {
    const t = tableRows(rows, NO_CHOICE);
    expect(nextMatch(t, 'prog 1', 2)).toBe(2);
    expect(nextMatch(t, 'prog 1', 4)).toBe(0);
    expect(nextMatch(t, 'nothing', 0)).toBe(-1);
  });
});

describe('bench axis labels', () => {
  it('never run together, at any width', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 120 }), (w) => {
        const line = axisLabels(w);
        expect(line).not.toMatch(/s1/);
        expect(line).toContain('1ns');
        if (w >= 20) expect(line).toMatch(/1ns +1µs +1ms +1s$/);
      }),
    );
  });
});
