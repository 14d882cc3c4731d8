/**
 * The flame graph in a real browser (Debian's Chromium, headless, network cut): it loads nothing
 * from outside and raises no error, a hostile function name stays text, clicking a frame zooms
 * into it, search highlights and measures, Escape resets. The live test profiles a workload that
 * spends time in several parts of the OS and saves the screenshot (OSLENS_SCREENSHOT_DIR, default
 * $TMPDIR/oslens-screenshots; with OSLENS_DOCS_SCREENSHOTS=1 also docs/profile-flamegraph.png,
 * the README's picture).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { flameGraphSvg } from '../../src/profile/flamegraph.js';
import type { ProfileFrame, ProfileStack } from '../../src/profile/model.js';
import { chromiumMissing, openFile } from '../helpers/chromium.js';
import { ROOT, oslens, skipUnlessCapable } from '../helpers/env.js';
import { MIXED_SOURCE } from '../symbols/fixtures.js';

const SHOTS = process.env.OSLENS_SCREENSHOT_DIR ?? join(tmpdir(), 'oslens-screenshots');
const scratch = mkdtempSync(join(tmpdir(), 'oslens-flame-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const EVIL = '</title><script>window.pwned=1</script><image href="http://example.invalid/x.png"/>';
const f = (name: string, kind: ProfileFrame['kind'] = 'user'): ProfileFrame => ({
  name,
  module: kind === 'kernel' ? '[kernel]' : '/bin/app',
  kind,
  address: '0x1',
  model: kind === 'kernel' && name === 'exc_page_fault' ? 'virtual-memory' : null,
  buildId: null,
  mapping: null,
});
const STACKS: ProfileStack[] = [
  { pid: 1, comm: 'app', samples: 60, frames: [f('main'), f('hot_three')] },
  { pid: 1, comm: 'app', samples: 20, frames: [f('main'), f('hot_one')] },
  { pid: 1, comm: 'app', samples: 15, frames: [f('main'), f('touch'), f('exc_page_fault', 'kernel')] },
  { pid: 1, comm: 'app', samples: 5, frames: [f('main'), f(EVIL)] },
];

interface FrameFact {
  title: string;
  width: number;
  hidden: boolean;
  highlighted: boolean;
  fill: string;
}

const frameFacts = () =>
  [...document.querySelectorAll('.f')].map((g) => ({
    title: g.querySelector('title')!.textContent ?? '',
    width: Number(g.querySelector('rect')!.getAttribute('width')),
    hidden: g.classList.contains('hidden'),
    highlighted: g.classList.contains('hl'),
    fill: g.querySelector('rect')!.getAttribute('fill') ?? '',
  }));

describe('the flame graph in headless Chromium', () => {
  it('loads nothing, runs no injected script, zooms on click, searches, resets', async (ctx) => {
    const missing = chromiumMissing();
    if (missing) skipUnlessCapable(ctx.skip, missing);
    const file = join(scratch, 'synthetic.svg');
    writeFileSync(file, flameGraphSvg(STACKS, { title: 'synthetic' }));
    const opened = await openFile(file, { width: 1200, height: 400 });
    try {
      expect(opened.requests).toEqual([]);
      expect(opened.errors).toEqual([]);
      expect(await opened.facts(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
      let facts: FrameFact[] = await opened.facts(frameFacts);
      expect(facts.find((x) => x.title.startsWith(EVIL))).toBeDefined(); // text, whole
      const full = facts.find((x) => x.title.startsWith('main '))!.width;
      expect(facts.find((x) => x.title.startsWith('hot_three '))!.width / full).toBeCloseTo(0.6, 2);
      expect(facts.find((x) => x.title.startsWith('exc_page_fault '))!.title).toContain('[kernel: virtual-memory]');

      // Click hot_one: it fills the width, its siblings go, its ancestors stay full width.
      await opened.page.evaluate(() => {
        const g = [...document.querySelectorAll('.f')].find((x) =>
          x.querySelector('title')!.textContent!.startsWith('hot_one '),
        )!;
        g.dispatchEvent(new MouseEvent('click', { bubbles: true }));
      });
      facts = await opened.facts(frameFacts);
      expect(facts.find((x) => x.title.startsWith('hot_one '))!.width).toBeCloseTo(full, 0);
      expect(facts.find((x) => x.title.startsWith('hot_three '))!.hidden).toBe(true);
      expect(facts.find((x) => x.title.startsWith('main '))!.hidden).toBe(false);
      await opened.screenshot(join(SHOTS, 'flamegraph-zoomed.png'));

      // Escape resets; search highlights the matches and prints their share.
      await opened.page.keyboard.press('Escape');
      await opened.page.evaluate(() =>
        (document.documentElement as unknown as { oslens: { search(r: RegExp): void } }).oslens.search(/^hot_/),
      );
      facts = await opened.facts(frameFacts);
      expect(facts.every((x) => !x.hidden)).toBe(true);
      expect(facts.filter((x) => x.highlighted).map((x) => x.title.split(' ')[0])).toEqual(['hot_one', 'hot_three']);
      expect(await opened.facts(() => document.getElementById('matched')!.textContent)).toBe('Matched: 80.0%');
    } finally {
      await opened.close();
    }
  }, 180_000);

  it('renders a live profile of a workload across the OS (the README screenshot)', async (ctx) => {
    const missing = chromiumMissing();
    if (missing) skipUnlessCapable(ctx.skip, missing);
    if (process.getuid?.() !== 0) skipUnlessCapable(ctx.skip, 'eBPF needs root');
    const bin = join(scratch, 'workload');
    writeFileSync(`${bin}.c`, MIXED_SOURCE);
    execFileSync('gcc', ['-O1', '-fno-omit-frame-pointer', '-mno-omit-leaf-frame-pointer', '-o', bin, `${bin}.c`]);
    const svg = join(scratch, 'live.svg');
    const r = oslens(['profile', '-F', '499', '--duration', '4', '--svg', svg, '--', './workload', 'workload'], {
      timeout: 120_000,
      cwd: scratch,
    });
    expect(r.status, r.stderr).toBe(0);
    const opened = await openFile(svg, { width: 1200, height: 200 }); // fullPage: the SVG's own height
    try {
      expect(opened.requests).toEqual([]);
      expect(opened.errors).toEqual([]);
      const facts: FrameFact[] = await opened.facts(frameFacts);
      const titles = facts.map((x) => x.title);
      expect(titles.some((t) => t.startsWith('hot_three '))).toBe(true);
      expect(titles.some((t) => /\[kernel: virtual-memory\]/.test(t))).toBe(true);
      const shot = join(SHOTS, 'profile-flamegraph.png');
      await opened.screenshot(shot);
      if (process.env.OSLENS_DOCS_SCREENSHOTS === '1') copyFileSync(shot, join(ROOT, 'docs/profile-flamegraph.png'));
    } finally {
      await opened.close();
    }
  }, 180_000);
});
