/**
 * The native addon checks every argument at its boundary: exact types, typed-array kinds and
 * lengths, integer ranges, finite numbers, getters run once. A bad call throws a TypeError or a
 * RangeError; it never crashes the process, reads past a buffer or hangs. Each call runs in its
 * own node process, so a crash (as before these checks: SIGSEGV, abort) fails one case only.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILD_DIR } from '../../src/native/addon.js';

const ADDON = resolve(BUILD_DIR, 'oslens.node');

/** Runs `call` (an expression over `a`, the addon) in a fresh node; what it threw or resolved to. */
function outcome(call: string): { text: string; status: number | null; signal: string | null } {
  const script = `
    const a = require(${JSON.stringify(ADDON)});
    const say = (e) => { console.log(e instanceof Error ? e.constructor.name + ': ' + e.message : 'OK'); process.exit(0); };
    try { Promise.resolve(${call}).then(() => say('ok'), say); } catch (e) { say(e); }`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 20_000 });
  return { text: r.stdout.trim() || r.stderr.trim(), status: r.status, signal: r.signal };
}

const bench = (opts: string) =>
  `a.runBench('counter-inc', { quick: 1, batches: 1, targetBatchNs: 1e5, tmpdir: '/tmp', helperPath: '', cpu: -1, ${opts} })`;
const trace = (opts: string) => `a.traceStart({ path: '/bin/true', argv: ['true'], env: [], ${opts} }, () => {})`;

describe('native addon: a bad call throws, never crashes', () => {
  const cases: [string, string, RegExp][] = [
    // traceStart
    [
      'a 3 KiB Uint8Array as the capture table',
      trace('capture: new Uint8Array(512 * 6)'),
      /^TypeError: traceStart: options\.capture must be a Uint32Array/,
    ],
    [
      'a short capture table',
      trace('capture: new Uint32Array(100)'),
      /^RangeError: traceStart: options\.capture must hold exactly 3072 elements \(it holds 100\)/,
    ],
    [
      'a Symbol in argv',
      trace('argv: ["true", Symbol("x")]'),
      /^TypeError: traceStart: options\.argv\[1\] must be a string or Buffer \(got a symbol\)/,
    ],
    [
      'a NUL inside the path',
      trace('path: "/bin/true\\0x"'),
      /^RangeError: traceStart: options\.path must not contain a NUL/,
    ],
    [
      'pid NaN',
      'a.traceStart({ pids: [NaN] }, () => {})',
      /^RangeError: traceStart: options\.pids\[0\] must be an integer from 1 to 2147483647 \(got NaN\)/,
    ],
    ['pid -1', 'a.traceStart({ pids: [-1] }, () => {})', /^RangeError: traceStart: options\.pids\[0\]/],
    ['strsize -1', trace('strsize: -1'), /^RangeError: traceStart: options\.strsize/],
    [
      'a syscall number past the table',
      trace('filter: [1e10]'),
      /^RangeError: traceStart: options\.filter\[0\] must be an integer from 0 to 511/,
    ],
    [
      'a string where a boolean goes',
      trace('follow: "yes"'),
      /^TypeError: traceStart: options\.follow must be a boolean \(got a string\)/,
    ],
    ['an unknown option', trace('folow: true'), /^TypeError: traceStart: unknown option folow/],
    [
      'a throwing getter in the trace options',
      trace('get strsize() { throw new RangeError("from the getter") }'),
      /^RangeError: from the getter$/,
    ],
    [
      'a sparse argv of length 2^32-1',
      trace('argv: Object.assign([], { length: 2 ** 32 - 1 })'),
      /^RangeError: traceStart: options\.argv must be an array of at most/,
    ],
    // runBench
    ['a throwing getter', bench('get heapBytes() { throw new Error("boom") }'), /^Error: boom$/],
    [
      'targetBatchNs: Infinity (a batch that never ends)',
      bench('targetBatchNs: Infinity'),
      /^RangeError: runBench: options\.targetBatchNs must be a finite number from 1 to 10000000000 \(got inf\)/,
    ],
    [
      'batches NaN',
      bench('batches: NaN'),
      /^RangeError: runBench: options\.batches must be an integer from 1 to 100000 \(got NaN\)/,
    ],
    ['a negative heap', bench('heapBytes: -1'), /^RangeError: runBench: options\.heapBytes/],
    [
      'a heap of 1e300 bytes',
      bench('heapBytes: 1e300'),
      /^RangeError: runBench: options\.heapBytes must be an integer from 1048576 to 1099511627776/,
    ],
    ['cpu 1.5', bench('cpu: 1.5'), /^RangeError: runBench: options\.cpu must be an integer/],
    ['tmpdir a number', bench('tmpdir: 7'), /^TypeError: runBench: options\.tmpdir must be a string \(got a number\)/],
    [
      'options a Proxy whose keys throw',
      `a.runBench('counter-inc', new Proxy({}, { ownKeys() { throw new TypeError('keys') } }))`,
      /^TypeError: keys$/,
    ],
    // preadMany
    [
      'a DataView as buf',
      'a.preadMany(new Int32Array(1), new DataView(new ArrayBuffer(64)), 64, new Int32Array(1))',
      /^TypeError: preadMany: buf must be a Uint8Array/,
    ],
    [
      'a Float64Array as fds',
      'a.preadMany(new Float64Array(1), Buffer.alloc(64), 64, new Int32Array(1))',
      /^TypeError: preadMany: fds must be a Int32Array/,
    ],
    [
      'slot Infinity',
      'a.preadMany(new Int32Array(1), Buffer.alloc(64), Infinity, new Int32Array(1))',
      /^RangeError: preadMany: slot must be an integer/,
    ],
    [
      'a buffer too small for its slots',
      'a.preadMany(new Int32Array(2), Buffer.alloc(64), 64, new Int32Array(2))',
      /^RangeError: preadMany: buf must hold fds\.length slots/,
    ],
  ];
  it.each(cases)('%s', (_what, call, expected) => {
    const r = outcome(call);
    expect(r.signal, r.text).toBeNull();
    expect(r.status, r.text).toBe(0);
    expect(r.text).toMatch(expected);
  });

  it('good calls still work: a short benchmark, a pread into a Buffer slice', () => {
    expect(outcome(bench('heapBytes: 1 << 20')).text).toBe('OK');
    const pread = `(() => { const fs = require('fs'); const fd = fs.openSync('/proc/self/stat', 'r');
      const lens = new Int32Array(1); a.preadMany(Int32Array.of(fd), Buffer.alloc(4096).subarray(100), 512, lens);
      if (lens[0] <= 0) throw new Error('read ' + lens[0]); })()`;
    expect(outcome(pread).text).toBe('OK');
  });
});
