/**
 * Property-based tests (fast-check) for the pure trace decoders: any register values and any
 * captured bytes render as text (strace-style) without throwing and without a raw control
 * character (the decoders quote and escape what a tracee wrote); a record stream cut or
 * corrupted anywhere gives records or a clean error, never a crash. Same run budget as the
 * /proc properties (OSLENS_FUZZ_RUNS; fixed seed under CI).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeArgs, renderReturn, specSyscalls } from '../../src/trace/decode.js';
import { quote } from '../../src/trace/decode/quote.js';
import type { Capture } from '../../src/trace/decode/types.js';
import { IN_CI } from '../helpers/env.js';

const RUNS = Number(process.env.OSLENS_FUZZ_RUNS ?? 300);
fc.configureGlobal({ numRuns: RUNS, ...(IN_CI ? { seed: 20261201 } : {}) });

// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f\x7f]/;
const NAMES = specSyscalls();
const u64 = fc.oneof(
  fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
  fc.constantFrom(0n, 1n, 2n ** 64n - 1n, 2n ** 63n, 2n ** 32n - 1n, 2n ** 64n - 4095n, 0xffffff9cn, 0x7fffffffn),
);
const capture: fc.Arbitrary<Capture> = fc.record({
  arg: fc.integer({ min: 0, max: 5 }),
  phase: fc.constantFrom(0, 1) as fc.Arbitrary<0 | 1>,
  kind: fc.integer({ min: 0, max: 12 }),
  truncated: fc.boolean(),
  fault: fc.boolean(),
  data: fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
}) as fc.Arbitrary<Capture>;

describe('trace decoders on any registers and captured bytes', () => {
  it('decodeArgs and renderReturn: text, no exception, no control character', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...NAMES),
        fc.array(u64, { minLength: 6, maxLength: 6 }),
        fc.array(capture, { maxLength: 6 }),
        fc.option(u64, { nil: null }),
        (name, raw, caps, ret) => {
          const ctx = { pid: 1, showPaths: false };
          const args = decodeArgs(name, raw, caps, ret, ctx);
          for (const a of args) {
            expect(typeof a.text).toBe('string');
            expect(a.text, `${name} arg ${a.name}`).not.toMatch(CONTROL);
          }
          if (ret !== null) expect(renderReturn(name, ret, ctx, caps)).not.toMatch(CONTROL);
        },
      ),
    );
  });

  it('quote: every byte sequence becomes one printable strace-style literal', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), (bytes, truncated) => {
        const q = quote(Buffer.from(bytes), truncated);
        expect(q.startsWith('"')).toBe(true);
        expect(q).not.toMatch(CONTROL);
      }),
    );
  });
});
