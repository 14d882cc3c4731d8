/**
 * Property-based tests (fast-check) for every /proc parser: the captured fixtures and this
 * machine's live files, randomly mutated, give either a result or a ParseError — never another
 * exception, never a NaN, an Infinity, a fraction or a negative where the kernel writes
 * counters, never a silently wrong value (checked against an independent reading where there is
 * one: parseStatBytes against parseStat, the masks against BigInt, generated lines against the
 * values they were built from).
 *
 * Bounded for `npm test` (a few seconds); under CI the seed is fixed; `npm run fuzz` runs more
 * (OSLENS_FUZZ_RUNS, default there 20000 per property).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeCapabilities } from '../../src/proc/caps.js';
import { classifyFdTarget, decodeOpenFlags, parseFdInfo } from '../../src/proc/fds.js';
import { parseLimits } from '../../src/proc/limits.js';
import { parseMaps, parseSmaps, parseSmapsRollup } from '../../src/proc/maps.js';
import { parseCgroup, parseIo, parseNamespaceLink, parseSched, parseSchedstat } from '../../src/proc/misc.js';
import { decodeInetAddress, parseInetSockets, parseUnixSockets } from '../../src/proc/net.js';
import { parseStatBytes } from '../../src/proc/open-files.js';
import { ParseError } from '../../src/proc/parse.js';
import { parseRusageLine } from '../../src/proc/rusage.js';
import { decodeSignalMask, maskBits } from '../../src/proc/signals.js';
import { parseStat, parseStatm, parseSyscall } from '../../src/proc/stat.js';
import { parseStatus } from '../../src/proc/status.js';
import { parseLoadAvg, parseMeminfo, parsePressure, parseSystemStat, parseVmstat } from '../../src/proc/system.js';
import { IN_CI, ROOT } from '../helpers/env.js';

const RUNS = Number(process.env.OSLENS_FUZZ_RUNS ?? 300);
fc.configureGlobal({ numRuns: RUNS, ...(IN_CI ? { seed: 20261201 } : {}) });

const units = { clockTicks: 100, pageSize: 4096 };
const FIX = join(ROOT, 'test/fixtures/proc');
const fixture = (p: string) => readFileSync(join(FIX, p), 'utf8');
/** A live file; only its first `lines` lines (node's smaps has thousands: slow to mutate). */
const live = (p: string, lines = 400): string[] => {
  try {
    return [readFileSync(p, 'utf8').split('\n').slice(0, lines).join('\n')];
  } catch {
    return []; // not provided here (pressure without PSI): the fixtures still run
  }
};

/** Samples of each file: the fixture and, where readable, this machine's own. */
const SAMPLES = {
  stat: [fixture('sleep/stat'), ...live('/proc/self/stat'), ...live('/proc/1/stat')],
  statm: [fixture('sleep/statm'), ...live('/proc/self/statm')],
  status: [fixture('sleep/status'), ...live('/proc/self/status'), ...live('/proc/2/status')],
  syscall: [fixture('sleep/syscall'), '-1 0x7ffd3022cb78 0x7f7c6d926503'],
  maps: [fixture('sleep/maps'), ...live('/proc/self/maps', 40)],
  smaps: [fixture('sleep/smaps'), ...live('/proc/self/smaps', 120)],
  rollup: [fixture('sleep/smaps_rollup'), ...live('/proc/self/smaps_rollup')],
  limits: [fixture('sleep/limits'), ...live('/proc/self/limits')],
  cgroup: [fixture('sleep/cgroup'), ...live('/proc/self/cgroup')],
  io: [fixture('sleep/io'), ...live('/proc/self/io')],
  schedstat: [fixture('sleep/schedstat'), ...live('/proc/self/schedstat')],
  sched: [fixture('sleep/sched')],
  fdinfo: [...live('/proc/self/fdinfo/0'), 'pos:\t0\nflags:\t02100002\nmnt_id:\t25\nino:\t5\n'],
  tcp: [fixture('net/tcp'), fixture('net/tcp6'), ...live('/proc/net/tcp', 60)],
  unix: [fixture('net/unix'), ...live('/proc/net/unix', 60)],
  systemStat: [fixture('system/stat'), ...live('/proc/stat')],
  loadavg: [fixture('system/loadavg'), ...live('/proc/loadavg')],
  meminfo: [fixture('system/meminfo'), ...live('/proc/meminfo')],
  vmstat: [fixture('system/vmstat'), ...live('/proc/vmstat', 80)],
  pressure: readdirSync(join(FIX, 'system'))
    .filter((f) => f.startsWith('pressure-'))
    .map((f) => fixture(`system/${f}`)),
  rusage: [
    '{"pid":6604,"exited":false,"exitCode":-1,"signal":15,"coreDumped":false,"execErrno":0,"execError":"","wall":0.0044,"user":0.0011,"sys":0,"maxRssKb":1428,"minflt":87,"majflt":0,"nvcsw":1,"nivcsw":1,"inblock":0,"oublock":0,"nswap":0}',
  ],
};

