/**
 * A real browser for tests of the HTML oslens writes (the bench report; later the flame graph):
 * Debian's Chromium, headless, driven by puppeteer-core over a pipe (no port, no download: the
 * system /usr/bin/chromium). Open a local file with the network cut off, read facts out of the
 * rendered DOM (sizes and positions included, which --dump-dom cannot give), take a screenshot.
 *
 *   const opened = await openFile('/tmp/report.html');
 *   try { const rows = await opened.facts(() => document.querySelectorAll('tr').length); ... }
 *   finally { await opened.close(); }
 *
 * Timeouts are generous: the test machine has 2 cores shared by many jobs.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

/** Where Debian's chromium package puts the browser (CHROMIUM overrides). */
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

/** Why the browser cannot run here, or null (tests skip with it, and fail under CI). */
export function chromiumMissing(): string | null {
  return existsSync(CHROMIUM) ? null : `no ${CHROMIUM} (apt-get install chromium)`;
}

const TIMEOUT_MS = 90_000;

export interface OpenedPage {
  page: Page;
  /** URLs the page tried to load besides the file itself (all refused: the network is cut). */
  requests: string[];
  /** console errors and uncaught exceptions on the page. */
  errors: string[];
  /** Runs `fn` in the page and returns its (JSON-serialisable) result: the DOM facts a test checks. */
  facts<T>(fn: () => T): Promise<T>;
  /** Saves a PNG of the whole page (directories made as needed). */
  screenshot(file: string): Promise<void>;
  close(): Promise<void>;
}

/** Opens `file` in a fresh headless Chromium, window `width`×`height` CSS px. */
export async function openFile(file: string, opts: { width?: number; height?: number } = {}): Promise<OpenedPage> {
  const browser: Browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    pipe: true,
    timeout: TIMEOUT_MS,
    protocolTimeout: TIMEOUT_MS,
    // Root (CI, this machine) needs --no-sandbox; /dev/shm may be small in containers.
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--font-render-hinting=none'],
  });
  try {
    const page = await browser.newPage();
    page.setDefaultTimeout(TIMEOUT_MS);
    await page.setViewport({ width: opts.width ?? 1400, height: opts.height ?? 900 });
    const url = pathToFileURL(file).href;
    const requests: string[] = [];
    const errors: string[] = [];
    await page.setRequestInterception(true);
    page.on('request', (req) => {
      if (req.url() === url) void req.continue();
      else {
        requests.push(req.url());
        void req.abort();
      }
    });
    page.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(msg.text());
    });
    page.on('pageerror', (err) => errors.push(String(err)));
    await page.goto(url, { waitUntil: 'load', timeout: TIMEOUT_MS });
    return {
      page,
      requests,
      errors,
      facts: <T>(fn: () => T) => page.evaluate(fn) as Promise<T>,
      async screenshot(out: string) {
        mkdirSync(dirname(out), { recursive: true });
        await page.screenshot({ path: out as `${string}.png`, fullPage: true });
      },
      close: () => browser.close(),
    };
  } catch (err) {
    await browser.close();
    throw err;
  }
}
