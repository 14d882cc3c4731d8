/**
 * The pure parts of `trace --lib`: SPEC parsing, globs, library names, the prototype table, the
 * loader's list (against ldd), and the decoding of arguments and printf formats (properties:
 * any registers and captured bytes render without throwing or a raw control character).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeLibArgs, decodeLibReturn, printfArgs, returnNumber, CAP_LIB_STACK } from '../../src/trace/lib/args.js';
import { knownLibFunctions, libFunction, parsePrototype } from '../../src/trace/lib/functions.js';
import { commandObjects, parseLoaderList, scriptInterpreter } from '../../src/trace/lib/resolve.js';
import { LibSpecError, globRegExp, libraryMatches, parseLibSpec } from '../../src/trace/lib/spec.js';
import type { Capture } from '../../src/trace/records.js';
import { encodeLibFunc } from '../../src/ebpf/libtrace.js';
import { IN_CI } from '../helpers/env.js';

fc.configureGlobal({ numRuns: Number(process.env.OSLENS_FUZZ_RUNS ?? 300), ...(IN_CI ? { seed: 20261201 } : {}) });
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f\x7f]/;

const str = (arg: number, text: string | Buffer, truncated = false): Capture => ({
  arg,
  phase: 0,
  kind: 2,
  truncated,
  fault: false,
  data: Buffer.from(text),
});

describe('parseLibSpec', () => {
  it('reads LIB:FUNC lists, several per --lib (;) and several --lib, merging a library named twice', () => {
    expect(parseLibSpec(['libc:malloc,free,printf'])).toEqual([
      { library: 'libc', patterns: ['malloc', 'free', 'printf'] },
    ]);
    expect(parseLibSpec(['libc:malloc; libm:sin', 'libc:free,malloc'])).toEqual([
      { library: 'libc', patterns: ['malloc', 'free'] },
      { library: 'libm', patterns: ['sin'] },
    ]);
    expect(parseLibSpec(['/opt/x/libfoo.so.1:foo_*'])).toEqual([
      { library: '/opt/x/libfoo.so.1', patterns: ['foo_*'] },
    ]);
  });

  it('rejects a SPEC without a library, without functions, or with a name that is none', () => {
    for (const bad of ['malloc', ':malloc', 'libc:', 'libc:,', 'libc:mal loc', 'libc:a;b', '']) {
      expect(() => parseLibSpec([bad]), bad).toThrow(LibSpecError);
    }
  });

  it('any list of items joined with ; comes back as written (property)', () => {
    const ident = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,12}$/);
    const lib = fc.stringMatching(/^lib[a-z0-9]{1,8}$/);
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(lib, fc.uniqueArray(ident, { minLength: 1, maxLength: 5 })), {
          minLength: 1,
          maxLength: 4,
          selector: (t) => t[0],
        }),
        (items) => {
          const text = items.map(([l, fs]) => `${l}:${fs.join(',')}`).join(';');
          expect(parseLibSpec([text])).toEqual(items.map(([library, patterns]) => ({ library, patterns })));
        },
      ),
    );
  });
});

describe('globRegExp', () => {
  /** A reference matcher, by recursion. */
  const matches = (p: string, s: string): boolean =>
    p === ''
      ? s === ''
      : p[0] === '*'
        ? matches(p.slice(1), s) || (s !== '' && matches(p, s.slice(1)))
        : s !== '' && (p[0] === '?' || p[0] === s[0]) && matches(p.slice(1), s.slice(1));

  it('matches whole names, as the reference matcher does (property)', () => {
    const alpha = fc.constantFrom('a', 'l', 'o', 'c', '_', '.');
    const pattern = fc.array(fc.oneof(alpha, fc.constantFrom('*', '?')), { maxLength: 8 }).map((a) => a.join(''));
    const name = fc.array(alpha, { maxLength: 10 }).map((a) => a.join(''));
    fc.assert(
      fc.property(pattern, name, (p, s) => {
        expect(globRegExp(p).test(s)).toBe(matches(p, s));
      }),
    );
  });

  it('*alloc* finds the allocators and no others', () => {
    const re = globRegExp('*alloc*');
    expect(['malloc', 'calloc', 'realloc', '__libc_malloc', 'free', 'alloca_x'].filter((n) => re.test(n))).toEqual([
      'malloc',
      'calloc',
      'realloc',
      '__libc_malloc',
      'alloca_x',
    ]);
  });
});