/** Characters a mutation inserts: what the formats are made of, and what breaks them. */
const NASTY = fc.constantFrom(
  ...'0123456789abcdefABCDEFx-+.: \t\n()[]/\0\u00e9\u202eeE',
  'NaN',
  'Infinity',
  '1e308',
  '0x1f',
  '99999999999999999999',
);

/** One edit: insert, delete, duplicate, replace or cut. */
type Edit = { op: 'ins' | 'del' | 'dup' | 'rep' | 'cut'; at: number; len: number; s: string };
const EDIT = fc.record({
  op: fc.constantFrom<Edit['op']>('ins', 'del', 'dup', 'rep', 'cut'),
  at: fc.nat(),
  len: fc.integer({ min: 1, max: 12 }),
  s: NASTY,
});

function mutate(text: string, edits: Edit[]): string {
  let t = text;
  for (const e of edits) {
    const at = t.length === 0 ? 0 : e.at % (t.length + 1);
    if (e.op === 'ins') t = t.slice(0, at) + e.s + t.slice(at);
    else if (e.op === 'del') t = t.slice(0, at) + t.slice(at + e.len);
    else if (e.op === 'dup') t = t.slice(0, at + e.len) + t.slice(at, at + e.len) + t.slice(at + e.len);
    else if (e.op === 'rep') t = t.slice(0, at) + e.s + t.slice(at + e.s.length);
    else t = t.slice(0, at);
  }
  return t;
}

const mutated = (samples: string[]) =>
  fc.tuple(fc.constantFrom(...samples), fc.array(EDIT, { minLength: 1, maxLength: 4 })).map(([t, e]) => mutate(t, e));

/** Every number in a parsed value: finite; and where `counters` — integers ≥ 0 too. */
function checkNumbers(v: unknown, path = '', counters = true): void {
  if (typeof v === 'number') {
    expect(Number.isFinite(v), `${path} = ${v}`).toBe(true);
    if (counters) expect(v >= 0, `${path} = ${v}`).toBe(true);
  } else if (Array.isArray(v)) v.forEach((x, i) => checkNumbers(x, `${path}[${i}]`, counters));
  else if (v && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) checkNumbers(x, `${path}.${k}`, counters);
}

/** Runs `parse` on `text`: its result, or undefined for a ParseError; anything else fails. */
function resultOrParseError<T>(parse: (t: string) => T, text: string): T | undefined {
  try {
    return parse(text);
  } catch (err) {
    if (err instanceof ParseError) return undefined;
    throw new Error(`not a ParseError on ${JSON.stringify(text.slice(0, 200))}: ${String(err)}`);
  }
}

interface Case {
  name: string;
  samples: string[];
  parse: (t: string) => unknown;
  /** Numbers that may be negative (nice, -1 "none"). */
  signed?: boolean;
  /** Large texts (smaps: ~1000 lines) get a share of the runs, to stay within seconds. */
  share?: number;
  /** Extra invariants of a result. */
  check?: (r: never) => void;
}

