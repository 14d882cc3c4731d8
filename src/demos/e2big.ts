/** E2BIG from a huge environment in execve: the real limits, measured. */
import { spawnSync } from 'node:child_process';
import type { Demo } from './types.js';
import { round } from './helper.js';

/** MAX_ARG_STRLEN: 32 pages, including the terminating NUL. */
const MAX_ARG_STRLEN = 32 * 4096;

function stackLimitBytes(): number | null {
  const r = spawnSync('/bin/sh', ['-c', 'ulimit -s'], { encoding: 'utf8' });
  const v = r.stdout.trim();
  return v === 'unlimited' || !/^\d+$/.test(v) ? null : Number(v) * 1024;
}

/** Runs /bin/true with `env`; returns the errno code on failure, 'ok' on success. */
function tryExec(env: Record<string, string>): string {
  const r = spawnSync('/bin/true', [], { env });
  if (r.error) return (r.error as NodeJS.ErrnoException).code ?? r.error.message;
  return r.status === 0 ? 'ok' : `exit ${r.status}`;
}

export const e2big: Demo = {
  id: 'e2big',
  title: 'E2BIG from a huge environment in execve',
  mistake: 'env-size-e2big',
  models: ['process', 'virtual-memory'],
  claim:
    'execve fails with E2BIG when one argument or environment string exceeds 128 KiB (MAX_ARG_STRLEN), or when argv plus envp exceed a quarter of the stack rlimit.',
  async run(ctx) {
    const stack = stackLimitBytes();
    // fs/exec.c: min(stack/4, 6 MiB), at least 128 KiB; pointers count against it too.
    const computed = stack === null ? 6 * 1024 * 1024 : Math.max(Math.min(stack / 4, 6 * 1024 * 1024), 128 * 1024);
    const justUnder = { BIG: 'x'.repeat(MAX_ARG_STRLEN - 'BIG='.length - 1) };
    const justOver = { BIG: 'x'.repeat(MAX_ARG_STRLEN - 'BIG='.length) };
    ctx.log('exec /bin/true with one variable just under and just over 128 KiB');
    const under = tryExec(justUnder);
    const over = tryExec(justOver);
    // Total limit: many 64 KiB variables; binary search for the largest count that still runs.
    const chunk = 64 * 1024;
    const envOf = (n: number): Record<string, string> => {
      const env: Record<string, string> = {};
      for (let i = 0; i < n; i++) env[`V${i}`] = 'y'.repeat(chunk - 8);
      return env;
    };
    ctx.log('binary search on the number of 64 KiB variables execve accepts');
    let lo = 0;
    let hi = Math.ceil((computed * 2) / chunk);
    let failure = '';
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      const r = tryExec(envOf(mid));
      if (r === 'ok') lo = mid;
      else {
        hi = mid - 1;
        failure = r;
      }
    }
    const measuredKiB = (lo * chunk) / 1024;
    return {
      status: 'done',
      measurements: [
        {
          label: 'stack rlimit (ulimit -s)',
          value: stack === null ? 'unlimited' : stack / 1024,
          unit: stack === null ? undefined : 'KiB',
        },
        { label: 'total limit, computed (stack/4)', value: round(computed / 1024, 0), unit: 'KiB' },
        { label: 'one string of 128 KiB - 1 (with NUL: 128 KiB)', value: under },
        { label: 'one string of 128 KiB + NUL', value: over },
        { label: 'largest environment that ran (64 KiB steps)', value: measuredKiB, unit: 'KiB' },
        { label: 'one step more', value: failure || 'not reached' },
      ],
      holds:
        under === 'ok' &&
        over === 'E2BIG' &&
        failure === 'E2BIG' &&
        Math.abs(measuredKiB * 1024 - computed) <= chunk * 2,
      verdict: `one 128 KiB string is the per-string ceiling (${under} just under, ${over} just over); in total about ${measuredKiB} KiB of environment went through against a computed ${round(computed / 1024, 0)} KiB, and one 64 KiB variable more failed with ${failure || '?'}.`,
      notes: [
        'The seed rounds this to "~128 KB on Linux": that is the per-string cap; the total scales with ulimit -s.',
        'Nothing was executed but /bin/true; the huge environments existed only in this process.',
      ],
    };
  },
};
