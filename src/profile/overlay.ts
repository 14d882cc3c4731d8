/**
 * The profile overlay: kernel functions tagged with the mental model of the part of the OS they
 * are (page faults: virtual-memory; futexes: synchronization; ...), from lessons/kernel-frames.yaml
 * (data, not code). First matching rule wins.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ContentError, LESSONS_DIR } from '../lessons/load.js';
import { isModelId } from '../lessons/fields.js';
import type { ModelId } from '../lessons/types.js';

export interface FrameRule {
  model: ModelId;
  why: string;
  patterns: RegExp[];
}

/** Parses kernel-frames.yaml text (pure); a bad model id or pattern is a ContentError. */
export function parseFrameRules(text: string, file = 'lessons/kernel-frames.yaml'): FrameRule[] {
  const doc = parseYaml(text) as { frames?: Array<{ model?: unknown; why?: unknown; match?: unknown }> };
  if (!doc || !Array.isArray(doc.frames)) throw new ContentError(`${file}: no "frames" list`);
  return doc.frames.map((r, i) => {
    if (typeof r.model !== 'string' || !isModelId(r.model))
      throw new ContentError(`${file}: rule ${i + 1}: unknown model "${String(r.model)}"`);
    if (!Array.isArray(r.match) || r.match.length === 0)
      throw new ContentError(`${file}: rule ${i + 1}: no "match" patterns`);
    const patterns = r.match.map((p) => {
      try {
        return new RegExp(`^(?:${String(p)})$`);
      } catch {
        throw new ContentError(`${file}: rule ${i + 1}: bad pattern ${JSON.stringify(p)}`);
      }
    });
    return { model: r.model, why: typeof r.why === 'string' ? r.why : '', patterns };
  });
}

let rules: FrameRule[] | undefined;

export function frameRules(): FrameRule[] {
  if (!rules) rules = parseFrameRules(readFileSync(join(LESSONS_DIR, 'kernel-frames.yaml'), 'utf8'));
  return rules;
}

/** The model a kernel function belongs to, or null when no rule says. */
export function kernelFrameModel(name: string, list: readonly FrameRule[] = frameRules()): ModelId | null {
  for (const r of list) if (r.patterns.some((p) => p.test(name))) return r.model;
  return null;
}
