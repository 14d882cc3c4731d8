/** getrandom(2) against reading /dev/random and /dev/urandom. */
import { readFileSync } from 'node:fs';
import type { Demo } from './types.js';
import { num, round, runHelper } from './helper.js';

function readInt(path: string): number | string {
  try {
    return Number(readFileSync(path, 'utf8').trim());
  } catch {
    return 'unreadable';
  }
}

export const getrandomDemo: Demo = {
  id: 'getrandom',
  title: 'getrandom vs /dev/random',
  mistake: 'dev-random',
  models: ['syscall-boundary', 'file-descriptor'],
  claim:
    'getrandom(2) gives random bytes in one syscall with no descriptor and never blocks once the kernel is seeded; going through /dev/random costs extra syscalls (and blocked at boot on old kernels).',
  async run(ctx) {
    const n = ctx.quick ? 2000 : 20000;
    ctx.log(`helper: ${n} reads of 32 bytes each way`);
    const kv = runHelper(['random', String(n)]).kv;
    const g = num(kv, 'getrandom_ns');
    const openEach = num(kv, 'random_open_read_close_ns');
    return {
      status: 'done',
      measurements: [
        { label: 'kernel CSPRNG seeded (getrandom GRND_NONBLOCK)', value: kv.seeded === '1' ? 'yes' : 'no' },
        { label: 'entropy_avail', value: readInt('/proc/sys/kernel/random/entropy_avail'), unit: 'bits' },
        { label: 'getrandom(32 bytes)', value: g, unit: 'ns' },
        { label: 'read() of an open /dev/random', value: num(kv, 'random_read_ns'), unit: 'ns' },
        { label: 'read() of an open /dev/urandom', value: num(kv, 'urandom_read_ns'), unit: 'ns' },
        { label: 'open+read+close /dev/random each time', value: openEach, unit: 'ns' },
      ],
      holds: kv.seeded === '1' && openEach > g,
      verdict: `getrandom took ${g} ns per 32 bytes; opening /dev/random for each read took ${openEach} ns, ${round(openEach / g, 1)}x as long, and needs /dev and a free descriptor.`,
      notes: [
        'Since Linux 5.6 /dev/random no longer blocks once the pool is initialised, and entropy_avail reads 256; older kernels blocked readers when their entropy estimate ran low.',
        'getrandom exists since Linux 3.17; with default flags it waits only for the initial seeding at boot.',
      ],
    };
  },
};
