/**
 * The overlay for every command: `oslens <command> --explain` prints the mental models behind
 * it, from lessons/commands.yaml and lessons/models — data, not strings in the views.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ContentError, LESSONS_DIR, findModel, isModelId } from './load.js';
import type { ModelId } from './types.js';

export interface CommandLens {
  command: string;
  shows: string;
  models: ModelId[];
}

let cache: CommandLens[] | undefined;

export function loadCommandLenses(): CommandLens[] {
  if (cache) return cache;
  const file = 'lessons/commands.yaml';
  const doc = parseYaml(readFileSync(join(LESSONS_DIR, 'commands.yaml'), 'utf8')) as {
    commands?: Record<string, { shows?: unknown; models?: unknown }>;
  };
  if (!doc?.commands) throw new ContentError(`${file}: expected a top-level "commands" mapping`);
  cache = Object.entries(doc.commands).map(([command, entry]) => {
    if (typeof entry?.shows !== 'string') throw new ContentError(`${file}: ${command}: "shows" must be a string`);
    const models = (entry.models ?? []) as unknown[];
    for (const m of models) {
      if (typeof m !== 'string' || !isModelId(m)) throw new ContentError(`${file}: ${command}: unknown model "${m}"`);
    }
    return { command, shows: entry.shows, models: models as ModelId[] };
  });
  return cache;
}

/** The text `--explain` prints: what the command shows and each model's one-line lens. */
export function explainCommand(command: string): string {
  const lens = loadCommandLenses().find((c) => c.command === command);
  if (!lens) return `oslens ${command}: no lesson content for this command yet\n`;
  const lines = [`oslens ${command} shows ${lens.shows}.`];
  for (const id of lens.models) {
    const m = findModel(id);
    lines.push(`  ${m.title}: ${m.summary}  (oslens learn ${m.id})`);
  }
  return lines.join('\n') + '\n';
}
