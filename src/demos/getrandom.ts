/**
 * getrandom(2) against reading /dev/random and /dev/urandom. The old failure, a read that
 * blocks for entropy, cannot happen on a current kernel once user space runs: the demo says so
 * and shows what can be shown, the cost of the device path, from repeated trials.
 */
import { readFileSync } from 'node:fs';
import { release } from 'node:os';
import type { Demo } from './types.js';
import { num, round, runHelper } from './helper.js';
import { describeSpread, separated, spreadOf } from './trials.js';

function readInt(path: string): number | string {
  try {
    return Number(readFileSync(path, 'utf8').trim());
  } catch {
    return 'unreadable';
  }
}

/** "6.18.44-fc" → [6, 18]. */
export function kernelVersion(rel: string = release()): [number, number] {
  const m = /^(\d+)\.(\d+)/.exec(rel);
  return m ? [Number(m[1]), Number(m[2])] : [0, 0];
}

function atLeast([a, b]: [number, number], major: number, minor: number): boolean {
  return a > major || (a === major && b >= minor);
}

function glibcVersion(): string | null {
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
  return header?.glibcVersionRuntime ?? null;
}

export const getrandomDemo: Demo = {
  id: 'getrandom',
  title: 'getrandom vs /dev/random',
  mistake: 'dev-random',
  models: ['syscall-boundary', 'file-descriptor'],
  claim:
    'getrandom(2) gives random bytes with no descriptor and blocks only until the kernel is first seeded; going through /dev/random costs an open, a read and a close, and on kernels before 5.6 could block for a long time.',
  async run(ctx) {
    const n = ctx.quick ? 2000 : 20000;
    const trials = 5;
    ctx.log(`helper: ${n} reads of 32 bytes each way, ${trials} trials`);
    const runs = Array.from({ length: trials }, () => runHelper(['random', String(n)]).kv);
    const seeded = runs.every((r) => r.seeded === '1');
    const g = spreadOf(runs.map((r) => num(r, 'getrandom_ns')));
    const each = spreadOf(runs.map((r) => num(r, 'random_open_read_close_ns')));
    const last = runs[runs.length - 1]!;
    const kv = kernelVersion();
    const glibc = glibcVersion();
    const apart = separated(each, g, 1.2);
    const holds = !seeded ? null : apart === 'a' ? true : apart === 'b' ? false : null;
    const vdso = atLeast(kv, 6, 11)
      ? `this kernel (${kv.join('.')}) also offers getrandom in the vDSO; glibc ${glibc ?? '?'} ${glibc && Number(glibc.split('.')[1]) >= 41 && glibc.startsWith('2.') ? 'uses it, so most calls never enter the kernel' : 'does not use it yet (2.41 does), so each call here is a real syscall'}`
      : `this kernel (${kv.join('.')}) has no vDSO getrandom (6.11+), so each call is a syscall`;
    return {
      status: 'done',
      measurements: [
        { label: 'kernel CSPRNG seeded (getrandom GRND_NONBLOCK)', value: seeded ? 'yes' : 'no' },
        { label: 'entropy_avail', value: readInt('/proc/sys/kernel/random/entropy_avail'), unit: 'bits' },
        { label: 'getrandom(32 bytes)', value: g.median, unit: 'ns' },
        { label: 'getrandom, per trial', value: describeSpread(g, 0, 'ns') },
        { label: 'read() of an open /dev/random', value: num(last, 'random_read_ns'), unit: 'ns' },
        { label: 'read() of an open /dev/urandom', value: num(last, 'urandom_read_ns'), unit: 'ns' },
        { label: 'open+read+close /dev/random each time', value: each.median, unit: 'ns' },
        { label: 'open+read+close, per trial', value: describeSpread(each, 0, 'ns') },
      ],
      holds,
      inconclusive: holds === null,
      verdict: !seeded
        ? 'the generator is not seeded yet (early boot): getrandom would block here, which is the old failure itself.'
        : `blocking cannot be shown here: the generator is seeded, and on Linux 5.6+ neither getrandom nor /dev/random blocks after that. What can be shown: getrandom took ${describeSpread(g, 0, 'ns')} per 32 bytes; opening /dev/random for each read took ${describeSpread(each, 0, 'ns')}${apart === 'overlap' ? ', inside the noise of it' : `, ${round(each.median / g.median, 1)}x as long`}, and needs /dev and a free descriptor.`,
      notes: [
        'Since Linux 5.6 /dev/random blocks only until the generator is initialized, and since 5.4 a waiting reader makes the kernel gather entropy from CPU timing jitter itself, so the first seeding takes about a second at most; older kernels blocked /dev/random readers whenever their entropy estimate ran low.',
        `getrandom exists since Linux 3.17; with default flags it waits only for the first seeding. ${vdso}.`,
      ],
    };
  },
};
