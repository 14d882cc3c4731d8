/**
 * The OOM drill: a throwaway memory cgroup with a small limit, a helper inside that touches
 * memory 1 MiB at a time until the kernel's OOM killer ends it, and the evidence: the signal,
 * the group's OOM counter (memory.events on v2, memory.oom_control on v1) and the kernel log
 * line. Whichever hierarchy holds the memory controller is used (v2, or v1 on a hybrid system).
 */
import {
  closeSync,
  constants,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  rmdirSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import type { Demo, Measurement } from './types.js';
import { SCRATCH_PREFIX, startHelper } from './helper.js';
import { readMounts, type MountEntry } from './mounts.js';

const LIMIT_MIB = 64;

interface MemoryHierarchy {
  version: 1 | 2;
  root: string;
}

/** Where a memory-limited cgroup can be made, or why not. */
export function findMemoryHierarchy(mounts: MountEntry[]): MemoryHierarchy | string {
  const v2 = mounts.find((m) => m.fsType === 'cgroup2');
  if (v2) {
    try {
      const ctrl = readFileSync(join(v2.mountPoint, 'cgroup.controllers'), 'utf8').split(/\s+/);
      const sub = readFileSync(join(v2.mountPoint, 'cgroup.subtree_control'), 'utf8').split(/\s+/);
      if (ctrl.includes('memory') && sub.includes('memory')) return { version: 2, root: v2.mountPoint };
    } catch {
      /* not readable: try v1 */
    }
  }
  const v1 = mounts.find((m) => m.fsType === 'cgroup' && m.superOptions.split(',').includes('memory'));
  if (v1) return { version: 1, root: v1.mountPoint };
  return 'no memory controller: neither enabled in cgroup v2 subtree_control nor mounted as cgroup v1';
}

/** `key value` lines (memory.events, memory.oom_control) into numbers. */
function counters(text: string): Record<string, number> {
  return Object.fromEntries(
    text
      .trim()
      .split('\n')
      .map((l) => l.split(/\s+/))
      .map(([k, v]) => [k ?? '', Number(v)]),
  );
}

/** Kernel log lines (from /dev/kmsg, root only) that mention `needle`; null when unreadable. */
export function kernelLogLines(needle: string): string[] | null {
  let fd: number;
  try {
    fd = openSync('/dev/kmsg', constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return null;
  }
  const out: string[] = [];
  const buf = Buffer.alloc(8192);
  try {
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buf, 0, buf.length, null);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EPIPE') continue; // records overwritten while reading: carry on
        break; // EAGAIN: the end of the log
      }
      if (n <= 0) break;
      const rec = buf.toString('utf8', 0, n);
      const msg = rec.slice(rec.indexOf(';') + 1).split('\n')[0] ?? '';
      if (msg.includes(needle)) out.push(msg);
    }
  } finally {
    closeSync(fd);
  }
  return out;
}

