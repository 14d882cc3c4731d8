/**
 * Property-based tests (fast-check) for the exposition encoder (src/export/format.ts): random
 * families (names, units, HELP text and label values with quotes, backslashes, line feeds and
 * any Unicode; NaN and infinities; histograms) encoded in both formats and read back by
 * independent parsers: the Python prometheus_client's OpenMetrics and 0.0.4 parsers (the
 * reference implementation) must give back exactly what was encoded, and `promtool check
 * metrics` must accept the 0.0.4 text without a complaint. Names the formats cannot carry are
 * refused, never written.
 */
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { acceptsGzip, encode, negotiate, type MetricFamily } from '../../src/export/format.js';
import { IN_CI, skipUnlessCapable } from '../helpers/env.js';

const RUNS = Number(process.env.OSLENS_FUZZ_RUNS ?? 25);
fc.configureGlobal({ numRuns: RUNS, ...(IN_CI ? { seed: 20261201 } : {}) });

// Debian's python3 (the package python3-prometheus-client), not whichever python3 is first on PATH.
const PYTHON = '/usr/bin/python3';
const HAVE_CLIENT = spawnSync(PYTHON, ['-c', 'import prometheus_client']).status === 0;
const HAVE_PROMTOOL = spawnSync('promtool', ['--version']).status === 0;

/** Parses stdin with prometheus_client (format argv[1]) and prints the families as JSON. */
const PARSE = `
import json, math, sys
from prometheus_client.openmetrics import parser as om
from prometheus_client import parser as text
t = sys.stdin.buffer.read().decode('utf-8')
fams = (om if sys.argv[1] == 'openmetrics' else text).text_string_to_metric_families(t)
num = lambda v: 'NaN' if math.isnan(v) else ('+Inf' if v == math.inf else ('-Inf' if v == -math.inf else v))
print(json.dumps([{'name': f.name, 'help': f.documentation, 'type': f.type, 'unit': f.unit,
  'samples': [[s.name, s.labels, num(s.value)] for s in f.samples]} for f in fams]))
`;

function parseWithClient(body: string, format: 'openmetrics' | 'prometheus'): unknown {
  const r = spawnSync(PYTHON, ['-c', PARSE, format], { input: body, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`prometheus_client refused the ${format} text: ${r.stderr}\n${body}`);
  return JSON.parse(r.stdout);
}

// Names that pass promtool's lint too: snake_case, no type or reserved suffix, no abbreviated unit.
const RESERVED =
  /^(total|count|sum|bucket|created|info|counter|gauge|histogram|summary|le|quantile|ms|sec|secs|kb|mb|gb|seconds|bytes|ratio)$/;
const word = fc.stringMatching(/^[a-z][a-z0-9]{1,6}$/).filter((w) => !RESERVED.test(w));
const name = fc.array(word, { minLength: 1, maxLength: 3 }).map((ws) => `t_${ws.join('_')}`);
const labelName = word;
/** Any Unicode, and the characters the formats escape, often. */
const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc
    .array(fc.constantFrom('"', '\\', '\n', 'a', ' ', 'é', '{', '}', ',', '=', '#', '\t'), { maxLength: 10 })
    .map((a) => a.join('')),
);
const labels = fc.dictionary(labelName, text, { maxKeys: 3 });
const gaugeValue = fc.oneof(fc.double(), fc.integer({ min: -1e6, max: 1e6 }));
const counterValue = fc.oneof(fc.double({ min: 0, noNaN: true, max: 1e300 }), fc.nat());

/** Label sets of one family: distinct (two series with the same labels are one series). */
const distinct = <T extends { labels: Record<string, string> }>(xs: T[]) =>
  xs.filter((x, i) => xs.findIndex((y) => JSON.stringify(y.labels) === JSON.stringify(x.labels)) === i);

