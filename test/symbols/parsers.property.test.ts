/**
 * Properties of the symbol parsers (fast-check): the ELF reader on mutated real ELF bytes gives a
 * result or an ElfError, never another exception; the address lookup agrees with a brute-force
 * scan (innermost covering range, nothing in gaps); kallsyms and perf-map text generated from
 * values parses back to those values.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ElfError,
  bufferSource,
  parseElf,
  parseKallsyms,
  parseNotes,
  parsePerfMap,
  readSymbols,
  SymbolTable,
  type SymbolRange,
} from '../../src/symbols/index.js';
import { IN_CI } from '../helpers/env.js';

const RUNS = Number(process.env.OSLENS_FUZZ_RUNS ?? 300);
fc.configureGlobal({ numRuns: RUNS, ...(IN_CI ? { seed: 20261201 } : {}) });

// A real, small ELF file: the headers and tables a mutation hits are the ones oslens reads.
const REAL = readFileSync('/usr/bin/true');

describe('parseElf on mutated ELF bytes', () => {
  it('returns a file or throws ElfError, never anything else', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat({ max: REAL.length - 1 }), fc.integer({ min: 0, max: 255 })), { maxLength: 40 }),
        fc.option(fc.nat({ max: REAL.length }), { nil: REAL.length }),
        (edits, cut) => {
          const bytes = Buffer.from(REAL.subarray(0, cut)); // truncated, or whole
          for (const [at, v] of edits) if (at < bytes.length) bytes[at] = v;
          try {
            const src = bufferSource(bytes);
            const elf = parseElf(src);
            for (const s of readSymbols(src, elf)) {
              expect(Number.isSafeInteger(s.value)).toBe(true);
              expect(s.size).toBeGreaterThanOrEqual(0);
            }
          } catch (e) {
            if (!(e instanceof ElfError)) throw e;
          }
        },
      ),
    );
  });

  it('parseNotes never reads past its buffer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        for (const n of parseNotes(Buffer.from(bytes))) expect(n.desc.length).toBeLessThanOrEqual(bytes.length);
      }),
    );
  });
});

const rangeArb = fc.record({
  name: fc.string({ minLength: 1, maxLength: 8 }),
  start: fc.nat({ max: 10_000 }),
  size: fc.integer({ min: 1, max: 500 }),
});

describe('SymbolTable.lookup', () => {
  it('is the innermost covering range of a brute-force scan, and null in gaps', () => {
    fc.assert(
      fc.property(fc.array(rangeArb, { maxLength: 40 }), fc.nat({ max: 11_000 }), (ranges, addr) => {
        const hit = new SymbolTable(ranges).lookup(addr);
        const covering = ranges.filter((r) => addr >= r.start && addr < r.start + r.size);
        if (covering.length === 0) {
          expect(hit).toBeNull();
          return;
        }
        const smallest = Math.min(...covering.map((r) => r.size));
        expect(hit).not.toBeNull();
        expect(hit!.size).toBe(smallest);
        expect(covering).toContainEqual<SymbolRange>({ name: hit!.name, start: hit!.start, size: hit!.size });
        expect(hit!.offset).toBe(addr - hit!.start);
      }),
    );
  });
});

describe('text formats', () => {
  it('parseKallsyms gives back generated lines (text symbols only)', () => {
    const sym = fc.record({
      address: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
      type: fc.constantFrom('T', 't', 'W', 'w', 'D', 'b'),
      name: fc.stringMatching(/^[A-Za-z_.$][\w.$]{0,20}$/),
      module: fc.option(fc.stringMatching(/^[a-z_]{1,10}$/), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(sym, { maxLength: 20 }), (syms) => {
        const text = syms
          .map(
            (s) =>
              `${s.address.toString(16).padStart(16, '0')} ${s.type} ${s.name}${s.module ? `\t[${s.module}]` : ''}`,
          )
          .join('\n');
        const want = syms
          .filter((s) => /[tTwW]/.test(s.type))
          .map((s) => ({ address: s.address, type: s.type, name: s.name, module: s.module ?? '' }));
        expect(parseKallsyms(text)).toEqual(want);
      }),
    );
  });

  it('parsePerfMap gives back generated lines, names with spaces included', () => {
    const entry = fc.record({
      start: fc.nat({ max: 2 ** 47 }),
      size: fc.integer({ min: 1, max: 1 << 20 }),
      name: fc.stringMatching(/^\S[^\n]{0,30}\S$/),
    });
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 20 }), (entries) => {
        const text = entries.map((e) => `${e.start.toString(16)} ${e.size.toString(16)} ${e.name}`).join('\n');
        expect(parsePerfMap(text)).toEqual(entries);
      }),
    );
  });
});
