/**
 * The rest of the teaching overlay, beside the models and the latency table (load.ts): the
 * classic mistakes, the quiz cards, the learning paths, each model's live steps, and the
 * glossary `oslens explain` draws on. Same rules as load.ts: validated on load, errors name the
 * file, cached.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { fail, modelIdValue, optStr, str, strList, type Raw } from './fields.js';
import { LESSONS_DIR, splitFrontMatter } from './load.js';
import type { ModelId } from './types.js';
import type { Claim, ClaimMeasure } from './claims.js';

/** One of the ten classic mistakes (lessons/mistakes/NN-<id>.md). */
export interface Mistake {
  id: string;
  number: number;
  title: string;
  /** The model it mainly illustrates. */
  model: ModelId;
  /** Every model it touches (includes `model`). */
  models: ModelId[];
  /** The id of the demo that shows it (src/demos). */
  demo: string;
  summary: string;
  body: string;
  file: string;
}

export interface QuizCard {
  id: string;
  model: ModelId;
  question: string;
  answer: string;
  /** One of the seed's ten cards. */
  seed: boolean;
  /** A demo that grounds the answer. */
  demo?: string;
  /** An oslens command that measures what the answer states. */
  measure?: string;
}

/** One screen of a lesson or path. */
export interface Step {
  title: string;
  text: string;
  /** An oslens command to run ({pid}: a sleeping process started for the lesson; {demohelper}: oslens's C demo program). */
  run?: string;
  /** A file to show ({pid} as above), optionally only some of its `Key:` lines. */
  file?: string;
  fields?: string[];
  /** Seconds before a command that runs until interrupted is stopped with SIGINT. */
  timeout?: number;
  /** What to look for in the result, in words (figures go in `claims`). */
  notice?: string;
  /** Ids of the claims (lessons/claims.yaml) about the figures the notice names, each judged against the one on screen. */
  claims?: string[];
  /** What the notice points to: strings that must appear in the step's output. */
  points?: string[];
  lesson?: ModelId;
  mistake?: string;
}

export interface LearnPath {
  id: string;
  title: string;
  summary: string;
  steps: Step[];
}

export type GlossaryKind = 'proc-file' | 'proc-field' | 'state' | 'concept';

export interface GlossaryEntry {
  names: string[];
  kind: GlossaryKind;
  model: ModelId;
  text: string;
  latencyRow?: string;
  /** The file a field lives in. */
  file?: string;
  command?: string;
}

const model = modelIdValue;

function readYaml(dir: string, name: string): Raw {
  const doc = parseYaml(readFileSync(join(dir, name), 'utf8')) as unknown;
  if (typeof doc !== 'object' || doc === null) fail(`lessons/${name}`, 'not a YAML mapping');
  return doc as Raw;
}

export function parseMistake(text: string, file: string): Mistake {
  const { meta, body } = splitFrontMatter(text, file);
  const main = model(meta.model, file);
  const models = strList(meta, 'models', file).map((m) => model(m, file, 'models'));
  if (!models.includes(main)) models.unshift(main);
  const number = meta.number;
  if (typeof number !== 'number') fail(file, '"number" must be a number');
  return {
    id: str(meta, 'id', file),
    number,
    title: str(meta, 'title', file),
    model: main,
    models,
    demo: str(meta, 'demo', file),
    summary: str(meta, 'summary', file),
    body,
    file,
  };
}

export function parseStep(raw: Raw, file: string): Step {
  const step: Step = { title: str(raw, 'title', file), text: str(raw, 'text', file) };
  const run = optStr(raw, 'run', file);
  const shown = optStr(raw, 'file', file);
  if (run && shown) fail(file, `step "${step.title}": "run" and "file" exclude each other`);
  if (run) {
    if (!run.startsWith('oslens ')) fail(file, `step "${step.title}": "run" must be an oslens command`);
    step.run = run;
  }
  if (shown) step.file = shown;
  if (raw.fields !== undefined) step.fields = strList(raw, 'fields', file);
  if (raw.timeout !== undefined) {
    if (typeof raw.timeout !== 'number' || raw.timeout <= 0) fail(file, `step "${step.title}": bad timeout`);
    step.timeout = raw.timeout;
  }
  const notice = optStr(raw, 'notice', file);
  if (notice) step.notice = notice;
  if ((run || shown) && !notice) fail(file, `step "${step.title}": a live step needs a "notice"`);
  if (raw.claims !== undefined) step.claims = strList(raw, 'claims', file);
  if (raw.points !== undefined) step.points = strList(raw, 'points', file);
  if (raw.lesson !== undefined) step.lesson = model(raw.lesson, file, 'lesson');
  const mistake = optStr(raw, 'mistake', file);
  if (mistake) step.mistake = mistake;
  return step;
}

