/**
 * "Load average 30 with 0% CPU": tasks in D state push the load up without using any CPU. The
 * D tasks are made safely: parents blocked in vfork (TASK_KILLABLE, shown as D, counted in the
 * load) whose children only pause. Every child has an alarm, every process a parent-death
 * signal, and the cleanup kills the lot, also on Ctrl-C.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readProcessStat } from '../proc/process.js';
import { parseLoadAvg, parseSystemStat } from '../proc/system.js';
import type { Demo, Measurement } from './types.js';
import { round, startHelper } from './helper.js';
import type { Cleanup } from './cleanup.js';

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Starts the holders; resolves with their PIDs once every one is in D. */
export async function startDTasks(
  n: number,
  seconds: number,
  cleanup: Cleanup,
): Promise<{ child: ChildProcess; pids: number[] }> {
  const child = startHelper(['vfork-hold', String(n), String(seconds)], cleanup);
  const pids: number[] = [];
  await new Promise<void>((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      for (const m of buf.matchAll(/^holder=(\d+)$/gm)) if (!pids.includes(Number(m[1]))) pids.push(Number(m[1]));
      if (buf.includes('ready=1')) resolve();
    });
    child.on('error', reject);
    child.on('close', () => reject(new Error('the vfork helper ended early')));
  });
  for (let i = 0; i < 100 && countInState(pids, 'D') < n; i++) await sleep(20);
  return { child, pids };
}

export function countInState(pids: readonly number[], state: string): number {
  let n = 0;
  for (const pid of pids) {
    try {
      if (readProcessStat(pid).state === state) n++;
    } catch {
      /* exited */
    }
  }
  return n;
}

function cpuSecondsOf(pids: readonly number[]): number {
  let s = 0;
  for (const pid of pids) {
    try {
      const st = readProcessStat(pid);
      s += st.utime + st.stime;
    } catch {
      /* exited */
    }
  }
  return s;
}

function busyShare(a: ReturnType<typeof parseSystemStat>, b: ReturnType<typeof parseSystemStat>): number {
  const total = (t: typeof a.cpu): number =>
    t.user + t.nice + t.system + t.idle + t.iowait + t.irq + t.softirq + t.steal;
  const idle = (t: typeof a.cpu): number => t.idle + t.iowait;
  const dt = total(b.cpu) - total(a.cpu);
  return dt > 0 ? 1 - (idle(b.cpu) - idle(a.cpu)) / dt : 0;
}

export const loadD: Demo = {
  id: 'load-d',
  title: 'load average up, CPU idle: tasks in D state',
  mistake: 'load-is-not-cpu',
  models: ['scheduling', 'process'],
  claim:
    'The Linux load average counts tasks in uninterruptible sleep (D) beside runnable ones, so tasks that wait and use no CPU at all raise it: a load of 30 on an idle machine means 30 waiting tasks, not 30 busy ones.',
  async run(ctx) {
    const n = ctx.quick ? 10 : 30;
    const seconds = ctx.quick ? 11 : 35;
    const readLoad = (): number => parseLoadAvg(readFileSync('/proc/loadavg', 'utf8')).load1;
    const readStat = (): ReturnType<typeof parseSystemStat> => parseSystemStat(readFileSync('/proc/stat', 'utf8'));
    const load0 = readLoad();
    const stat0 = readStat();
    ctx.log(`starting ${n} processes blocked in vfork (state D) for ${seconds - 5} s`);
    const { pids } = await startDTasks(n, seconds + 5, ctx.cleanup);
    ctx.log(`while this runs: oslens why ${pids[0]}   and   oslens why --load`);
    const samples: string[] = [];
    const t0 = Date.now();
    let inD = 0;
    while (Date.now() - t0 < (seconds - 5) * 1000) {
      await sleep(5000);
      inD = countInState(pids, 'D');
      samples.push(`${round((Date.now() - t0) / 1000, 0)} s: load ${readLoad()}, ${inD} of ${n} in D`);
      ctx.log(samples[samples.length - 1]!);
    }
    const load1 = readLoad();
    const busy = busyShare(stat0, readStat());
    const cpuUsed = cpuSecondsOf(pids);
    const elapsed = (Date.now() - t0) / 1000;
    // The kernel samples the load every 5 s: after t seconds, n extra tasks add n*(1-e^(-t/60)).
    const expected = n * (1 - Math.exp(-elapsed / 60));
    const rose = load1 - load0;
    const m: Measurement[] = [
      { label: 'tasks made to wait in D (vfork parents)', value: n },
      { label: 'of them still in D at the end', value: inD },
      { label: 'CPU time they used', value: round(cpuUsed, 2), unit: 's' },
      { label: 'load1 before', value: load0 },
      { label: 'load1 after', value: load1 },
      { label: `expected rise after ${round(elapsed, 0)} s`, value: round(expected, 1) },
      { label: 'whole machine busy (all CPUs)', value: round(busy * 100, 0), unit: '%' },
      ...samples.map((s, i) => ({ label: `sample ${i + 1}`, value: s })),
    ];
    // Other work on the machine moves the load too: a clear rise holds, none fails, else inconclusive.
    const holds = inD === n && cpuUsed < 0.1 ? (rose >= expected * 0.6 ? true : null) : false;
    return {
      status: 'done',
      measurements: m,
      holds,
      inconclusive: holds === null,
      verdict:
        holds === false
          ? `only ${inD} of ${n} tasks stayed in D (or they used ${round(cpuUsed, 2)} s of CPU): the setup failed.`
          : `${n} tasks sat in D using ${round(cpuUsed, 2)} s of CPU between them, and the 1-minute load went from ${load0} to ${load1} (${round(expected, 1)} expected from them alone after ${round(elapsed, 0)} s)${holds === null ? ', but other work on this machine moved the load as much: inconclusive here' : ''}. /proc/stat's procs_blocked counts only tasks waiting for block I/O, so it can say 0 while the load is all D tasks.`,
      notes: [
        'vfork parents sleep in TASK_KILLABLE until the child execs or exits: state D, counted in the load, yet SIGKILL ends them. A plain uninterruptible wait (a block-device request that never completes) ignores even SIGKILL; NFS waits have been killable since 2.6.25.',
        'The 1-minute figure is an exponentially damped average sampled every 5 s, so it approaches the new level over minutes, not at once; the D tasks were killed afterwards and the load decays the same way.',
        '`oslens why PID` explains one of them (it waits in vfork, wchan kernel_clone); `oslens why --load` lists the D tasks behind the load.',
      ],
    };
  },
};
