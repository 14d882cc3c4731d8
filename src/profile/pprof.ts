/**
 * The profile as pprof's profile.proto (gzipped), what `go tool pprof`, Pyroscope and Parca read.
 * A small hand encoder: the messages are few and fixed (Profile, ValueType, Sample, Label,
 * Mapping, Location, Line, Function), the wire format is varints and length-delimited fields, and
 * a protobuf library (protobufjs, @bufbuild/protobuf) would add a dependency and a schema
 * compile step for ~150 lines. Checked in tests by `go tool pprof` itself.
 *
 * Samples: values [samples count, cpu nanoseconds]; labels pid (number) and comm (string).
 * Locations are leaf first (as profile.proto says); each names one function, unknown frames the
 * `[unknown] (module)` we show everywhere else. User frames carry their mapping (file, range,
 * offset, build-id); kernel frames their 64-bit address.
 */
import { gzipSync } from 'node:zlib';
import { frameName, type Profile, type ProfileFrame } from './model.js';

/** Protobuf wire writer: varints (numbers or bigints), length-delimited sub-messages. */
class Writer {
  private parts: Buffer[] = [];
  private cur: number[] = [];

  private flush(): void {
    if (this.cur.length > 0) {
      this.parts.push(Buffer.from(this.cur));
      this.cur = [];
    }
  }

  varint(v: number | bigint): void {
    let n = BigInt(v);
    if (n < 0n) n += 1n << 64n; // int64 negatives: two's complement, 10 bytes
    while (n >= 0x80n) {
      this.cur.push(Number(n & 0x7fn) | 0x80);
      n >>= 7n;
    }
    this.cur.push(Number(n));
  }

  /** A varint field; zero is the default and is left out. */
  uint(field: number, v: number | bigint): void {
    if (v === 0 || v === 0n) return;
    this.varint((field << 3) | 0);
    this.varint(v);
  }

  bool(field: number, v: boolean): void {
    if (v) this.uint(field, 1);
  }

  bytes(field: number, data: Buffer): void {
    this.varint((field << 3) | 2);
    this.varint(data.length);
    this.flush();
    this.parts.push(data);
  }

  message(field: number, build: (w: Writer) => void): void {
    const w = new Writer();
    build(w);
    this.bytes(field, w.finish());
  }

  /** A packed repeated varint field. */
  packed(field: number, values: ReadonlyArray<number | bigint>): void {
    if (values.length === 0) return;
    const w = new Writer();
    for (const v of values) w.varint(v);
    this.bytes(field, w.finish());
  }

  finish(): Buffer {
    this.flush();
    return Buffer.concat(this.parts);
  }
}

class Strings {
  readonly list: string[] = [''];
  private readonly index = new Map<string, number>([['', 0]]);
  id(s: string): number {
    let i = this.index.get(s);
    if (i === undefined) {
      i = this.list.length;
      this.list.push(s);
      this.index.set(s, i);
    }
    return i;
  }
}

