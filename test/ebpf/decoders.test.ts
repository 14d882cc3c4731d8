/**
 * Property tests (fast-check) of the eBPF side's pure decoders: the ring-buffer framing the
 * native drainer hands over, trace.bpf.c's variable-length records, AF_UNIX paths, --buffer.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { forEachRecord } from '../../src/ebpf/loader.js';
import { decodeCall } from '../../src/ebpf/trace.js';
import { unixPath } from '../../src/ebpf/snoop.js';
import { parseBufferSize } from '../../src/cli/ebpf-common.js';
import { Cap } from '../../src/trace/records.js';

/** Frames records as the kernel's ring buffer does: u32 len (bit 30 discard), u32 pg_off, data, pad to 8. */
function frame(records: { data: Uint8Array; discard: boolean }[]): Buffer {
  const parts: Buffer[] = [];
  for (const r of records) {
    const hdr = Buffer.alloc(8);
    hdr.writeUInt32LE((r.data.length | (r.discard ? 0x40000000 : 0)) >>> 0, 0);
    hdr.writeUInt32LE(0xdead, 4);
    const padded = Buffer.alloc((r.data.length + 7) & ~7);
    Buffer.from(r.data).copy(padded);
    parts.push(hdr, padded);
  }
  return Buffer.concat(parts);
}

describe('eBPF decoders (properties)', () => {
  it('forEachRecord yields every committed record of a batch, in order, and skips discarded ones', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ data: fc.uint8Array({ maxLength: 70 }), discard: fc.boolean() })), (recs) => {
        const got: Buffer[] = [];
        forEachRecord(frame(recs), (d) => got.push(Buffer.from(d)));
        expect(got).toEqual(recs.filter((r) => !r.discard).map((r) => Buffer.from(r.data)));
      }),
    );
  });

  it('decodeCall reads the packed captures of a trace.bpf.c record, strings cut at -s', () => {
    const capture = fc.record({
      arg: fc.integer({ min: 0, max: 5 }),
      kind: fc.constantFrom(Cap.path, Cap.str, Cap.bufIn, Cap.structOut),
      exit: fc.boolean(),
      trunc: fc.boolean(),
      data: fc.uint8Array({ maxLength: 40 }),
    });
    fc.assert(
      fc.property(fc.array(capture, { maxLength: 6 }), fc.integer({ min: 0, max: 64 }), (caps, strsize) => {
        const head = Buffer.alloc(96);
        head.writeUInt32LE(1, 0); // EV_CALL
        head.writeUInt32LE(42, 4); // tid
        head.writeUInt32LE(41, 8); // pid
        head.writeUInt32LE(0, 12); // nr: read
        head.writeBigInt64LE(5n, 32);
        head.writeUInt32LE(caps.length, 88);
        const body = caps.map((c) => {
          const h = Buffer.alloc(8);
          h[0] = c.arg;
          h[1] = c.kind;
          h[2] = (c.trunc ? 1 : 0) | (c.exit ? 4 : 0);
          h.writeUInt32LE(c.data.length, 4);
          const d = Buffer.alloc((c.data.length + 7) & ~7);
          Buffer.from(c.data).copy(d);
          return Buffer.concat([h, d]);
        });
        const recs = decodeCall(Buffer.concat([head, ...body]), strsize);
        const enter = recs.find((r) => r.type === 'enter');
        const exit = recs.find((r) => r.type === 'exit');
        expect(enter && 'pid' in enter && enter.pid).toBe(41);
        const seen = [
          ...(enter?.type === 'enter' ? enter.captures : []),
          ...(exit?.type === 'exit' ? exit.captures : []),
        ];
        // A path or string flagged exit is one read again at the exit (unreadable at entry): an
        // entry capture, found first (the latest first); other exit captures follow the entry ones.
        const refetched = (c: (typeof caps)[number]) => c.exit && (c.kind === Cap.path || c.kind === Cap.str);
        const want = [
          ...caps.filter(refetched).reverse(),
          ...caps.filter((c) => !c.exit),
          ...caps.filter((c) => c.exit && !refetched(c)),
        ];
        expect(seen.map((c) => c.kind)).toEqual(want.map((c) => c.kind));
        seen.forEach((c, i) => {
          const w = want[i]!;
          const shown = w.kind === Cap.str ? Math.min(w.data.length, strsize) : w.data.length;
          expect(c.arg).toBe(w.arg);
          expect(c.phase).toBe(w.exit && !refetched(w) ? 1 : 0);
          expect(c.data).toEqual(Buffer.from(w.data.subarray(0, shown)));
          expect(c.truncated).toBe(w.trunc || shown < w.data.length);
        });
      }),
    );
  });

  it('unixPath: a path up to its NUL, an abstract name as @name', () => {
    const name = fc.string({ minLength: 1, maxLength: 100 }).filter((s) => !s.includes('\0'));
    fc.assert(
      fc.property(name, fc.uint8Array({ maxLength: 8 }), (path, junk) => {
        const bytes = Buffer.from(path, 'utf8');
        fc.pre(bytes.length <= 107);
        expect(unixPath(Buffer.concat([bytes, Buffer.from([0]), Buffer.from(junk)]))).toBe(path);
      }),
    );
    expect(unixPath(Buffer.from('\0x11-server\0\0', 'latin1'))).toBe('@x11-server');
  });

  it('--buffer: the power of 2 at or above the size, at least a page; bad sizes are usage errors', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 }), (n) => {
        const size = parseBufferSize(String(n), 0);
        expect(Math.log2(size) % 1).toBe(0);
        expect(size).toBeGreaterThanOrEqual(Math.max(n, 4096));
        expect(size).toBeLessThan(2 * Math.max(n, 4096));
      }),
    );
    expect(parseBufferSize('64M', 0)).toBe(64 << 20);
    expect(parseBufferSize(undefined, 123)).toBe(123);
    for (const bad of ['0', '-1', 'x', '3G', '1.5M']) expect(() => parseBufferSize(bad, 0)).toThrow(/--buffer/);
  });
});
