/**
 * strace as the oracle for decoded lines: runs one command under `strace -o` and under
 * `oslens trace -o` with the same flags and returns both outputs as lines, normalised only for
 * what differs from run to run (addresses, pids), so that tests compare whole lines.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { oslens } from './env.js';

export interface TracePair {
  strace: string[];
  oslens: string[];
}

/**
 * Replaces run-dependent values: addresses (0x followed by 8+ hex digits, which no decoded
 * constant has), and pid/tid numbers given in `pids` (e.g. from clone's return). The spacing
 * before ` = ` is kept: alignment is part of what is compared.
 */
export function normaliseLine(line: string): string {
  return line.replace(/0x[0-9a-f]{8,}/g, '0xADDR');
}

/**
 * `flags`: strace flags that both tools take (-f, -e trace=..., -s N, -y). `before`, when given,
 * runs before each of the two runs (to rebuild the files a command changes, such as mv's).
 */
export function traceBoth(command: string[], flags: string[] = [], cwd?: string, before?: () => void): TracePair {
  const dir = mkdtempSync(join(tmpdir(), 'oslens-strace-diff-'));
  try {
    const s = join(dir, 'strace.txt');
    const o = join(dir, 'oslens.txt');
    before?.();
    spawnSync('strace', [...flags, '-o', s, ...command], { stdio: 'ignore', cwd });
    before?.();
    // The same descriptors as strace's run (/dev/null), so that fstat and fd numbers match.
    const r = oslens(['trace', ...flags, '-o', o, '--', ...command], { cwd, stdio: 'ignore' });
    if (r.error) throw r.error;
    const lines = (f: string) => readFileSync(f, 'utf8').split('\n').filter(Boolean).map(normaliseLine);
    return { strace: lines(s), oslens: lines(o) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The lines of both outputs for one syscall name (`name(` at the start, after any pid prefix). */
export function linesOf(pair: TracePair, name: string): TracePair {
  const re = new RegExp(`^(?:\\d+ +)?${name}\\(`);
  return { strace: pair.strace.filter((l) => re.test(l)), oslens: pair.oslens.filter((l) => re.test(l)) };
}