/** The encoded, uncompressed profile.proto message. */
export function encodeProfile(p: Profile, startedAtMs = Date.now() - p.durationSeconds * 1000): Buffer {
  const strings = new Strings();
  const periodNs = Math.round(1e9 / p.hz);
  const functions = new Map<string, { id: number; name: number; file: number }>();
  const mappings = new Map<
    string,
    { id: number; start: number; end: number; offset: number; file: number; buildId: number }
  >();
  const locations = new Map<string, { id: number; mapping: number; address: bigint; fn: number }>();

  const functionId = (f: ProfileFrame) => {
    const name = frameName(f);
    const key = `${f.kind}\0${f.module}\0${name}`;
    let fn = functions.get(key);
    if (!fn) functions.set(key, (fn = { id: functions.size + 1, name: strings.id(name), file: strings.id(f.module) }));
    return fn.id;
  };
  const mappingKey = (pid: number, f: ProfileFrame) => `${pid}\0${f.mapping?.start}\0${f.module}`;
  // pprof takes mapping 1 for the main binary: number them by address, the executable (low, at
  // 0x400000 or 0x55…) before the libraries (0x7f…).
  const seen = new Map<string, { pid: number; f: ProfileFrame }>();
  for (const s of p.stacks) for (const f of s.frames) if (f.mapping) seen.set(mappingKey(s.pid, f), { pid: s.pid, f });
  const ordered = [...seen].sort((a, b) => (a[1].f.mapping?.start ?? 0) - (b[1].f.mapping?.start ?? 0));
  for (const [key, { f }] of ordered) {
    const m = f.mapping as NonNullable<ProfileFrame['mapping']>;
    mappings.set(key, {
      id: mappings.size + 1,
      start: m.start,
      end: m.end,
      offset: m.offset,
      file: strings.id(f.module),
      buildId: strings.id(f.buildId ?? ''),
    });
  }
  const mappingId = (pid: number, f: ProfileFrame) => (f.mapping ? (mappings.get(mappingKey(pid, f))?.id ?? 0) : 0);
  const locationId = (pid: number, f: ProfileFrame) => {
    const mapping = mappingId(pid, f);
    const fn = functionId(f);
    // User addresses are per process (the same address is other code elsewhere); kernel ones not.
    const key = `${f.kind === 'kernel' ? 'k' : pid}\0${f.address}\0${fn}`;
    let loc = locations.get(key);
    if (!loc) locations.set(key, (loc = { id: locations.size + 1, mapping, address: BigInt(f.address), fn }));
    return loc.id;
  };

  const w = new Writer();
  const valueType = (field: number, type: string, unit: string) =>
    w.message(field, (m) => {
      m.uint(1, strings.id(type));
      m.uint(2, strings.id(unit));
    });
  valueType(1, 'samples', 'count');
  valueType(1, 'cpu', 'nanoseconds');
  const pidKey = strings.id('pid');
  const commKey = strings.id('comm');
  for (const s of p.stacks) {
    const locs = s.frames.map((f) => locationId(s.pid, f)).reverse(); // leaf first
    w.message(2, (m) => {
      m.packed(1, locs);
      m.packed(2, [s.samples, s.samples * periodNs]);
      m.message(3, (l) => {
        l.uint(1, pidKey);
        l.uint(3, s.pid);
      });
      m.message(3, (l) => {
        l.uint(1, commKey);
        l.uint(2, strings.id(s.comm));
      });
    });
  }
  for (const m of mappings.values())
    w.message(3, (x) => {
      x.uint(1, m.id);
      x.uint(2, m.start);
      x.uint(3, m.end);
      x.uint(4, m.offset);
      x.uint(5, m.file);
      x.uint(6, m.buildId);
      x.bool(7, true); // has_functions: symbolized here
    });
  for (const l of locations.values())
    w.message(4, (x) => {
      x.uint(1, l.id);
      x.uint(2, l.mapping);
      x.uint(3, l.address);
      x.message(4, (line) => line.uint(1, l.fn));
    });
  for (const f of functions.values())
    w.message(5, (x) => {
      x.uint(1, f.id);
      x.uint(2, f.name);
      x.uint(3, f.name);
      x.uint(4, f.file);
    });
  // The string table is only complete now: every id above was taken before this point.
  const comment = strings.id(`oslens profile, ${p.hz} Hz, ${p.mode === 'both' ? 'user+kernel' : p.mode} stacks`);
  const periodType = [strings.id('cpu'), strings.id('nanoseconds')] as const;
  for (const s of strings.list) w.bytes(6, Buffer.from(s, 'utf8'));
  w.uint(9, BigInt(Math.round(startedAtMs)) * 1_000_000n);
  w.uint(10, Math.round(p.durationSeconds * 1e9));
  w.message(11, (m) => {
    m.uint(1, periodType[0]);
    m.uint(2, periodType[1]);
  });
  w.uint(12, periodNs);
  w.packed(13, [comment]);
  return w.finish();
}

/** profile.proto, gzipped: the file `--pprof FILE` writes. */
export function pprofFile(p: Profile): Buffer {
  return gzipSync(encodeProfile(p));
}
