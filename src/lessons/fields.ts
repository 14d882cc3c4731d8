/** Validators for lesson content: each names the file and key at fault (ContentError). */
import { MODEL_IDS, type ModelId } from './types.js';

export class ContentError extends Error {}

export type Raw = Record<string, unknown>;

export function fail(file: string, what: string): never {
  throw new ContentError(`${file}: ${what}`);
}

export function str(raw: Raw, key: string, file: string): string {
  const v = raw[key];
  if (typeof v !== 'string' || v.trim() === '') fail(file, `"${key}" must be a non-empty string`);
  return v.trim();
}

export function optStr(raw: Raw, key: string, file: string): string | undefined {
  return raw[key] === undefined ? undefined : str(raw, key, file);
}

export function num(raw: Raw, key: string, file: string): number {
  const v = raw[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(file, `"${key}" must be a number`);
  return v;
}

export function strList(raw: Raw, key: string, file: string): string[] {
  const v = raw[key] ?? [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) fail(file, `"${key}" must be a list of strings`);
  return v as string[];
}

export function isModelId(s: string): s is ModelId {
  return (MODEL_IDS as readonly string[]).includes(s);
}

/** A model id value (from `raw[key]` or given directly), or a ContentError naming the known ids. */
export function modelIdValue(v: unknown, file: string, key = 'model'): ModelId {
  if (typeof v !== 'string' || !isModelId(v)) {
    fail(file, `"${key}": unknown model "${String(v)}" (known: ${MODEL_IDS.join(', ')})`);
  }
  return v;
}
