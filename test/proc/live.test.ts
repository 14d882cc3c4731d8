import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { inspectProcess } from '../../src/proc/inspect.js';
import { readAddressSpace, readFds, readProcessStat, readProcessStatus, readThreads } from '../../src/proc/process.js';
import { listProcesses } from '../../src/proc/ps.js';
import { ProcessGoneError, parsePid } from '../../src/proc/read.js';
import { explainProcess } from '../../src/proc/why.js';
import { killChildren, procState, startChild, until } from './children.js';

afterEach(killChildren);

describe('readers on live processes', () => {
  it('read this very process: stat, status, threads, fds, address space', () => {
    const st = readProcessStat(process.pid);
    expect(st.pid).toBe(process.pid);
    expect(st.state).toBe('R');
    const status = readProcessStatus(process.pid);
    expect(status.pid).toBe(process.pid);
    expect(readThreads(process.pid).length).toBe(st.threads);
    expect(readFds(process.pid).some((f) => f.kind === 'epoll')).toBe(true);
    const space = readAddressSpace(process.pid);
    expect(space.pagemap).toBe(true);
    expect(space.regions.some((r) => r.kind === 'heap' || r.kind === 'anon')).toBe(true);
    // Node's worker threads have stacks: found by their stack pointers or the guard page below.
    expect(space.regions.some((r) => r.kind === 'thread-stack')).toBe(true);
  });

  it('a vanished process is ProcessGoneError (exit 3), not a crash', async () => {
    const child = startChild('sleep', ['60']);
    const pid = child.pid as number;
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    await until(() => procState(pid) === undefined);
    expect(() => readProcessStat(pid)).toThrow(ProcessGoneError);
    expect(() => inspectProcess(pid)).toThrow(/^no such process \d+ /);
    try {
      readAddressSpace(pid);
    } catch (err) {
      expect((err as ProcessGoneError).exitCode).toBe(3);
    }
  });

  it('parsePid rejects what is not a PID', () => {
    expect(parsePid('42')).toBe(42);
    for (const bad of ['abc', '-1', '0', '1.5', '', '99999999999'])
      expect(() => parsePid(bad)).toThrow(/not a process id/);
  });

  it('explainProcess on a live stopped child', async () => {
    const child = startChild('sleep', ['60']);
    const pid = child.pid as number;
    child.kill('SIGSTOP');
    await until(() => procState(pid) === 'T');
    const report = explainProcess({
      stat: readProcessStat(pid),
      status: readProcessStatus(pid),
      wchan: '',
      syscall: { kind: 'user' },
    });
    expect(report.reasons[0]?.code).toBe('stopped');
  });

  it('listProcesses measures CPU% between two samples', async () => {
    const busy = startChild(process.execPath, ['-e', 'for (;;) {}']);
    await new Promise((r) => setTimeout(r, 200));
    // The oracle: the child's own utime+stime ticks across a window that encloses the sampling
    // (on a loaded machine a busy loop gets what the scheduler gives it, not 100%).
    const ticks = () => {
      const f = readFileSync(`/proc/${busy.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return Number(f[11]) + Number(f[12]);
    };
    const t0 = ticks();
    const w0 = performance.now();
    const rows = await listProcesses(300);
    const oraclePct = ((ticks() - t0) / 100 / ((performance.now() - w0) / 1000)) * 100;
    const row = rows.find((r) => r.pid === busy.pid);
    expect(row?.cpuPercent).toBeGreaterThan(0);
    expect(row?.cpuPercent).toBeLessThan(250);
    // The sampled window lies inside the oracle's: within generous bounds of it (10 ms ticks).
    expect(Math.abs(row!.cpuPercent - oraclePct)).toBeLessThan(Math.max(15, oraclePct * 0.5));
  });
});
