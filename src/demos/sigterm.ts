/**
 * "This process won't die on SIGTERM": one helper per reason (ignored, blocked, handled,
 * handled while in D), each sent SIGTERM and then SIGKILL, with its masks and state read from
 * /proc/PID/status; and, where the cgroup v1 freezer exists, a frozen task in D that even
 * SIGKILL cannot end until it is thawed. Every helper has an alarm and a parent-death signal;
 * the cleanup kills, thaws and removes whatever is left.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Demo, Measurement } from './types.js';
import { SCRATCH_PREFIX, startHelper } from './helper.js';
import { readMounts } from './mounts.js';
import type { Cleanup } from './cleanup.js';

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** State letter and the signal masks of a process, or null once it is gone (or a zombie). */
function statusOf(pid: number): { state: string; masks: Record<string, bigint> } | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return null;
  }
  const state = /^State:\s+(\S)/m.exec(text)?.[1] ?? '?';
  if (state === 'Z' || state === 'X') return null;
  const masks: Record<string, bigint> = {};
  for (const k of ['SigPnd', 'ShdPnd', 'SigBlk', 'SigIgn', 'SigCgt']) {
    const m = new RegExp(`^${k}:\\s+([0-9a-f]+)`, 'm').exec(text);
    masks[k] = m ? BigInt(`0x${m[1]}`) : 0n;
  }
  return { state, masks };
}

const TERM_BIT = 1n << 14n; // SIGTERM is 15: bit 14 of the masks

async function until(test: () => boolean, ms: number): Promise<boolean> {
  for (let waited = 0; waited < ms; waited += 20) {
    if (test()) return true;
    await sleep(20);
  }
  return test();
}

interface Case {
  label: string;
  survivedTerm: boolean;
  killedByKill: boolean;
  detail: string;
}

async function tryCase(how: string, label: string, cleanup: Cleanup): Promise<Case> {
  const child = startHelper(['sigterm', how, '30'], cleanup);
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready=1') && resolve());
    child.on('error', reject);
  });
  const pid = child.pid!;
  if (how === 'dstate') await until(() => statusOf(pid)?.state === 'D', 2000);
  const before = statusOf(pid);
  const exited = new Promise<void>((r) => child.once('close', () => r()));
  process.kill(pid, 'SIGTERM');
  await sleep(300);
  const after = statusOf(pid);
  process.kill(pid, 'SIGKILL');
  const killed = await Promise.race([exited.then(() => true), sleep(2000).then(() => false)]);
  const bits = (s: ReturnType<typeof statusOf>): string =>
    s
      ? ['SigIgn', 'SigBlk', 'SigCgt', 'ShdPnd', 'SigPnd'].filter((k) => (s.masks[k]! & TERM_BIT) !== 0n).join(',') ||
        'none'
      : '-';
  return {
    label,
    survivedTerm: after !== null,
    killedByKill: killed,
    detail: `state ${before?.state ?? '?'}, SIGTERM bit in ${bits(before)}; after SIGTERM: ${after ? `alive (${after.state}, bit in ${bits(after)})` : 'gone'}; SIGKILL: ${killed ? 'ended it' : 'did not'}`,
  };
}