function pair(v: unknown, where: string, key: string): [string, string] {
  if (!Array.isArray(v) || v.length !== 2 || !v.every((x) => typeof x === 'string'))
    fail(where, `"${key}" must be [NUMERATOR, DENOMINATOR]`);
  return [v[0] as string, v[1] as string];
}

export function parseClaim(raw: Raw, where: string): Claim {
  let measure: ClaimMeasure;
  if (typeof raw.bench === 'string') measure = { kind: 'bench', id: raw.bench };
  else if (raw.ratio !== undefined) {
    const [numerator, denominator] = pair(raw.ratio, where, 'ratio');
    measure = { kind: 'ratio', numerator, denominator };
  } else if (typeof raw.field === 'string') measure = { kind: 'field', name: raw.field };
  else if (raw.fieldRatio !== undefined) {
    const [numerator, denominator] = pair(raw.fieldRatio, where, 'fieldRatio');
    measure = { kind: 'field-ratio', numerator, denominator };
  } else if (typeof raw.demo === 'string') measure = { kind: 'demo', label: raw.demo };
  else fail(where, 'needs one of bench, ratio, field, fieldRatio, demo');
  const range = raw.range as unknown[];
  if (
    !Array.isArray(range) ||
    range.length !== 2 ||
    !range.every((x) => typeof x === 'number') ||
    range[0]! > range[1]!
  )
    fail(where, '"range" must be [LOW, HIGH], numbers, LOW <= HIGH');
  const why = raw.why as Raw | undefined;
  if (!why || typeof why !== 'object') fail(where, '"why" must map below, within and above to a text');
  return {
    measure,
    folklore: str(raw, 'folklore', where),
    range: [range[0] as number, range[1] as number],
    why: { below: str(why, 'below', where), within: str(why, 'within', where), above: str(why, 'above', where) },
  };
}

function steps(v: unknown, file: string): Step[] {
  if (!Array.isArray(v) || v.length === 0) fail(file, 'expected a non-empty list of steps');
  return v.map((s: Raw) => parseStep(s, file));
}

export function parseQuiz(doc: Raw, file: string): QuizCard[] {
  if (!Array.isArray(doc.cards)) fail(file, 'expected a top-level "cards" list');
  return doc.cards.map((c: Raw, i: number): QuizCard => {
    const where = `${file} card ${i + 1}`;
    const card: QuizCard = {
      id: str(c, 'id', where),
      model: model(c.model, where),
      question: str(c, 'question', where),
      answer: str(c, 'answer', where),
      seed: c.seed === true,
    };
    const demo = optStr(c, 'demo', where);
    if (demo) card.demo = demo;
    const measure = optStr(c, 'measure', where);
    if (measure) {
      if (!measure.startsWith('oslens ')) fail(where, '"measure" must be an oslens command');
      card.measure = measure;
    }
    return card;
  });
}

export function parsePaths(doc: Raw, file: string): LearnPath[] {
  if (!Array.isArray(doc.paths)) fail(file, 'expected a top-level "paths" list');
  return doc.paths.map((p: Raw, i: number) => {
    const where = `${file} path ${i + 1}`;
    return {
      id: str(p, 'id', where),
      title: str(p, 'title', where),
      summary: str(p, 'summary', where),
      steps: steps(p.steps, `${file} path ${String(p.id)}`),
    };
  });
}

export function parseLiveSteps(doc: Raw, file: string): Map<ModelId, Step[]> {
  const models = doc.models;
  if (typeof models !== 'object' || models === null) fail(file, 'expected a top-level "models" mapping');
  const out = new Map<ModelId, Step[]>();
  for (const [id, list] of Object.entries(models as Raw)) {
    out.set(model(id, file, 'models key'), steps(list, `${file} ${id}`));
  }
  return out;
}

export function parseGlossary(doc: Raw, file: string): GlossaryEntry[] {
  if (!Array.isArray(doc.entries)) fail(file, 'expected a top-level "entries" list');
  return doc.entries.map((e: Raw, i: number): GlossaryEntry => {
    const where = `${file} entry ${i + 1}`;
    const kind = str(e, 'kind', where);
    if (!['proc-file', 'proc-field', 'state', 'concept'].includes(kind)) fail(where, `unknown kind "${kind}"`);
    const names = strList(e, 'names', where);
    if (names.length === 0) fail(where, '"names" is empty');
    const entry: GlossaryEntry = {
      names,
      kind: kind as GlossaryKind,
      model: model(e.model, where),
      text: str(e, 'text', where),
    };
    for (const k of ['latencyRow', 'file', 'command'] as const) {
      const v = optStr(e, k, where);
      if (v) entry[k] = v;
    }
    return entry;
  });
}

