import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv from 'ajv';
import { afterAll, describe, expect, it } from 'vitest';
import { BENCH_IDS } from '../../src/bench/catalog.js';
import { OSLENS, ROOT, oslens } from '../helpers/env.js';

const schema = JSON.parse(readFileSync(join(ROOT, 'schemas/bench-run.schema.json'), 'utf8'));
const validate = new Ajv({ allErrors: true }).compile(schema);
const scratch = mkdtempSync(join(tmpdir(), 'oslens-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('oslens bench (CLI)', () => {
  it('--json prints one document that validates against the documented schema', () => {
    const ids = ['syscall-getpid', 'write-devnull', 'counter-inc', 'cross-region'];
    const r = oslens(['bench', '--json', '--quick', ...ids]);
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    // grouped by model, in catalog order
    expect(doc.results.map((x: { id: string }) => x.id)).toEqual([
      'syscall-getpid',
      'write-devnull',
      'counter-inc',
      'cross-region',
    ]);
    expect(doc.ratios.find((x: { row: string }) => x.row === 'syscall-vs-counter')).toBeTruthy();
  });

  it('the write-devnull / counter-inc pair is a first-class view with its ratio', () => {
    const r = oslens(['bench', '--quick', 'write-devnull', 'counter-inc']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/write\(\) to \/dev\/null vs In-memory counter increment/);
    expect(r.stdout).toMatch(/ratio: [\d,.]+×/);
  });

  it('--list names every benchmark with its model, row and method', () => {
    const r = oslens(['bench', '--list', '--json']);
    expect(r.status).toBe(0);
    const list = JSON.parse(r.stdout) as { id: string; model: string; row: string; method: string }[];
    expect(list.map((x) => x.id)).toEqual(BENCH_IDS);
    for (const x of list) expect(x.method.length).toBeGreaterThan(10);
  });

  it('--save writes the JSON and --compare prints the two runs side by side', () => {
    const file = join(scratch, 'run.json');
    const a = oslens(['bench', '--quick', '--save', file, 'mutex', 'syscall-getpid']);
    expect(a.status, a.stderr).toBe(0);
    expect(validate(JSON.parse(readFileSync(file, 'utf8')))).toBe(true);
    const b = oslens(['bench', '--quick', '--compare', file, 'mutex', 'syscall-getpid']);
    expect(b.status, b.stderr).toBe(0);
    expect(b.stdout).toMatch(/this run/);
    expect(b.stdout).toMatch(/^mutex\s+\S+ \S+\s+\S+ \S+\s+[\d.]+×$/m);
  });

  it('--compare A.json B.json compares two saved runs without measuring', () => {
    const fileA = join(scratch, 'a.json');
    const fileB = join(scratch, 'b.json');
    const made = oslens(['bench', '--quick', '--save', fileA, 'mutex', 'syscall-getpid']);
    expect(made.status, made.stderr).toBe(0);
    // the same run as if from another machine: another clocksource, mutex twice as slow and noisy
    const b = JSON.parse(readFileSync(fileA, 'utf8'));
    b.host.clocksource = { current: 'hpet', available: ['hpet', 'acpi_pm'], vdsoCapable: false };
    const mutex = b.results.find((r: { id: string }) => r.id === 'mutex');
    mutex.nsPerOp *= 2;
    mutex.noise = {
      noisy: true,
      reasons: ['made up'],
      roundDisagreement: null,
      probeSlowdown: null,
      probeOnCpu: null,
      waitShare: null,
    };
    writeFileSync(fileB, JSON.stringify(b));
    const home = join(scratch, 'compare-home');
    const r = oslens(['bench', '--compare', fileA, fileB], { env: { OSLENS_HOME: home } });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^where the hosts differ:\n\s+clocksource\s+tsc\s+\|\s+hpet$/m);
    expect(r.stdout).toMatch(/^mutex\s+\S+ ns~?\s+\S+ ns~\s+0\.5×$/m);
    expect(r.stdout).toMatch(/^syscall-getpid\s+\S+ ns~?\s+\S+ ns~?\s+1\.0×$/m);
    expect(existsSync(join(home, 'last-bench.json'))).toBe(false); // nothing measured, nothing remembered
    const j = oslens(['bench', '--compare', fileA, fileB, 'mutex', '--json']);
    expect(j.status, j.stderr).toBe(0);
    const doc = JSON.parse(j.stdout);
    expect(doc.rows).toEqual([
      { id: 'mutex', a: mutex.nsPerOp / 2, b: mutex.nsPerOp, ratio: 0.5, noisyA: expect.any(Boolean), noisyB: true },
    ]);
    expect(doc.hostDifferences).toEqual([{ fact: 'clocksource', a: 'tsc', b: 'hpet' }]);
    expect([doc.a.file, doc.b.file]).toEqual([fileA, fileB]);
    for (const bad of [
      ['bench', '--compare', fileA, fileB, '--quick'],
      ['bench', '--compare', fileA, fileB, join(scratch, 'c.json')],
      ['bench', '--compare', fileA, join(scratch, 'missing.json')],
    ]) {
      const e = oslens(bad);
      expect(e.status, bad.join(' ')).not.toBe(0);
      expect(e.stderr.trim().split('\n'), bad.join(' ')).toHaveLength(1);
    }
  });

  it('an unknown id is a one-line error listing the valid ids, exit 2', () => {
    const r = oslens(['bench', 'l1-hit', 'warp-drive']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/unknown benchmark "warp-drive"; valid ids: l1-hit, /);
  });

  it('bad flags and values are one-line errors, never a stack trace', () => {
    for (const args of [
      ['bench', '--frobnicate'],
      ['bench', '--heap', 'lots'],
      ['bench', '--batches', '0'],
      ['bench', '--compare', '/nonexistent.json'],
    ]) {
      const r = oslens(args);
      expect(r.status, args.join(' ')).not.toBe(0);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr).toMatch(/^oslens: /);
      expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/);
    }
  });

  it('Ctrl-C stops cleanly: exit 130, fork helper reaped, no temp file left', async () => {
    const tmp = mkdtempSync(join(scratch, 'int-'));
    const child = spawn(process.execPath, [OSLENS, 'bench', 'fork-large', 'fault-major', '--heap', '512M'], {
      env: { ...process.env, OSLENS_TMPDIR: tmp },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    // Wait until the helper holds its heap, then interrupt.
    const helperRunning = () => {
      try {
        return (
          execFileSync('pgrep', ['-P', String(child.pid), '-f', 'oslens-forkhelper'], { encoding: 'utf8' }).trim() !==
          ''
        );
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 100 && !helperRunning(); i++) await new Promise((r) => setTimeout(r, 100));
    expect(helperRunning()).toBe(true);
    child.kill('SIGINT');
    const code = await new Promise<number | null>((res) => child.on('exit', (c) => res(c)));
    expect(code).toBe(130);
    expect(stderr).toMatch(/interrupted/);
    let left = '';
    try {
      left = execFileSync('pgrep', ['-f', 'oslens-forkhelper'], { encoding: 'utf8' });
    } catch {
      left = '';
    }
    expect(left.trim()).toBe('');
    expect(readdirSync(tmp)).toEqual([]);
  });
});