describe('libraryMatches', () => {
  it('libc and c name libc.so.6, not libcrypt; m names libm, not libmvec; paths match exactly', () => {
    const libc = '/lib/x86_64-linux-gnu/libc.so.6';
    expect(libraryMatches('libc', libc)).toBe(true);
    expect(libraryMatches('c', libc)).toBe(true);
    expect(libraryMatches('libc.so.6', libc)).toBe(true);
    expect(libraryMatches(libc, libc)).toBe(true);
    expect(libraryMatches('libc', '/lib/x86_64-linux-gnu/libcrypt.so.1')).toBe(false);
    expect(libraryMatches('m', '/lib/x86_64-linux-gnu/libm.so.6')).toBe(true);
    expect(libraryMatches('m', '/lib/x86_64-linux-gnu/libmvec.so.1')).toBe(false);
    expect(libraryMatches('/usr/lib/libc.so.6', libc)).toBe(false);
    expect(libraryMatches('a.out', '/tmp/x/a.out')).toBe(true);
  });
});

describe('parseLoaderList', () => {
  it('gives the files ldd lists for /bin/ls (the oracle), and drops the vDSO and "not found"', () => {
    const list = spawnSync('/lib64/ld-linux-x86-64.so.2', ['--list', '/bin/ls'], { encoding: 'utf8' });
    const ldd = spawnSync('ldd', ['/bin/ls'], { encoding: 'utf8' });
    const fromLdd = [...ldd.stdout.matchAll(/(\/\S+) \(0x/g)].map((m) => m[1]);
    expect(parseLoaderList(list.stdout).sort()).toEqual([...new Set(fromLdd)].sort());
    expect(parseLoaderList('\tlinux-vdso.so.1 (0x00007ffd)\n\tlibx.so => not found\n')).toEqual([]);
  });
});

describe('commandObjects', () => {
  it('a #! script loads what its interpreter loads (libc for /bin/sh), as ldd says of the interpreter', () => {
    const dir = mkdtempSync(join(tmpdir(), 'oslens-script-'));
    try {
      const script = join(dir, 'run.sh');
      writeFileSync(script, '#! /bin/sh -e\necho hi\n');
      chmodSync(script, 0o755);
      expect(scriptInterpreter(script)).toBe('/bin/sh');
      expect(scriptInterpreter('/bin/sh')).toBeNull();
      const paths = commandObjects(script).map((o) => o.path);
      const ldd = spawnSync('ldd', ['/bin/sh'], { encoding: 'utf8' }).stdout;
      expect(paths.slice(0, 2)).toEqual([script, '/bin/sh']);
      for (const m of ldd.matchAll(/(\/\S+) \(0x/g)) expect(paths).toContain(m[1]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the prototype table', () => {
  it('parses, and every buffer length refers to an integer argument of the same call', () => {
    expect(knownLibFunctions().length).toBeGreaterThan(80);
    for (const name of knownLibFunctions()) {
      const f = libFunction(name)!;
      f.args.forEach((a) => {
        for (const ref of a.lengthFrom ?? [])
          expect(['size', 'int', 'long', 'uint'], `${name}.${a.name}`).toContain(f.args[ref]?.kind);
      });
      if (f.variadic && f.args.some((a) => a.kind === 'fmt')) expect(f.args.at(-1)!.kind, name).toBe('fmt');
    }
    expect(parsePrototype('size_t fwrite(buf:1*2 ptr, size_t size, size_t nmemb, FILE *stream)').args[0]).toEqual({
      name: 'ptr',
      kind: 'buf',
      lengthFrom: [1, 2],
    });
  });

  it("encodes the kernel's row: strings, buffers, printf's maybe-strings and stack words, string returns", () => {
    const printf = encodeLibFunc(libFunction('printf'));
    expect([...printf.subarray(0, 6)]).toEqual([1, 3, 3, 3, 3, 3]);
    expect(printf[13]).toBe(8);
    const write = encodeLibFunc(libFunction('write'));
    expect([write[1], write[7]]).toEqual([2, 2]);
    expect(encodeLibFunc(libFunction('strdup'))[12]).toBe(1);
    expect(encodeLibFunc(undefined).every((b) => b === 0)).toBe(true);
  });
});

describe('decoding', () => {
  const regs = (...v: bigint[]) => [...v, 0n, 0n, 0n, 0n, 0n, 0n].slice(0, 6);

  it('printf("hi %d\\n", 42) and friends', () => {
    const f = libFunction('printf');
    expect(decodeLibArgs(f, regs(0x1000n, 42n), [str(0, 'hi %d\n')]).map((a) => a.text)).toEqual(['"hi %d\\n"', '42']);
    const args = decodeLibArgs(f, regs(0x1000n, 0xffffffffn, 0x2000n, 65n, 0n, 0xffffffffffffffffn), [
      str(0, '%d %s %c %p %lu'),
      str(2, 'x'),
    ]);
    expect(args.map((a) => a.text)).toEqual(['"%d %s %c %p %lu"', '-1', '"x"', "'A'", 'NULL', '18446744073709551615']);
  });

  it('a format the kernel could not read leaves the variadic arguments unknown, the pointer shown', () => {
    expect(decodeLibArgs(libFunction('printf'), regs(0x1234n, 1n), []).map((a) => a.text)).toEqual(['0x1234', '...']);
  });

  it('%f takes no integer slot (xmm), * takes one; arguments 6 on come from the stack words', () => {
    const stack = Buffer.alloc(16);
    stack.writeBigUInt64LE(7n, 0);
    stack.writeBigUInt64LE(8n, 8);
    const caps = [{ arg: 6, phase: 0 as const, kind: CAP_LIB_STACK, truncated: false, fault: false, data: stack }];
    expect(printfArgs(Buffer.from('%f %*d %d %d %d %d %d'), 1, regs(0n, 5n, 1n, 2n, 3n, 4n), caps)).toEqual([
      '?',
      '5',
      '1',
      '2',
      '3',
      '4',
      '7',
      '8',
    ]);
    expect(printfArgs(Buffer.from('%d %d %d %d %d %d'), 1, regs(0n, 1n, 2n, 3n, 4n, 5n), [])).toEqual([
      '1',
      '2',
      '3',
      '4',
      '5',
      '?',
    ]);
  });

  it('unknown functions: six raw registers; returns by type', () => {
    expect(decodeLibArgs(undefined, regs(1n, 255n), []).map((a) => a.text)).toEqual([
      '0x1',
      '0xff',
      '0x0',
      '0x0',
      '0x0',
      '0x0',
    ]);
    expect(decodeLibReturn(libFunction('free'), 0n, [])).toBeNull();
    expect(decodeLibReturn(libFunction('malloc'), 0n, [])).toBe('NULL');
    expect(decodeLibReturn(libFunction('printf'), 0xffffffffn, [])).toBe('-1');
    expect(returnNumber(libFunction('strlen'), -1n)).toBeNull();
    expect(returnNumber(libFunction('printf'), 6n)).toBe(6);
  });

  it('any registers and captures render without throwing or a raw control character (property)', () => {
    const u64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
    const capture = fc.record({
      arg: fc.integer({ min: 0, max: 6 }),
      phase: fc.constant(0 as const),
      kind: fc.constantFrom(2, 3, CAP_LIB_STACK),
      truncated: fc.boolean(),
      fault: fc.boolean(),
      data: fc.uint8Array({ maxLength: 80 }).map((a) => Buffer.from(a)),
    });
    const names = [...knownLibFunctions(), 'not_in_the_table'];
    fc.assert(
      fc.property(
        fc.constantFrom(...names),
        fc.array(u64, { minLength: 6, maxLength: 6 }),
        fc.array(capture, { maxLength: 8 }),
        u64,
        (name, args, caps, ret) => {
          const f = libFunction(name);
          for (const a of decodeLibArgs(f, args, caps)) expect(a.text).not.toMatch(CONTROL);
          expect(decodeLibReturn(f, ret, caps) ?? '').not.toMatch(CONTROL);
        },
      ),
    );
  });
});
