/**
 * The bench report in a real browser (Debian's Chromium, headless): every row of the run is
 * rendered where the log axis puts its figure, the page loads nothing from outside, text from
 * the run stays text, and a screenshot is saved to look at (OSLENS_SCREENSHOT_DIR, default
 * $TMPDIR/oslens-screenshots).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BenchRun } from '../../src/bench/types.js';
import { chromiumMissing, openFile } from '../helpers/chromium.js';
import { ROOT, oslens, skipUnlessCapable } from '../helpers/env.js';

// Real bench --quick --save runs on the dev VM: a noisy one (the machine was shared), and one
// from before the noise checks (no noise block), which a report must still draw.
const FIXTURE = join(ROOT, 'test/fixtures/bench/quick-run.json');
const BEFORE_NOISE = join(ROOT, 'test/fixtures/bench/run-before-noise.json');
const SHOTS = process.env.OSLENS_SCREENSHOT_DIR ?? join(tmpdir(), 'oslens-screenshots');
const scratch = mkdtempSync(join(tmpdir(), 'oslens-report-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** What the page shows of one benchmark row, read from the rendered DOM. */
interface RowFacts {
  id: string;
  height: number;
  points: { run: number; cx: number; width: number; noisy: boolean }[];
  bands: number;
  figures: string[];
}

async function rowFacts(file: string) {
  const opened = await openFile(file);
  const facts = await opened.facts(() => {
    const rows = [...document.querySelectorAll<HTMLTableRowElement>('tr.bench')].map((tr) => ({
      id: tr.dataset.id ?? '',
      height: tr.getBoundingClientRect().height,
      points: [...tr.querySelectorAll<SVGCircleElement>('circle.point')].map((c) => ({
        run: Number(c.dataset.run),
        cx: c.cx.baseVal.value,
        width: c.getBoundingClientRect().width,
        noisy: c.classList.contains('noisy'),
      })),
      bands: tr.querySelectorAll('rect.band').length,
      figures: [...tr.querySelectorAll<HTMLElement>('td.figure')].map((td) => td.innerText),
    }));
    return {
      rows,
      hosts: document.querySelectorAll('.host').length,
      banners: [...document.querySelectorAll<HTMLElement>('.banner')].map((b) => b.innerText),
      differs: [...document.querySelectorAll<HTMLElement>('.host .differs')].map((d) => d.innerText),
      ratios: [...document.querySelectorAll<HTMLElement>('tr.ratio')].map((r) => r.dataset.row ?? ''),
      title: document.title,
      scripts: document.querySelectorAll('script').length,
      images: document.querySelectorAll('img').length,
      text: document.body.innerText,
    };
  });
  return { opened, facts: facts as typeof facts & { rows: RowFacts[] } };
}