const CASES: Case[] = [
  { name: 'stat', samples: SAMPLES.stat, parse: (t) => parseStat(t, units), signed: true },
  { name: 'statm', samples: SAMPLES.statm, parse: (t) => parseStatm(t, units) },
  {
    name: 'status',
    samples: SAMPLES.status,
    parse: parseStatus,
    signed: true,
    check: (s: ReturnType<typeof parseStatus>) => {
      for (const id of [...Object.values(s.uid), ...Object.values(s.gid)])
        expect(Number.isSafeInteger(id) && id >= 0).toBe(true);
      for (const m of [s.sigBlk, s.sigIgn, s.capEff]) expect(m).toMatch(/^[0-9a-f]{16}$/);
      expect(s.pid).toBeGreaterThanOrEqual(0);
    },
  },
  { name: 'syscall', samples: SAMPLES.syscall, parse: parseSyscall },
  {
    name: 'maps',
    share: 0.3,
    samples: SAMPLES.maps,
    parse: parseMaps,
    check: (rs: ReturnType<typeof parseMaps>) => {
      for (const r of rs) {
        expect(r.end).toBeGreaterThanOrEqual(r.start);
        expect(r.end).toBeLessThanOrEqual(2 ** 64);
        expect(r.size).toBe(r.end - r.start);
      }
    },
  },
  { name: 'smaps', samples: SAMPLES.smaps, parse: parseSmaps, share: 0.1 },
  { name: 'smaps_rollup', samples: SAMPLES.rollup, parse: parseSmapsRollup },
  {
    name: 'limits',
    samples: SAMPLES.limits,
    parse: parseLimits,
    check: (ls: ReturnType<typeof parseLimits>) => {
      // null only where the text says "unlimited".
      for (const l of ls) for (const v of [l.soft, l.hard]) expect(v === null || Number.isSafeInteger(v)).toBe(true);
    },
  },
  { name: 'cgroup', samples: SAMPLES.cgroup, parse: parseCgroup },
  { name: 'io', samples: SAMPLES.io, parse: parseIo },
  { name: 'schedstat', samples: SAMPLES.schedstat, parse: parseSchedstat },
  { name: 'sched', samples: SAMPLES.sched, parse: parseSched, signed: true },
  { name: 'fdinfo', samples: SAMPLES.fdinfo, parse: parseFdInfo },
  { name: 'net/tcp', samples: SAMPLES.tcp, parse: (t) => parseInetSockets(t, 'tcp') },
  { name: 'net/unix', samples: SAMPLES.unix, parse: parseUnixSockets },
  { name: '/proc/stat', samples: SAMPLES.systemStat, parse: (t) => parseSystemStat(t, units) },
  { name: 'loadavg', samples: SAMPLES.loadavg, parse: parseLoadAvg },
  { name: 'meminfo', samples: SAMPLES.meminfo, parse: parseMeminfo, share: 0.5 },
  { name: 'vmstat', samples: SAMPLES.vmstat, parse: parseVmstat, share: 0.3 },
  { name: 'pressure', samples: SAMPLES.pressure, parse: parsePressure },
  { name: 'rusage', samples: SAMPLES.rusage, parse: parseRusageLine, signed: true },
  { name: 'signal mask', samples: ['0000000000014002', 'fffffffe7ffbfeff'], parse: decodeSignalMask },
  { name: 'capability mask', samples: ['000001ffffffffff', '0000000000000000'], parse: decodeCapabilities },
  { name: 'open flags', samples: ['02100002', '0100000'], parse: decodeOpenFlags },
  {
    name: 'inet address',
    samples: ['0100007F:1F90', '00000000000000000000000001000000:0016'],
    parse: decodeInetAddress,
  },
  { name: 'namespace link', samples: ['net:[4026531840]'], parse: parseNamespaceLink },
  { name: 'fd target', samples: ['socket:[1234]', 'pipe:[99]', '/tmp/x'], parse: classifyFdTarget },
];

describe('every /proc parser on mutated fixtures and live files: a result or a ParseError', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    for (const s of c.samples) checkNumbers(c.parse(s), c.name, !c.signed); // the unmutated samples parse
    fc.assert(
      fc.property(mutated(c.samples), (text) => {
        const r = resultOrParseError(c.parse, text);
        if (r === undefined) return;
        checkNumbers(r, c.name, !c.signed);
        c.check?.(r as never);
      }),
      { numRuns: Math.max(20, Math.round(RUNS * (c.share ?? 1))) },
    );
  });
});