const family: fc.Arbitrary<MetricFamily> = fc
  .record({
    base: name,
    // Every metric has HELP (the encoder insists), trimmed by the encoder; not ending in what
    // only Python's strip() counts as blank (its 0.0.4 parser strips each line).
    // eslint-disable-next-line no-control-regex
    help: text.filter((h) => h.trim() !== '' && !/^[\x1c-\x1f\x85]|[\x1c-\x1f\x85]$/.test(h.trim())),
    type: fc.constantFrom('counter' as const, 'gauge' as const, 'histogram' as const),
    unit: fc.constantFrom(undefined, 'seconds', 'bytes'),
    gauges: fc.array(fc.record({ labels, value: gaugeValue }), { maxLength: 4 }),
    counters: fc.array(fc.record({ labels, value: counterValue }), { maxLength: 4 }),
    hists: fc.array(
      fc.record({
        labels,
        counts: fc.array(fc.nat({ max: 1000 }), { minLength: 1, maxLength: 5 }),
        sum: fc.double({ min: 0, max: 1e9, noNaN: true }),
      }),
      { maxLength: 2 },
    ),
  })
  .map((r) => {
    const name = r.unit ? `${r.base}_${r.unit}` : r.base;
    if (r.type === 'histogram') {
      return {
        name,
        help: r.help,
        type: r.type,
        unit: r.unit,
        histograms: distinct(r.hists).map((h) => {
          let c = 0;
          const buckets = h.counts.map((n, i) => ({ le: 2 ** i / 1e6, count: (c += n) }));
          return { labels: h.labels, buckets, count: c + 1, sum: h.sum };
        }),
      };
    }
    return {
      name,
      help: r.help,
      type: r.type,
      unit: r.unit,
      samples: distinct(r.type === 'counter' ? r.counters : r.gauges),
    };
  });
const families = fc
  .array(family, { maxLength: 5 })
  .map((fs) => fs.filter((f, i) => fs.findIndex((g) => g.name === f.name) === i));

const num = (v: number) => (Number.isNaN(v) ? 'NaN' : v === Infinity ? '+Inf' : v === -Infinity ? '-Inf' : v);

/** What prometheus_client should read back: its family and sample names, per format. */
function expected(fs: MetricFamily[], format: 'openmetrics' | 'prometheus'): unknown {
  return fs.map((f) => {
    const samples: [string, Record<string, string>, number | string][] = [];
    for (const s of f.samples ?? [])
      samples.push([f.type === 'counter' ? `${f.name}_total` : f.name, s.labels, num(s.value)]);
    for (const h of f.histograms ?? []) {
      for (const b of h.buckets) samples.push([`${f.name}_bucket`, { ...h.labels, le: String(b.le) }, b.count]);
      samples.push([`${f.name}_bucket`, { ...h.labels, le: '+Inf' }, h.count]);
      samples.push([`${f.name}_sum`, h.labels, num(h.sum)], [`${f.name}_count`, h.labels, h.count]);
    }
    return {
      name: f.name,
      help: f.help.trim(),
      type: f.type,
      unit: format === 'openmetrics' ? (f.unit ?? '') : '',
      samples,
    };
  });
}

describe('exposition encoder: read back exactly by the reference parsers', () => {
  it('OpenMetrics text: prometheus_client.openmetrics gives back every name, HELP, label value and value', ({
    skip,
  }) => {
    if (!HAVE_CLIENT) skipUnlessCapable(skip, 'python3-prometheus-client is not installed');
    fc.assert(
      fc.property(families, (fs) => {
        const body = encode(fs, 'openmetrics');
        expect(body.endsWith('# EOF\n')).toBe(true);
        expect(parseWithClient(body, 'openmetrics')).toEqual(expected(fs, 'openmetrics'));
      }),
    );
  });

  it('0.0.4 text: prometheus_client gives it back, promtool check metrics accepts it', ({ skip }) => {
    if (!HAVE_CLIENT) skipUnlessCapable(skip, 'python3-prometheus-client is not installed');
    if (!HAVE_PROMTOOL) skipUnlessCapable(skip, 'promtool (the prometheus package) is not installed');
    fc.assert(
      fc.property(families, (fs) => {
        const body = encode(fs, 'prometheus');
        const check = spawnSync('promtool', ['check', 'metrics'], { input: body, encoding: 'utf8' });
        expect(check.stdout + check.stderr, body).toBe('');
        expect(check.status).toBe(0);
        // The 0.0.4 parser names a counter family after its samples minus _total, no units.
        expect(parseWithClient(body, 'prometheus')).toEqual(expected(fs, 'prometheus'));
      }),
    );
  });
});

