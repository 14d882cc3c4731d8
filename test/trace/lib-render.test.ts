/**
 * The trace --lib renderer, pure: calls nested any way on two threads, interleaved any way,
 * give per thread balanced blocks with each line indented by the calls open around it, a
 * childless call on one line; JSON syscall records carry that depth (property). And the cases
 * of a broken stream: a call left by longjmp, a return whose entry was lost.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EngineRecord } from '../../src/trace/records.js';
import { renderOptions } from '../../src/trace/render.js';
import { LibTraceRenderer, type LibRecord, type ProbedFunction } from '../../src/trace/lib/render.js';
import { libFunction } from '../../src/trace/lib/functions.js';
import { IN_CI } from '../helpers/env.js';

fc.configureGlobal({ numRuns: Number(process.env.OSLENS_FUZZ_RUNS ?? 200), ...(IN_CI ? { seed: 20261201 } : {}) });

const FUNCS: ProbedFunction[] = ['malloc', 'free', 'strlen'].map((name) => ({
  library: '/lib/libc.so.6',
  name,
  proto: libFunction(name),
}));

type Tree = { fn: number; children: (Tree | 'syscall')[] };
const tree: fc.Arbitrary<Tree> = fc.letrec<{ t: Tree }>((tie) => ({
  t: fc.record({
    fn: fc.integer({ min: 0, max: 2 }),
    children: fc.array(fc.oneof({ depthSize: 'small' }, fc.constant('syscall' as const), tie('t')), { maxLength: 3 }),
  }),
})).t;

let clock = 1_000_000_000n;
const tick = () => (clock += 1000n);

/** The records of one thread running these calls. */
function records(tid: number, calls: Tree[]): (EngineRecord | LibRecord)[] {
  const out: (EngineRecord | LibRecord)[] = [];
  const walk = (t: Tree, depth: number) => {
    const enterNs = tick();
    out.push({
      type: 'libenter',
      tid,
      pid: tid,
      fn: t.fn,
      timeNs: enterNs,
      depth,
      args: [8n, 0n, 0n, 0n, 0n, 0n],
      captures: [],
    });
    for (const c of t.children) {
      if (c === 'syscall') {
        out.push({
          type: 'enter',
          tid,
          pid: tid,
          timeNs: tick(),
          nr: 39,
          args: [0n, 0n, 0n, 0n, 0n, 0n],
          captures: [],
        });
        out.push({
          type: 'exit',
          tid,
          pid: tid,
          timeNs: tick(),
          nr: 39,
          ret: BigInt(tid),
          unseen: false,
          captures: [],
        });
      } else walk(c, depth + 1);
    }
    out.push({ type: 'libreturn', tid, pid: tid, fn: t.fn, timeNs: tick(), enterNs, ret: 0x10n, depth, captures: [] });
  };
  for (const t of calls) walk(t, 0);
  return out;
}

/** Merges two sequences, each kept in order, as `picks` says. */
function interleave<T>(a: T[], b: T[], picks: boolean[]): T[] {
  const out: T[] = [];
  let i = 0,
    j = 0,
    k = 0;
  while (i < a.length || j < b.length) {
    const fromA = j >= b.length || (i < a.length && (picks[k++ % Math.max(1, picks.length)] ?? true));
    out.push(fromA ? a[i++]! : b[j++]!);
  }
  return out;
}

describe('LibTraceRenderer', () => {
  it('any nesting on two threads, interleaved: balanced, indented by depth, JSON depth as nested (property)', () => {
    fc.assert(
      fc.property(
        fc.array(tree, { maxLength: 3 }),
        fc.array(tree, { maxLength: 3 }),
        fc.array(fc.boolean()),
        (t1, t2, picks) => {
          const stream = interleave(records(101, t1), records(202, t2), picks);
          // -o FILE -f: every line starts with its thread's id.
          const text = new LibTraceRenderer(renderOptions({ output: 'x', follow: true }, false, true), FUNCS);
          const lines = stream.flatMap((r) => text.push(r)) as string[];
          const open = new Map<number, number>([
            [101, 0],
            [202, 0],
          ]);
          for (const line of lines) {
            // `TID   ` (the id padded to 5, a space), then the indentation.
            const tid = Number(line.slice(0, 6).trim());
            const rest = line.slice(6);
            const indent = /^ */.exec(rest)![0].length;
            const body = rest.slice(indent);
            let depth = open.get(tid)!;
            if (body.startsWith('} ')) depth--;
            expect(indent, line).toBe(2 * depth);
            if (body.endsWith(' {')) depth++;
            open.set(tid, depth);
          }
          for (const d of open.values()) expect(d).toBe(0);
          const json = new LibTraceRenderer(renderOptions({}, true, true), FUNCS);
          const recs = stream.flatMap((r) => json.push(r)) as Record<string, unknown>[];
          const depthOf = new Map<number, number>();
          for (const r of recs) {
            const tid = r.tid as number;
            if (r.type === 'libcall') {
              expect(r.depth).toBe(depthOf.get(tid) ?? 0);
              depthOf.set(tid, (depthOf.get(tid) ?? 0) + 1);
            } else if (r.type === 'libreturn') depthOf.set(tid, (depthOf.get(tid) ?? 0) - 1);
            else if (r.type === 'syscall') expect(r.depth).toBe(depthOf.get(tid) ?? 0);
          }
          const count = (ts: Tree[]): number =>
            ts.reduce((n, t) => n + 1 + count(t.children.filter((c): c is Tree => c !== 'syscall')), 0);
          expect(recs.filter((r) => r.type === 'libcall')).toHaveLength(count(t1) + count(t2));
        },
      ),
    );
  });

  it('a childless call is one line; a call left by longjmp ends with = ?; a return without its entry closes a block', () => {
    const r = new LibTraceRenderer(renderOptions({}, false, true), FUNCS);
    const at = (depth: number, fn: number): LibRecord => ({
      type: 'libenter',
      tid: 7,
      pid: 7,
      fn,
      timeNs: tick(),
      depth,
      args: [16n, 0n, 0n, 0n, 0n, 0n],
      captures: [],
    });
    const back = (depth: number, fn: number, enterNs: bigint | null = null): LibRecord => ({
      type: 'libreturn',
      tid: 7,
      pid: 7,
      fn,
      timeNs: tick(),
      enterNs,
      ret: 0x20n,
      depth,
      captures: [],
    });
    const out = [at(0, 0), back(0, 0), at(0, 2), at(1, 0), at(0, 1), back(0, 1), back(0, 2)].flatMap((x) => r.push(x));
    expect(out).toEqual([
      'malloc(16) = 0x20',
      'strlen(0x10) {',
      '  malloc(16) = ?',
      '} strlen = ?',
      'free(0x10) = <void>',
      '} strlen = 32',
    ]);
  });
});