let cache: {
  mistakes?: Mistake[];
  quiz?: QuizCard[];
  paths?: LearnPath[];
  live?: Map<ModelId, Step[]>;
  glossary?: GlossaryEntry[];
  claims?: Map<string, Claim>;
} = {};

/** Drops the caches (tests that load a different directory). */
export function resetContentCache(): void {
  cache = {};
}

export function loadMistakes(dir: string = LESSONS_DIR): Mistake[] {
  if (cache.mistakes && dir === LESSONS_DIR) return cache.mistakes;
  const mdir = join(dir, 'mistakes');
  const list = readdirSync(mdir)
    .filter((f) => /^\d\d-.+\.md$/.test(f))
    .sort()
    .map((f) => parseMistake(readFileSync(join(mdir, f), 'utf8'), join('lessons/mistakes', f)));
  if (dir === LESSONS_DIR) cache.mistakes = list;
  return list;
}

export function loadQuiz(dir: string = LESSONS_DIR): QuizCard[] {
  if (cache.quiz && dir === LESSONS_DIR) return cache.quiz;
  const cards = parseQuiz(readYaml(dir, 'quiz.yaml'), 'lessons/quiz.yaml');
  if (dir === LESSONS_DIR) cache.quiz = cards;
  return cards;
}

export function loadPaths(dir: string = LESSONS_DIR): LearnPath[] {
  if (cache.paths && dir === LESSONS_DIR) return cache.paths;
  const paths = parsePaths(readYaml(dir, 'paths.yaml'), 'lessons/paths.yaml');
  if (dir === LESSONS_DIR) cache.paths = paths;
  return paths;
}

export function loadLiveSteps(dir: string = LESSONS_DIR): Map<ModelId, Step[]> {
  if (cache.live && dir === LESSONS_DIR) return cache.live;
  const live = parseLiveSteps(readYaml(dir, 'live.yaml'), 'lessons/live.yaml');
  if (dir === LESSONS_DIR) cache.live = live;
  return live;
}

export function loadGlossary(dir: string = LESSONS_DIR): GlossaryEntry[] {
  if (cache.glossary && dir === LESSONS_DIR) return cache.glossary;
  const g = parseGlossary(readYaml(dir, 'glossary.yaml'), 'lessons/glossary.yaml');
  if (dir === LESSONS_DIR) cache.glossary = g;
  return g;
}

export function parseClaims(doc: Raw, file: string): Map<string, Claim> {
  const claims = doc.claims;
  if (typeof claims !== 'object' || claims === null) fail(file, 'expected a top-level "claims" mapping');
  const out = new Map<string, Claim>();
  for (const [id, raw] of Object.entries(claims as Raw)) out.set(id, parseClaim(raw as Raw, `${file} claim ${id}`));
  return out;
}

/** The named claims steps refer to (lessons/claims.yaml). */
export function loadClaims(dir: string = LESSONS_DIR): Map<string, Claim> {
  if (cache.claims && dir === LESSONS_DIR) return cache.claims;
  const c = parseClaims(readYaml(dir, 'claims.yaml'), 'lessons/claims.yaml');
  if (dir === LESSONS_DIR) cache.claims = c;
  return c;
}

/** A step's claims, resolved (an unknown id is a content error). */
export function stepClaims(step: Step, dir: string = LESSONS_DIR): Claim[] {
  const all = loadClaims(dir);
  return (step.claims ?? []).map((id) => {
    const c = all.get(id);
    if (!c) fail('lessons/claims.yaml', `no claim "${id}" (step "${step.title}")`);
    return c;
  });
}

export interface SyscallNote {
  /** What it does, completing "It ...". */
  does: string;
  /** The benchmark that prices it (or the work around it). */
  bench?: string;
}

let syscallNotes: Map<string, SyscallNote> | undefined;

/** lessons/syscalls.yaml: a line per syscall the lessons name, with the benchmark that prices it. */
export function loadSyscallNotes(dir: string = LESSONS_DIR): Map<string, SyscallNote> {
  if (syscallNotes && dir === LESSONS_DIR) return syscallNotes;
  const doc = readYaml(dir, 'syscalls.yaml');
  const file = 'lessons/syscalls.yaml';
  if (typeof doc.syscalls !== 'object' || doc.syscalls === null) fail(file, 'expected a top-level "syscalls" mapping');
  const out = new Map<string, SyscallNote>();
  for (const [name, raw] of Object.entries(doc.syscalls as Raw)) {
    const r = raw as Raw;
    const note: SyscallNote = { does: str(r, 'does', `${file} ${name}`) };
    const bench = optStr(r, 'bench', `${file} ${name}`);
    if (bench) note.bench = bench;
    out.set(name, note);
  }
  if (dir === LESSONS_DIR) syscallNotes = out;
  return out;
}
