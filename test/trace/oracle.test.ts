/**
 * strace is the oracle: for each program of the corpus, the (syscall, return value) sequence
 * per task that `oslens trace -f --json` reports equals strace's, after normalising only what
 * is nondeterministic (addresses, pids) and futex (contention differs from run to run).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, oslens, skipUnlessCapable } from '../helpers/env.js';

const CORPUS = ['fileio', 'fork', 'threads', 'signals', 'fail'];
const dir = mkdtempSync(join(tmpdir(), 'oslens-trace-'));
let strace = true;

beforeAll(() => {
  strace = spawnSync('strace', ['-V']).status === 0;
  for (const name of CORPUS)
    execFileSync('gcc', ['-O1', '-pthread', '-o', join(dir, name), join(ROOT, 'test/fixtures/trace', `${name}.c`)]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Call = [string, string];

const PID_RETURNS = new Set([
  'clone',
  'clone3',
  'fork',
  'vfork',
  'wait4',
  'waitid',
  'set_tid_address',
  'getpid',
  'gettid',
]);
const ADDR_RETURNS = new Set(['mmap', 'brk', 'mremap', 'shmat']);

function normalise(name: string, ret: string): Call {
  if (PID_RETURNS.has(name) && /^\d+$/.test(ret)) return [name, 'PID'];
  if (ADDR_RETURNS.has(name) && ret !== '-1') return [name, 'ADDR'];
  return [name, ret];
}

/** Per-task call lists, sorted so that task numbering does not matter. */
function canonical(byTid: Map<number, Call[]>): string[] {
  return [...byTid.values()].map((calls) => JSON.stringify(calls.filter(([n]) => n !== 'futex'))).sort();
}

function parseStrace(text: string): Map<number, Call[]> {
  const byTid = new Map<number, Call[]>();
  const pending = new Map<number, string>();
  for (const line of text.split('\n')) {
    const m = /^(\d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const tid = Number(m[1]);
    const rest = m[2]!;
    if (rest.startsWith('+++') || rest.startsWith('---')) continue;
    let name: string | undefined;
    if (rest.endsWith('<unfinished ...>')) {
      pending.set(tid, /^(\w+)\(/.exec(rest)![1]!);
      continue;
    }
    const resumed = /^<\.\.\. (\w+) resumed>/.exec(rest);
    if (resumed) name = resumed[1];
    else name = /^(\w+)\(/.exec(rest)?.[1];
    if (!name) continue;
    pending.delete(tid);
    const ret = /\) += (\S+)(?: [A-Z_]+ \(.*\))?(?: <[\d.]+>)?$/.exec(rest)?.[1] ?? '?';
    if (!byTid.has(tid)) byTid.set(tid, []);
    byTid.get(tid)!.push(normalise(name, ret));
  }
  // A task that ended inside a syscall (exit_group): strace prints it unfinished.
  for (const [tid, name] of pending) byTid.get(tid)?.push([name, '?']);
  return byTid;
}

function parseOslens(text: string): Map<number, Call[]> {
  const byTid = new Map<number, Call[]>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    const r = JSON.parse(line);
    if (r.type !== 'syscall') continue;
    let ret =
      r.ret === null ? '?' : r.ret < 0 && r.errno ? (r.errno.startsWith('ERESTART') ? '?' : '-1') : String(r.ret);
    if (['mmap', 'brk', 'mremap'].includes(r.name) && r.ret !== null && r.ret >= 0) ret = `0x${r.ret.toString(16)}`;
    if (!byTid.has(r.tid)) byTid.set(r.tid, []);
    byTid.get(r.tid)!.push(normalise(r.name, ret));
  }
  return byTid;
}

describe('oslens trace matches strace (the oracle)', () => {
  for (const name of CORPUS) {
    it(`${name}: same syscalls and return values per task`, (ctx) => {
      if (!strace) skipUnlessCapable(ctx.skip, 'strace is not installed');
      const bin = join(dir, name);
      const args = name === 'fileio' ? [join(dir, 'fileio.txt')] : [];
      const out = join(dir, `${name}.strace`);
      const s = spawnSync('strace', ['-f', '-qq', '-o', out, bin, ...args], { encoding: 'utf8' });
      const o = oslens(['trace', '-f', '--json', '--', bin, ...args]);
      expect(o.status, o.stderr).toBe(s.status);
      const expected = canonical(parseStrace(readFileSync(out, 'utf8')));
      const actual = canonical(parseOslens(o.stdout));
      expect(expected.join('').length).toBeGreaterThan(200);
      expect(actual.length).toBe(expected.length);
      expect(actual).toEqual(expected);
      const last = JSON.parse(o.stdout.trim().split('\n').at(-1)!);
      expect(last.type).toBe('summary');
    });
  }
});