describe('exposition encoder: what it refuses', () => {
  it('names the formats cannot carry are an error, not output', () => {
    const bad: MetricFamily[] = [
      { name: '1abc', help: 'h', type: 'gauge', samples: [] },
      { name: 'a-b', help: 'h', type: 'gauge', samples: [] },
      { name: 'a_total', help: 'h', type: 'counter', samples: [] },
      { name: 'a_ms', help: 'h', type: 'gauge', unit: 'seconds', samples: [] },
      { name: 'a', help: 'h', type: 'gauge', samples: [{ labels: { 'x-y': '1' }, value: 1 }] },
      { name: 'a', help: 'h', type: 'gauge', samples: [{ labels: { __name__: 'b' }, value: 1 }] },
      { name: 'a', help: 'h', type: 'gauge', samples: [{ labels: { le: '1' }, value: 1 }] },
      { name: 'a', help: ' ', type: 'gauge', samples: [] },
    ];
    for (const f of bad) {
      for (const format of ['openmetrics', 'prometheus'] as const) expect(() => encode([f], format), f.name).toThrow();
    }
  });

  it("negotiates OpenMetrics by the Accept header's q values, gzip by Accept-Encoding's", () => {
    const q = fc.constantFrom(undefined, 0, 0.1, 0.5, 1);
    const range = fc.record({
      type: fc.constantFrom('application/openmetrics-text', 'text/plain', '*/*', 'application/json', 'TEXT/PLAIN'),
      version: fc.constantFrom(undefined, '1.0.0', '0.0.1', '0.0.4'),
      q,
    });
    fc.assert(
      fc.property(fc.array(range, { maxLength: 5 }), (ranges) => {
        const header = ranges
          .map((r) =>
            [r.type, r.version && `version=${r.version}`, r.q !== undefined && `q=${r.q}`].filter(Boolean).join(';'),
          )
          .join(', ');
        const best = (t: string) =>
          Math.max(0, ...ranges.filter((r) => r.type.toLowerCase() === t).map((r) => r.q ?? 1));
        const om = best('application/openmetrics-text');
        expect(negotiate(header), header).toBe(om > 0 && om >= best('text/plain') ? 'openmetrics' : 'prometheus');
      }),
    );
    // What Prometheus 2.x sends, and what a plain curl sends.
    expect(
      negotiate(
        'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
      ),
    ).toBe('openmetrics');
    expect(negotiate('*/*')).toBe('prometheus');
    expect(negotiate(undefined)).toBe('prometheus');
    const coding = fc.record({ name: fc.constantFrom('gzip', 'deflate', 'br', '*', 'identity', 'GZIP'), q });
    fc.assert(
      fc.property(fc.array(coding, { maxLength: 4 }), (codings) => {
        const header = codings.map((c) => (c.q === undefined ? c.name : `${c.name};q=${c.q}`)).join(', ');
        const of = (n: string) => codings.filter((c) => c.name.toLowerCase() === n).map((c) => c.q ?? 1);
        const gzip = of('gzip');
        const star = of('*');
        const want = gzip.length > 0 ? Math.max(...gzip) > 0 : star.length > 0 && Math.max(...star) > 0;
        expect(acceptsGzip(header), header).toBe(want);
      }),
    );
    expect(acceptsGzip(undefined)).toBe(false);
  });
});
