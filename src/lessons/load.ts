/**
 * Loads the teaching content from lessons/ (YAML and Markdown with YAML front matter), validates
 * it, and caches it. Content errors are reported with the file they are in.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { PACKAGE_ROOT } from '../util/package.js';
import { ContentError, fail, isModelId, modelIdValue, num, str, strList, type Raw } from './fields.js';
import type { LatencyRow, Model, ModelId, ModelLevel } from './types.js';

export const LESSONS_DIR = resolve(PACKAGE_ROOT, 'lessons');

export { ContentError, isModelId };

function modelId(raw: Raw, key: string, file: string): ModelId {
  return modelIdValue(raw[key], file, key);
}

/** Splits `---\nyaml\n---\nbody` into its parts. */
export function splitFrontMatter(text: string, file: string): { meta: Raw; body: string } {
  const m = /^---\n([\s\S]*?)\n---\n?([\s\S]*)$/.exec(text);
  if (!m) fail(file, 'missing YAML front matter (--- ... ---)');
  const meta = parseYaml(m[1] ?? '') as unknown;
  if (typeof meta !== 'object' || meta === null) fail(file, 'front matter is not a mapping');
  return { meta: meta as Raw, body: (m[2] ?? '').trim() };
}

export function parseModel(text: string, file: string): Model {
  const { meta, body } = splitFrontMatter(text, file);
  const level = str(meta, 'level', file);
  if (!['day-zero', 'practitioner', 'operator'].includes(level)) {
    fail(file, `"level" must be day-zero, practitioner or operator, not "${level}"`);
  }
  return {
    id: modelId(meta, 'id', file),
    number: num(meta, 'number', file),
    title: str(meta, 'title', file),
    level: level as ModelLevel,
    summary: str(meta, 'summary', file),
    syscalls: strList(meta, 'syscalls', file),
    benchmarks: strList(meta, 'benchmarks', file),
    procFiles: strList(meta, 'procFiles', file),
    body,
    file,
  };
}

export function parseLatencyTable(text: string, file: string): LatencyRow[] {
  const doc = parseYaml(text) as { rows?: unknown };
  if (!doc || !Array.isArray(doc.rows)) fail(file, 'expected a top-level "rows" list');
  return doc.rows.map((r: Raw, i: number): LatencyRow => {
    const where = `${file} row ${i + 1}`;
    const ratioRaw = r.ratio as Raw | undefined;
    const hasRef = r.lowNs !== undefined || r.highNs !== undefined;
    if (!hasRef && !ratioRaw) fail(where, 'needs lowNs/highNs or a ratio');
    const reference = hasRef ? { lowNs: num(r, 'lowNs', where), highNs: num(r, 'highNs', where) } : null;
    if (reference && reference.lowNs > reference.highNs) fail(where, 'lowNs > highNs');
    return {
      id: str(r, 'id', where),
      title: str(r, 'title', where),
      display: str(r, 'display', where),
      reference,
      ratio: ratioRaw
        ? {
            value: ratioRaw.value === undefined ? null : num(ratioRaw, 'value', where),
            numerator: str(ratioRaw, 'numerator', where),
            denominator: str(ratioRaw, 'denominator', where),
          }
        : null,
      model: modelId(r, 'model', where),
      measurable: r.measurable !== false,
      note: str(r, 'note', where),
      source: str(r, 'source', where),
    };
  });
}

let modelsCache: Model[] | undefined;
let latencyCache: LatencyRow[] | undefined;

/** The twelve models, in curriculum order. */
export function loadModels(dir: string = LESSONS_DIR): Model[] {
  if (modelsCache && dir === LESSONS_DIR) return modelsCache;
  const modelsDir = join(dir, 'models');
  const models = readdirSync(modelsDir)
    .filter((f) => /^\d\d-.+\.md$/.test(f))
    .sort()
    .map((f) => parseModel(readFileSync(join(modelsDir, f), 'utf8'), join('lessons/models', f)));
  if (dir === LESSONS_DIR) modelsCache = models;
  return models;
}

export function loadLatencyTable(dir: string = LESSONS_DIR): LatencyRow[] {
  if (latencyCache && dir === LESSONS_DIR) return latencyCache;
  const rows = parseLatencyTable(readFileSync(join(dir, 'latency.yaml'), 'utf8'), 'lessons/latency.yaml');
  if (dir === LESSONS_DIR) latencyCache = rows;
  return rows;
}

export function findModel(id: ModelId): Model {
  const m = loadModels().find((x) => x.id === id);
  if (!m) throw new ContentError(`lessons/models: no lesson for model "${id}"`);
  return m;
}

export function findLatencyRow(id: string): LatencyRow {
  const row = loadLatencyTable().find((r) => r.id === id);
  if (!row) throw new ContentError(`lessons/latency.yaml: no row "${id}"`);
  return row;
}
