import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BENCHMARKS, BENCH_IDS } from '../../src/bench/catalog.js';
import { loadLatencyTable, loadModels, parseLatencyTable, parseModel, ContentError } from '../../src/lessons/load.js';
import { MODEL_IDS } from '../../src/lessons/types.js';
import { loadAddon } from '../../src/native/addon.js';

describe('lessons/latency.yaml', () => {
  const rows = loadLatencyTable();

  it('holds the seed twelve rows plus the extra figures', () => {
    const seedRows = rows.filter((r) => /latency table, row \d+/.test(r.source));
    expect(seedRows).toHaveLength(12);
    for (const id of ['thread-create', 'vdso-vs-syscall', 'minor-vs-major-fault', 'fork-cow']) {
      expect(rows.map((r) => r.id)).toContain(id);
    }
    expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
  });

  it('ratio rows name benchmarks that exist', () => {
    for (const r of rows.filter((x) => x.ratio)) {
      expect(BENCH_IDS).toContain(r.ratio!.numerator);
      expect(BENCH_IDS).toContain(r.ratio!.denominator);
    }
  });

  it('rejects a row without a figure, with the file and row in the message', () => {
    expect(() => parseLatencyTable('rows:\n  - id: x\n    title: X\n', 'f.yaml')).toThrow(ContentError);
    expect(() => parseLatencyTable('rows:\n  - id: x\n    title: X\n', 'f.yaml')).toThrow(/f.yaml row 1/);
  });
});

describe('lessons/models', () => {
  const models = loadModels();

  it('has the twelve models, in order, one file each', () => {
    expect(models.map((m) => m.id)).toEqual([...MODEL_IDS]);
    expect(models.map((m) => m.number)).toEqual(MODEL_IDS.map((_, i) => i + 1));
    const files = readdirSync('lessons/models').filter((f) => f.endsWith('.md'));
    for (const m of models) expect(files).toContain(`${String(m.number).padStart(2, '0')}-${m.id}.md`);
  });

  it('every model has a summary, a body and names only real benchmarks', () => {
    for (const m of models) {
      expect(m.summary.length, m.id).toBeGreaterThan(10);
      expect(m.body.length, m.id).toBeGreaterThan(200);
      for (const b of m.benchmarks) expect(BENCH_IDS, `${m.file} names ${b}`).toContain(b);
    }
  });

  it('rejects front matter with an unknown model id', () => {
    const bad = '---\nid: kernel\nnumber: 1\ntitle: K\nlevel: day-zero\nsummary: s\n---\nbody';
    expect(() => parseModel(bad, 'x.md')).toThrow(/unknown model "kernel"/);
  });
});

describe('benchmark catalog', () => {
  it('matches the native harness one to one', () => {
    const native = loadAddon().benchIds();
    const measurable = BENCHMARKS.filter((b) => b.compare !== 'reference-only').map((b) => b.id);
    expect([...native].sort()).toEqual([...measurable].sort());
  });

  it('every benchmark points at a latency row and a model that exist', () => {
    const rowIds = loadLatencyTable().map((r) => r.id);
    for (const b of BENCHMARKS) {
      expect(rowIds, b.id).toContain(b.row);
      expect(MODEL_IDS, b.id).toContain(b.model);
      expect(b.method.length, b.id).toBeGreaterThan(10);
    }
  });
});

describe('the overlay on every command (--explain)', () => {
  it('every registered command has a lens entry whose models exist', async () => {
    const { buildProgram } = await import('../../src/cli/program.js');
    const { loadCommandLenses } = await import('../../src/lessons/commands.js');
    const names = buildProgram().commands.map((c) => c.name());
    const lenses = loadCommandLenses().map((l) => l.command);
    expect(names.length).toBeGreaterThan(5);
    for (const name of names) expect(lenses, `lessons/commands.yaml lacks ${name}`).toContain(name);
  });

  it('--explain prints the models on stderr and leaves --json on stdout intact', async () => {
    const { oslens } = await import('../helpers/env.js');
    const r = oslens(['bench', '--list', '--json', '--explain']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^oslens bench shows /);
    expect(r.stderr).toMatch(/Syscall boundary: .*\(oslens learn syscall-boundary\)/);
    expect(Array.isArray(JSON.parse(r.stdout))).toBe(true);
  });
});