describe('independent readings agree', () => {
  it('parseStatBytes (top) and parseStat (ps) accept the same lines and read the same figures', () => {
    fc.assert(
      fc.property(mutated(SAMPLES.stat), (text) => {
        const a = resultOrParseError((t) => parseStat(t, units), text);
        const b = parseStatBytes(Buffer.from(text), Buffer.byteLength(text), units);
        if (!a || !b) return; // parseStat also reads fields 25..52 (absent on old kernels): it may reject more
        const { cpuSeconds, ...rest } = b;
        expect(rest).toEqual({
          comm: a.comm,
          state: a.state,
          ppid: a.ppid,
          ttyNr: a.ttyNr,
          nice: a.nice,
          flags: a.flags,
          minflt: a.minflt,
          majflt: a.majflt,
          threads: a.threads,
          startTime: a.startTime,
          rss: a.rss,
          vsize: a.vsize,
        });
        // (u + s) / t against u / t + s / t: equal up to rounding, relative to the size (a process
        // with millions of seconds of CPU time differs in the ninth decimal).
        const sum = a.utime + a.stime;
        expect(Math.abs(cpuSeconds - sum)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(sum)));
      }),
    );
  });

  it('parseStatBytes rejects what parseStat rejects in the fields both read', () => {
    fc.assert(
      fc.property(mutated(SAMPLES.stat), (text) => {
        const b = parseStatBytes(Buffer.from(text), Buffer.byteLength(text), units);
        if (b === null) return;
        // What top accepted, ps reads the same way (fields 4..24: the ones top reads).
        // top does not read the pid: give ps a valid one, and the fields up to 24 that top read.
        const close = text.lastIndexOf(')');
        const head = `1 ${text.slice(text.indexOf('('), close + 2)}${text
          .slice(close + 2)
          .split(' ')
          .slice(0, 22)
          .join(' ')}`;
        expect(resultOrParseError((t) => parseStat(t, units), head)).toBeDefined();
      }),
    );
  });

  it('masks decode to the bits BigInt reads, for any 64-bit value; longer text is refused at once', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (v) => {
        const hex = v.toString(16).padStart(16, '0');
        const bits: number[] = [];
        for (let b = 0; b < 64; b++) if ((v >> BigInt(b)) & 1n) bits.push(b + 1);
        expect(maskBits(hex)).toEqual(bits);
      }),
    );
    expect(() => maskBits('f'.repeat(150_000))).toThrow(ParseError);
    expect(() => maskBits('zz')).toThrow(ParseError);
    expect(() => decodeCapabilities('')).toThrow(ParseError);
  });

  it('generated stat lines read back as the values they were made of', () => {
    const field = fc.integer({ min: 0, max: 2 ** 40 });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 22 }),
        fc.string({ maxLength: 15 }).filter((s) => !s.includes('\n')),
        fc.constantFrom(...'RSDTtZXIKWP'),
        fc.array(field, { minLength: 49, maxLength: 49 }),
        (pid, comm, state, f) => {
          const st = parseStat(`${pid} (${comm}) ${state} ${f.join(' ')}\n`, units);
          expect(st).toMatchObject({ pid, comm, state, ppid: f[0], minflt: f[6], threads: f[16] });
          expect(st.utime).toBe(f[10]! / 100);
          expect(st.rss).toBe(f[20]! * 4096);
        },
      ),
    );
  });
});

describe('bugs found by fuzzing, each pinned', () => {
  const status = fixture('sleep/status');
  it('status: a missing Uid line is an error, not uid 0 (root)', () => {
    expect(() => parseStatus(status.replace(/^Uid:.*\n/m, ''))).toThrow(ParseError);
  });
  it("status: a process name's own leading and trailing spaces are kept", () => {
    expect(parseStatus(status.replace(/^Name:\tsleep$/m, 'Name:\t  sp ace  ')).name).toBe('  sp ace  ');
  });
  it('stat: an empty pid is an error, not 0', () => {
    expect(() => parseStat(fixture('sleep/stat').replace(/^\d+/, ''), units)).toThrow(ParseError);
  });
  it('stat: NaN and Infinity are not numbers', () => {
    const t = fixture('sleep/stat');
    const after = t.indexOf(') ') + 4;
    expect(() => parseStat(`${t.slice(0, after)}NaN${t.slice(t.indexOf(' ', after))}`, units)).toThrow(ParseError);
    expect(() => parseStatm('Infinity 1 1 1 0 1 0', units)).toThrow(ParseError);
  });
  it('limits: a limit that is not a number is an error, not "unlimited"', () => {
    expect(() => parseLimits(fixture('sleep/limits').replace(/(Max open files\s+)\d+/, '$1abc'))).toThrow(ParseError);
  });
  it('parseStatBytes: non-digits are not folded into numbers', () => {
    const t = fixture('sleep/stat').replace(/\) S (\d+)/, ') S 1x2');
    expect(parseStatBytes(Buffer.from(t), t.length, units)).toBeNull();
  });
  it('maps: a region ending before it starts, or an address past 2^64, is an error', () => {
    expect(() => parseMaps('7f0000002000-7f0000001000 r--p 00000000 00:00 0\n')).toThrow(ParseError);
    expect(() => parseMaps('10000000000000000-10000000000000001 r--p 00000000 00:00 0\n')).toThrow(ParseError);
  });
  it('syscall: a stack pointer that is not hex is an error (it was BigInt()ed for thread stacks)', () => {
    expect(() => parseSyscall('-1 0xzz 0x1')).toThrow(ParseError);
  });
  it('rusage: a line that is not the helper JSON is a ParseError', () => {
    expect(() => parseRusageLine('{"pid": 1')).toThrow(ParseError);
    expect(() => parseRusageLine('{"pid": 1}')).toThrow(ParseError);
  });
  it('net/unix: a socket path with spaces is kept whole', () => {
    const line = '0000000025e91bb6: 00000002 00000000 00010000 0001 01 444605 /run/my socket dir/s.sock';
    expect(parseUnixSockets(`Num       RefCount Protocol Flags    Type St Inode Path\n${line}\n`)[0]?.local).toBe(
      '/run/my socket dir/s.sock',
    );
  });
});
