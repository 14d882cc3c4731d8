import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { benchRunProblem } from '../../src/bench/saved.js';
import type { BenchRun } from '../../src/bench/types.js';
import { renderReport } from '../../src/report/html.js';
import { bandEdges, xOf } from '../../src/report/ladder.js';
import { escapeHtml, htmlText } from '../../src/util/html.js';
import { escapeForTerminal } from '../../src/util/terminal.js';
import { IN_CI, ROOT } from '../helpers/env.js';

const FIXTURE = join(ROOT, 'test/fixtures/bench/quick-run.json');
const fixture = () => JSON.parse(readFileSync(FIXTURE, 'utf8')) as BenchRun;
// As the other property suites: bounded for npm test, the seed fixed under CI.
fc.configureGlobal({ numRuns: Number(process.env.OSLENS_FUZZ_RUNS ?? 300), ...(IN_CI ? { seed: 20261201 } : {}) });

const unescape = (s: string) =>
  s.replace(
    /&(amp|lt|gt|quot|#39);/g,
    (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e] ?? '',
  );

describe('HTML escaping', () => {
  it('no character HTML gives meaning to survives, and the entities decode back to the text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const out = escapeHtml(s);
        expect(out).toMatch(/^(?:[^<>"'&]|&(?:amp|lt|gt|quot|#39);)*$/);
        expect(unescape(out)).toBe(s);
      }),
    );
  });

  it('htmlText also shows control and bidi characters as escapes, as the terminal views do', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const out = htmlText(s);
        expect(unescape(out)).toBe(escapeForTerminal(s));
        // eslint-disable-next-line no-control-regex
        expect(out).not.toMatch(/[\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069]/u);
      }),
    );
  });

  it('a hostile hostname, note or skip reason cannot open a tag in the report', () => {
    const run = fixture();
    const evil = '<script>alert(1)</script><img src=x onerror=alert(2)>"\'&\u202e';
    run.host.hostname = evil;
    run.notes = [evil];
    const first = run.results[0]!;
    run.results[0] = { ...first, id: evil, note: evil, status: 'skipped', nsPerOp: null, skipped: evil };
    const html = renderReport([{ name: evil, run }]);
    expect(html).not.toMatch(/<script|<img|onerror=alert\(2\)>/i);
    expect(html).toContain(
      '&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;&quot;&#39;&amp;\\u{202e}',
    );
  });
});

describe('a run file someone else wrote', () => {
  /** Every leaf of the fixture, as a path of keys. */
  const leaves = (v: unknown, path: (string | number)[] = []): (string | number)[][] =>
    v !== null && typeof v === 'object'
      ? Object.entries(v).flatMap(([k, x]) => leaves(x, [...path, Array.isArray(v) ? Number(k) : k]))
      : [path];
  const paths = leaves(fixture());

  it('renders (no crash, no markup from the file) whatever a field holds, once the shape check passes', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...paths),
        fc.oneof(fc.anything(), fc.constant('<script>x</script>'), fc.constant(Number.NaN), fc.constant(-1)),
        (path, value) => {
          const run = fixture() as unknown as Record<string | number, unknown>;
          let at = run;
          for (const k of path.slice(0, -1)) at = at[k] as Record<string | number, unknown>;
          at[path[path.length - 1]!] = value;
          if (benchRunProblem(run) !== null) return;
          const html = renderReport([{ name: 'x.json', run: run as unknown as BenchRun }]);
          expect(html).not.toMatch(/<script/i);
        },
      ),
      { numRuns: Number(process.env.OSLENS_FUZZ_RUNS ?? 200) },
    );
  });
});

describe('the ladder axis', () => {
  it('places every decade at the same distance, from 0.1 ns to 1 s, and clamps outside it', () => {
    const steps = Array.from({ length: 10 }, (_, d) => xOf(0.1 * 10 ** (d + 1)) - xOf(0.1 * 10 ** d));
    for (const s of steps) expect(s).toBeCloseTo(steps[0]!, 6);
    expect(xOf(1e-5)).toBe(xOf(0.1));
    expect(xOf(1e12)).toBe(xOf(1e9));
    fc.assert(
      fc.property(
        fc.double({ min: 0.1, max: 1e9, noNaN: true }),
        fc.double({ min: 0.1, max: 1e9, noNaN: true }),
        (a, b) => {
          if (a < b) expect(xOf(a)).toBeLessThanOrEqual(xOf(b));
        },
      ),
    );
  });

  it('a "~x" reference is drawn as the ×1.5 band the verdict calls within range; a range as itself', () => {
    expect(bandEdges({ lowNs: 100, highNs: 100 })).toEqual([100 / 1.5, 150]);
    expect(bandEdges({ lowNs: 100, highNs: 300 })).toEqual([100, 300]);
  });
});

describe('run files', () => {
  it('a saved run passes the shape check; each field the report reads is checked', () => {
    expect(benchRunProblem(fixture())).toBeNull();
    expect(
      benchRunProblem(JSON.parse(readFileSync(join(ROOT, 'test/fixtures/bench/run-before-noise.json'), 'utf8'))),
    ).toBeNull();
    const broken: [string, (r: Record<string, unknown>) => void, RegExp][] = [
      ['no host', (r) => delete r.host, /no "host" object/],
      ['hostname a number', (r) => ((r.host as Record<string, unknown>).hostname = 3), /host.hostname is not a string/],
      ['results not a list', (r) => (r.results = {}), /no "results" array/],
      [
        'a figure as text',
        (r) => ((r.results as Record<string, unknown>[])[2]!.nsPerOp = '12'),
        /results\[2\].nsPerOp/,
      ],
      [
        'a verdict without kind',
        (r) => ((r.results as Record<string, unknown>[])[0]!.verdict = {}),
        /verdict has no kind/,
      ],
      ['notes not text', (r) => (r.notes = [1]), /"notes" is not a list of strings/],
      ['a noise block without its verdict', (r) => (r.noise = { reasons: [] }), /"noise" has no noisy flag/],
      [
        'a row noise without its verdict',
        (r) => ((r.results as Record<string, unknown>[])[1]!.noise = 'yes'),
        /results\[1\].noise/,
      ],
    ];
    for (const [what, spoil, message] of broken) {
      const r = fixture() as unknown as Record<string, unknown>;
      spoil(r);
      expect(benchRunProblem(r), what).toMatch(message);
    }
    expect(benchRunProblem([])).toBe('not a JSON object');
  });
});