/** The cgroup v1 freezer: a frozen task shows D, and SIGKILL waits for the thaw. */
async function frozenCase(cleanup: Cleanup): Promise<Case | string> {
  const mount = readMounts().find((m) => m.fsType === 'cgroup' && m.superOptions.split(',').includes('freezer'));
  if (!mount) return 'no cgroup v1 freezer here (cgroup v2 frozen tasks sleep in S and SIGKILL ends them)';
  if (process.getuid?.() !== 0) return 'freezing a cgroup needs root';
  const dir = join(mount.mountPoint, `${SCRATCH_PREFIX}${process.pid}`);
  mkdirSync(dir);
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  const pid = child.pid!;
  const exited = new Promise<void>((r) => child.once('close', () => r()));
  cleanup.add(`thaw and remove ${dir}`, () => {
    try {
      writeFileSync(join(dir, 'freezer.state'), 'THAWED');
    } catch {
      /* gone */
    }
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
    for (let i = 0; i < 100 && existsSync(dir); i++) {
      try {
        rmdirSync(dir);
      } catch {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
      }
    }
  });
  writeFileSync(join(dir, 'cgroup.procs'), String(pid));
  writeFileSync(join(dir, 'freezer.state'), 'FROZEN');
  await until(() => readFileSync(join(dir, 'freezer.state'), 'utf8').trim() === 'FROZEN', 2000);
  const state = statusOf(pid)?.state ?? '?';
  process.kill(pid, 'SIGTERM');
  await sleep(300);
  const afterTerm = statusOf(pid) !== null;
  process.kill(pid, 'SIGKILL');
  await sleep(300);
  const afterKill = statusOf(pid) !== null;
  writeFileSync(join(dir, 'freezer.state'), 'THAWED');
  const endedOnThaw = await Promise.race([exited.then(() => true), sleep(2000).then(() => false)]);
  return {
    label: 'frozen (cgroup v1 freezer)',
    survivedTerm: afterTerm,
    killedByKill: !afterKill,
    detail: `state ${state}; after SIGTERM: ${afterTerm ? 'alive' : 'gone'}; after SIGKILL: ${afterKill ? 'still alive while frozen' : 'gone'}; ${endedOnThaw ? 'ended once thawed' : 'still there after the thaw'}`,
  };
}

export const sigtermDemo: Demo = {
  id: 'sigterm',
  title: "won't die on SIGTERM: ignored, blocked, handled, in D",
  mistake: 'sigterm-is-a-request',
  models: ['process', 'scheduling'],
  claim:
    'SIGTERM is a request: a process that ignores, blocks or handles it keeps running, and one in D does not act on it until it leaves the kernel; SIGKILL cannot be caught, but a task in a plain (not killable) D wait outlasts even that.',
  async run(ctx) {
    const cases: Case[] = [];
    for (const [how, label] of [
      ['ignore', 'ignored (SIG_IGN)'],
      ['block', 'blocked (sigprocmask)'],
      ['handle', 'handled (a handler that does not exit)'],
      ['dstate', 'handled, while in D (vfork, killable)'],
    ] as const) {
      ctx.log(`${label}: SIGTERM, then SIGKILL`);
      cases.push(await tryCase(how, label, ctx.cleanup));
    }
    ctx.log('frozen cgroup: SIGTERM, SIGKILL, then thaw');
    const frozen = await frozenCase(ctx.cleanup);
    if (typeof frozen !== 'string') cases.push(frozen);
    const m: Measurement[] = cases.map((c) => ({ label: c.label, value: c.detail }));
    const helpers = cases.slice(0, 4);
    const holds = helpers.every((c) => c.survivedTerm && c.killedByKill);
    return {
      status: 'done',
      measurements: m,
      holds,
      verdict: holds
        ? `all four helpers survived SIGTERM and SIGKILL ended each, the D one included (its vfork wait is killable)${typeof frozen === 'string' ? '' : `; the frozen task ${frozen.killedByKill ? 'died on SIGKILL' : 'outlived SIGKILL until it was thawed'}`}.`
        : `not every helper behaved as claimed: ${helpers
            .filter((c) => !(c.survivedTerm && c.killedByKill))
            .map((c) => c.label)
            .join(', ')}.`,
      notes: [
        'Masks in /proc/PID/status are hex bitmaps, bit N-1 for signal N: SIGTERM (15) is 0x4000. SigIgn: ignored, SigBlk: blocked, SigCgt: caught by a handler, ShdPnd/SigPnd: pending for the process/thread.',
        'A SIGTERM with its default action would have ended even the vfork parent: the kernel turns a fatal signal into a group kill, which a killable wait obeys. The handler is what kept it alive.',
        typeof frozen === 'string' ? `frozen case skipped: ${frozen}` : 'The freezer cgroup was thawed and removed.',
      ],
    };
  },
};