export const oomDemo: Demo = {
  id: 'oom',
  title: 'the OOM drill: a memory cgroup, its limit, the kill',
  mistake: 'oom-in-a-cgroup',
  models: ['namespaces-cgroups', 'virtual-memory'],
  claim: `A process in a cgroup limited to ${LIMIT_MIB} MiB is killed by the OOM killer (SIGKILL) when it touches more than that, however much RAM the machine has free; the group's OOM counter and the kernel log record the kill.`,
  async run(ctx) {
    const h = findMemoryHierarchy(readMounts());
    const skip = (reason: string): Awaited<ReturnType<Demo['run']>> => ({
      status: 'skipped',
      reason,
      measurements: [],
      holds: null,
      verdict: 'Not run: the drill needs a memory cgroup it can create.',
      notes: [
        'What it would show: memory.max (v2) or memory.limit_in_bytes (v1) caps the group; past it the kernel OOM-kills a task of the group (exit status 137) and counts it in memory.events / memory.oom_control.',
      ],
    });
    if (typeof h === 'string') return skip(h);
    if (process.getuid?.() !== 0) return skip('creating a cgroup needs root; run `sudo oslens demo oom`');
    const dir = join(h.root, `${SCRATCH_PREFIX}oom-${process.pid}`);
    try {
      mkdirSync(dir);
    } catch (err) {
      return skip(`cannot create ${dir}: ${(err as Error).message}`);
    }
    ctx.cleanup.add(`remove cgroup ${dir}`, () => {
      for (let i = 0; i < 100 && existsSync(dir); i++) {
        try {
          rmdirSync(dir);
        } catch {
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
        }
      }
    });
    const limit = LIMIT_MIB << 20;
    const eventsFile = join(dir, h.version === 2 ? 'memory.events' : 'memory.oom_control');
    try {
      if (h.version === 2) {
        writeFileSync(join(dir, 'memory.max'), String(limit));
        if (existsSync(join(dir, 'memory.swap.max'))) writeFileSync(join(dir, 'memory.swap.max'), '0');
      } else {
        writeFileSync(join(dir, 'memory.limit_in_bytes'), String(limit));
        // With swap accounting, memory+swap gets the same cap, so the helper cannot escape to swap.
        if (existsSync(join(dir, 'memory.memsw.limit_in_bytes')))
          writeFileSync(join(dir, 'memory.memsw.limit_in_bytes'), String(limit));
      }
    } catch (err) {
      return skip(`cannot set the limit in ${dir}: ${(err as Error).message}`);
    }
    const before = counters(readFileSync(eventsFile, 'utf8')).oom_kill ?? 0;
    const want = LIMIT_MIB * 4;
    ctx.log(`helper in ${dir} (limit ${LIMIT_MIB} MiB) touches up to ${want} MiB`);
    const child = startHelper(['hog', String(want)], ctx.cleanup);
    let touched = 0;
    const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
      let buf = '';
      child.stdout!.on('data', (d: Buffer) => {
        buf += d.toString();
        if (buf.includes('ready=1') && !child.stdin!.writableEnded) {
          writeFileSync(join(dir, 'cgroup.procs'), String(child.pid));
          child.stdin!.end('go\n');
        }
        for (const m of buf.matchAll(/^touched=(\d+)$/gm)) touched = Math.max(touched, Number(m[1]));
      });
      child.on('error', reject);
      child.on('close', (code, signal) => resolve({ code, signal }));
    });
    const { code, signal } = await ended;
    const available = Number(/^MemAvailable:\s+(\d+)/m.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? NaN) / 1024;
    const after = counters(readFileSync(eventsFile, 'utf8'));
    const kills = (after.oom_kill ?? 0) - before;
    const log = kernelLogLines(`Killed process ${child.pid}`);
    const m: Measurement[] = [
      { label: 'cgroup', value: `${dir} (cgroup v${h.version})` },
      { label: h.version === 2 ? 'memory.max' : 'memory.limit_in_bytes', value: LIMIT_MIB, unit: 'MiB' },
      { label: 'touched before it ended', value: touched, unit: 'MiB' },
      { label: 'MemAvailable, whole machine, after', value: Math.round(available), unit: 'MiB' },
      { label: 'helper ended by', value: signal ?? `exit ${code}` },
      { label: `oom_kill in ${h.version === 2 ? 'memory.events' : 'memory.oom_control'}`, value: `+${kills}` },
      {
        label: 'kernel log',
        value: log === null ? 'unreadable (/dev/kmsg needs root)' : (log[log.length - 1] ?? 'no line for this PID'),
      },
    ];
    const holds = signal === 'SIGKILL' && kills >= 1 && touched <= LIMIT_MIB + 1;
    return {
      status: 'done',
      measurements: m,
      holds,
      verdict: holds
        ? `the helper touched ${touched} MiB and was SIGKILLed by the OOM killer at the ${LIMIT_MIB} MiB limit (an exit status of 137 to a shell); the group counted ${kills} OOM kill${kills === 1 ? '' : 's'}${log?.length ? ', and the kernel log names the process' : ''}.`
        : `the helper ended by ${signal ?? `exit ${code}`} after ${touched} MiB with ${kills} OOM kills counted: not the drill's expected outcome.`,
      notes: [
        h.version === 1
          ? 'The memory controller is on cgroup v1 here (a hybrid hierarchy): the limit is memory.limit_in_bytes and the kill count is oom_kill in memory.oom_control; on cgroup v2 they are memory.max and memory.events.'
          : 'cgroup v2: memory.max caps the group, memory.events counts max, oom and oom_kill.',
        "The machine had free memory throughout: the limit that killed was the cgroup's, not the system's.",
        'The cgroup was removed after the run.',
      ],
    };
  },
};
