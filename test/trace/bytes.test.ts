/** Bytes in trace JSON (src/trace/bytes.ts) and the launcher's record of the caller (src/util/caller.ts). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isUtf8 } from 'node:buffer';
import { bytesArrayField, bytesField, splitNul } from '../../src/trace/bytes.js';
import { parseCallerEnv } from '../../src/util/caller.js';

const noNul = fc.uint8Array({ maxLength: 12 }).map((a) => Buffer.from(a.filter((b) => b !== 0)));

describe('bytes in JSON', () => {
  it('splitNul gives back the strings of a NUL-terminated list (as /proc/PID/cmdline)', () => {
    fc.assert(
      fc.property(fc.array(noNul, { maxLength: 8 }), (items) => {
        const cmdline = Buffer.concat(items.flatMap((b) => [b, Buffer.from([0])]));
        expect(splitNul(cmdline).map((b) => b.toString('hex'))).toEqual(items.map((b) => b.toString('hex')));
      }),
    );
  });

  it('a field is the UTF-8 text; XBase64 holds the exact bytes exactly when the text does not', () => {
    fc.assert(
      fc.property(fc.array(noNul, { maxLength: 6 }), (items) => {
        const f = bytesArrayField('argv', items);
        expect(f.argv).toEqual(items.map((b) => b.toString('utf8')));
        const exact = items.every((b) => isUtf8(b));
        expect(f.argvBase64 === undefined).toBe(exact);
        const bytes = exact
          ? items.map((b) => Buffer.from(b.toString('utf8')))
          : f.argvBase64!.map((s) => Buffer.from(s, 'base64'));
        expect(bytes.map((b) => b.toString('hex'))).toEqual(items.map((b) => b.toString('hex')));
      }),
    );
    expect(bytesField('path', Buffer.from('/tmp/é'))).toEqual({ path: '/tmp/é' });
    expect(bytesField('path', Buffer.from([0x2f, 0xe9]))).toEqual({ path: '/\ufffd', pathBase64: 'L+k=' });
  });
});

describe("the launcher's OSLENS_CALLER", () => {
  it('reads signals, descriptors and the stdio copies; anything else is unknown', () => {
    expect(parseCallerEnv('ign=0000000000000201;blk=0000000000000000;fds=0,1,2,10,5;stdio=9,8,-')).toEqual({
      sigIgnored: '0000000000000201',
      sigBlocked: '0000000000000000',
      fds: [0, 1, 2, 5, 10],
      savedStdio: [9, 8, null],
    });
    expect(parseCallerEnv(undefined)).toEqual({
      sigIgnored: null,
      sigBlocked: null,
      fds: null,
      savedStdio: [null, null, null],
    });
    expect(parseCallerEnv('ign=zz;fds=1,x')).toMatchObject({ sigIgnored: null, fds: null });
  });
});