describe('the bench report in headless Chromium', () => {
  it.for([
    ['a noisy run', FIXTURE, 'report-one-run.png'],
    ['a run from before the noise checks', BEFORE_NOISE, 'report-before-noise.png'],
  ] as const)(
    'renders every row of %s, each figure where the log axis puts it',
    async ([, fixture, shot], ctx) => {
      const missing = chromiumMissing();
      if (missing) skipUnlessCapable(ctx.skip, missing);
      const run = JSON.parse(readFileSync(fixture, 'utf8')) as BenchRun;
      const out = join(scratch, 'one.html');
      const r = oslens(['report', fixture, '-o', out]);
      expect(r.status, r.stderr).toBe(0);
      const { opened, facts } = await rowFacts(out);
      try {
        expect(opened.requests).toEqual([]); // one file: nothing fetched
        expect(opened.errors).toEqual([]);
        expect(facts.rows.map((x) => x.id)).toEqual(run.results.map((x) => x.id));
        for (const row of facts.rows) {
          const result = run.results.find((x) => x.id === row.id)!;
          expect(row.height, row.id).toBeGreaterThan(10);
          expect(row.bands, row.id).toBe(result.reference ? 1 : 0);
          expect(row.points.length, row.id).toBe(result.nsPerOp === null ? 0 : 1);
          for (const p of row.points) expect(p.width, row.id).toBeGreaterThan(4); // drawn, not collapsed
          // A row measured beside other work is drawn hollow and says so.
          const noisy = Boolean(result.noise?.noisy);
          for (const p of row.points) expect(p.noisy, row.id).toBe(noisy);
          expect(row.figures[0]!.includes('~ noisy: '), row.id).toBe(noisy);
        }
        if (fixture === FIXTURE) {
          // The check above is worth something only if the run has both kinds of rows.
          expect(new Set(run.results.filter((x) => x.nsPerOp !== null).map((x) => Boolean(x.noise?.noisy)))).toEqual(
            new Set([true, false]),
          );
        }
        expect(facts.banners.length).toBe(run.noise?.noisy ? 1 : 0);
        for (const reason of run.noise?.reasons ?? []) expect(facts.banners[0]).toContain(reason);
        // The points are ordered as the figures are: the axis is the figures' log scale.
        const plotted = facts.rows
          .filter((x) => x.points.length === 1)
          .map((x) => ({ cx: x.points[0]!.cx, ns: run.results.find((y) => y.id === x.id)!.nsPerOp! }))
          .sort((a, b) => a.ns - b.ns);
        for (let i = 1; i < plotted.length; i++) expect(plotted[i]!.cx).toBeGreaterThanOrEqual(plotted[i - 1]!.cx);
        const [lo, hi] = [plotted[0]!, plotted[plotted.length - 1]!];
        const perDecade = (hi.cx - lo.cx) / Math.log10(hi.ns / lo.ns);
        expect(perDecade).toBeGreaterThan(20); // a decade is visible on the page
        expect(facts.ratios).toEqual(run.ratios.map((q) => q.row));
        expect(facts.hosts).toBe(1);
        expect(facts.text).toContain(run.host.cpuModel);
        // The facts that explain the figures, when the run has them (runs saved before do not).
        const h = run.host;
        if (fixture === FIXTURE) expect(h.clocksource && h.disk && h.preemption).toBeTruthy();
        if (h.clocksource) expect(facts.text).toMatch(new RegExp(`clocksource\\s+${h.clocksource.current} \\(`));
        if (h.disk) expect(facts.text).toContain(`${h.disk.dir}: ${h.disk.fsType}`);
        if (h.preemption?.model) expect(facts.text).toMatch(new RegExp(`preemption\\s+${h.preemption.model}`));
        if (h.hypervisor?.vendor) expect(facts.text).toMatch(new RegExp(`hypervisor\\s+${h.hypervisor.vendor}`));
        for (const [name, state] of Object.entries(h.mitigations ?? {}))
          if (!/not affected/i.test(state)) expect(facts.text).toContain(`${name}: ${state}`);
        await opened.screenshot(join(SHOTS, shot));
      } finally {
        await opened.close();
      }
    },
    240_000,
  );

  it('bench --report measures and writes; two runs are drawn side by side, text from a run stays text', async (ctx) => {
    const missing = chromiumMissing();
    if (missing) skipUnlessCapable(ctx.skip, missing);
    const ids = ['syscall-getpid', 'counter-inc', 'clock-vdso', 'clock-syscall'];
    const fresh = join(scratch, 'fresh.json');
    const measured = join(scratch, 'fresh.html');
    const b = oslens(['bench', '--quick', '--save', fresh, '--report', measured, ...ids], { timeout: 180_000 });
    expect(b.status, b.stderr).toBe(0);
    const freshRun = JSON.parse(readFileSync(fresh, 'utf8')) as BenchRun;
    expect(freshRun.results.map((x) => x.id).sort()).toEqual([...ids].sort());
    const alone = await rowFacts(measured);
    try {
      expect(alone.facts.rows.map((x) => x.id)).toEqual(freshRun.results.map((x) => x.id));
      for (const row of alone.facts.rows) expect(row.points).toHaveLength(1);
    } finally {
      await alone.opened.close();
    }

    // A second machine whose hostname and notes try to be markup.
    const other = JSON.parse(readFileSync(FIXTURE, 'utf8')) as BenchRun;
    other.host.hostname = '<img src=x onerror="document.title=\'pwned\'">box';
    other.notes = ['</style><script>document.title="pwned"</script>'];
    // And a row it could not run, as a run on a machine without the capability records it.
    const skipped = other.results.findIndex((x) => x.id === 'tcp-rtt');
    other.results[skipped] = {
      ...other.results[skipped]!,
      ...{ status: 'skipped', skipped: 'no loopback here', nsPerOp: null, p10: null, p90: null },
      verdict: { kind: 'skipped' },
    };
    const otherFile = join(scratch, 'other.json');
    writeFileSync(otherFile, JSON.stringify(other));
    const both = join(scratch, 'both.html');
    const r = oslens(['report', fresh, otherFile, '-o', both]);
    expect(r.status, r.stderr).toBe(0);
    const { opened, facts } = await rowFacts(both);
    try {
      expect(opened.requests).toEqual([]);
      expect(facts.scripts).toBe(0);
      expect(facts.images).toBe(0);
      // Neither the onerror nor the script ran: the title is the hostnames, as text.
      expect(facts.title).toBe(`oslens bench: ${freshRun.host.hostname} vs ${other.host.hostname}`);
      expect(facts.text).toContain('<img src=x onerror=');
      expect(facts.text).toContain('</style><script>');
      expect(facts.hosts).toBe(2);
      // The fixture ran with --heap 256M, the fresh run with the default 1G: that fact is marked.
      expect(facts.differs).toContain('256 MiB');
      // Every row of either run, each with a figure cell per run; both lanes where both measured.
      const union = [...new Set([...freshRun.results, ...other.results].map((x) => x.id))];
      expect(new Set(facts.rows.map((x) => x.id))).toEqual(new Set(union));
      for (const row of facts.rows) {
        expect(row.figures, row.id).toHaveLength(2);
        const inBoth = ids.includes(row.id) && other.results.find((x) => x.id === row.id)?.nsPerOp !== null;
        if (inBoth) expect(row.points.map((p) => p.run).sort(), row.id).toEqual([0, 1]);
        if (!ids.includes(row.id)) expect(row.figures[0], row.id).toBe('not in this run');
        if (row.id === 'tcp-rtt') {
          expect(row.figures[1]).toMatch(/^skipped: no loopback here/);
          expect(row.points).toEqual([]);
        }
      }
      await opened.screenshot(join(SHOTS, 'report-two-runs.png'));
    } finally {
      await opened.close();
    }
  }, 400_000); // a bench run and two browsers on a loaded 2-core machine
});
