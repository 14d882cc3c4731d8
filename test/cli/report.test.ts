import { lstatSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, oslens } from '../helpers/env.js';

const FIXTURE = join(ROOT, 'test/fixtures/bench/quick-run.json');
const scratch = mkdtempSync(join(tmpdir(), 'oslens-report-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const oneLine = (r: { stderr: string }) => r.stderr.trim().split('\n');

describe('oslens report', () => {
  it('writes one HTML file from a saved run, without measuring', () => {
    const out = join(scratch, 'a.html');
    const r = oslens(['report', FIXTURE, '-o', out], { timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    const html = readFileSync(out, 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain("content=\"default-src 'none'; style-src 'unsafe-inline'\"");
    // Nothing outside the file: no URL to fetch anywhere in it.
    expect(html).not.toMatch(/\b(?:src|href)=|url\(|@import|https?:\/\//i);
    const run = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { results: { id: string }[] };
    for (const res of run.results) expect(html).toContain(`data-id="${res.id}"`);
  });

  it('bad input is one line and exit 2: missing file, not JSON, not a run, no -o', () => {
    const notJson = join(scratch, 'not.json');
    writeFileSync(notJson, 'hello');
    const notRun = join(scratch, 'other.json');
    writeFileSync(notRun, JSON.stringify({ name: 'some package', version: '1.0.0' }));
    const out = join(scratch, 'never.html');
    const cases: [string[], RegExp][] = [
      [['report', join(scratch, 'absent.json'), '-o', out], /^oslens: cannot read .*absent\.json: ENOENT$/],
      [['report', notJson, '-o', out], /^oslens: .*not\.json is not a saved oslens bench run \(not JSON; /],
      [['report', notRun, '-o', out], /^oslens: .*other\.json is not a saved oslens bench run \(no "host" object; /],
      [['report', FIXTURE], /^oslens: required option '-o, --output <file>' not specified/],
      [['report', '-o', out], /^oslens: missing required argument 'runs'/],
    ];
    for (const [args, message] of cases) {
      const r = oslens(args, { timeout: 60_000 });
      expect(r.status, args.join(' ')).toBe(2);
      expect(oneLine(r), args.join(' ')).toHaveLength(1);
      expect(r.stderr.trim(), args.join(' ')).toMatch(message);
    }
    expect(readdirSync(scratch).filter((f) => f.includes('never') || f.endsWith('.tmp'))).toEqual([]);
  });

  it('an output that cannot be written is one line and exit 1 (as for bench --save), checked before the runs are read', () => {
    const r = oslens(['report', join(scratch, 'absent.json'), '-o', join(scratch, 'no-dir', 'x.html')]);
    expect(r.status).toBe(1);
    expect(oneLine(r)).toEqual([expect.stringMatching(/^oslens: -o: cannot write .*x\.html: no directory /)]);
  });

  it('a symlink planted at -o is replaced, never written through', () => {
    const victim = join(scratch, 'victim.txt');
    writeFileSync(victim, 'keep me\n');
    const out = join(scratch, 'planted.html');
    symlinkSync(victim, out);
    const r = oslens(['report', FIXTURE, '-o', out], { timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(victim, 'utf8')).toBe('keep me\n');
    expect(lstatSync(out).isSymbolicLink()).toBe(false);
    expect(readFileSync(out, 'utf8')).toMatch(/^<!doctype html>/);
  });

  it('bench --live --report writes the report of the live run too', () => {
    const out = join(scratch, 'live.html');
    const r = oslens(['bench', '--live', '--quick', '--report', out, 'counter-inc', 'mutex'], { timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    const html = readFileSync(out, 'utf8');
    const rows = [...html.matchAll(/<tr class="bench" data-id="([^"]+)"/g)].map((m) => m[1]);
    expect(rows).toEqual(['counter-inc', 'mutex']); // the catalog's order
  });

  it('bench --report refuses an unwritable file before measuring anything (exit 1, as --save)', () => {
    const r = oslens(['bench', '--quick', '--report', join(scratch, 'no-dir', 'r.html'), 'counter-inc'], {
      timeout: 60_000,
    });
    expect(r.status).toBe(1);
    expect(oneLine(r)).toEqual([expect.stringMatching(/^oslens: --report: cannot write .*: no directory /)]);
  });
});
