#!/usr/bin/env node
// npm run docs:screenshot -- RUN.json [RUN.json ...] — the README's picture of the bench report
// (docs/report.png): `oslens report` of the runs, opened in headless Chromium (Debian's
// /usr/bin/chromium, CHROMIUM overrides): the top 1700 px of the page at 1200 px wide, scaled 0.8.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import puppeteer from 'puppeteer-core';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const runs = process.argv.slice(2);
if (runs.length === 0) {
  process.stderr.write('usage: npm run docs:screenshot -- RUN.json [RUN.json ...]\n');
  process.exit(2);
}
const out = join(ROOT, 'docs/report.png');
const dir = mkdtempSync(join(tmpdir(), 'oslens-shot-'));
try {
  const html = join(dir, 'report.html');
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/oslens'), 'report', ...runs, '-o', html], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    pipe: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 1200, height: 900, deviceScaleFactor: 0.8 });
    await page.goto(pathToFileURL(html).href, { waitUntil: 'load' });
    await page.screenshot({ path: out, clip: { x: 0, y: 0, width: 1200, height: 1700 }, captureBeyondViewport: true });
  } finally {
    await browser.close();
  }
  process.stdout.write(`wrote ${out}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
