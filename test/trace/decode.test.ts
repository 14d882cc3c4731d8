/** The decoder's tables, and decodes checked against strace on a real program. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { specSyscalls, SPEC_NAMES, unknownSpecTypes } from '../../src/trace/decode.js';
import { oslens } from '../helpers/env.js';

const dir = mkdtempSync(join(tmpdir(), 'oslens-decode-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('decoder tables', () => {
  it('every type a spec names is registered, and every spec is a real syscall', () => {
    expect(unknownSpecTypes()).toEqual([]);
    expect(specSyscalls().sort()).toEqual([...SPEC_NAMES].sort());
  });
});

describe('decodes against strace', () => {
  it('an O_DIRECTORY open has no mode argument (O_TMPFILE includes the O_DIRECTORY bit)', () => {
    const s = join(dir, 'strace.txt');
    const o = join(dir, 'oslens.txt');
    spawnSync('strace', ['-e', 'trace=openat', '-o', s, 'ls', '/'], { stdio: 'ignore' });
    oslens(['trace', '-e', 'trace=openat', '-o', o, '--', 'ls', '/']);
    const pick = (f: string) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .filter((l) => l.includes('O_DIRECTORY'))
        .map((l) => l.replace(/\s+= /, ' = '));
    const fromStrace = pick(s);
    expect(fromStrace.length).toBeGreaterThan(0);
    expect(pick(o)).toEqual(fromStrace);
  });
});
