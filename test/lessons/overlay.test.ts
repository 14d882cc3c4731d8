/**
 * The content lint of the teaching overlay: everything lessons/ names must exist in the code.
 * Commands are checked against the real commander program (buildProgram), plus the documented
 * PLANNED_COMMANDS of parts still being built.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BENCH_IDS } from '../../src/bench/catalog.js';
import { DEMOS, DEMO_IDS } from '../../src/demos/index.js';
import {
  loadGlossary,
  loadLiveSteps,
  loadMistakes,
  loadPaths,
  loadQuiz,
  parseQuiz,
  type Step,
} from '../../src/lessons/content.js';
import { explain } from '../../src/lessons/explain.js';
import { loadModels } from '../../src/lessons/load.js';
import { PLANNED_COMMANDS, pickFields } from '../../src/lessons/steps.js';
import { closestMatches } from '../../src/lessons/text.js';
import { MODEL_IDS } from '../../src/lessons/types.js';
import { SYSCALLS, UNMAPPED_SYSCALLS, syscallByName } from '../../src/trace/syscalls.js';

// buildProgram() lives in main.ts, which runs the CLI on import; read the registered names from
// the same COMMANDS list it registers.
import { Command } from 'commander';
import { COMMANDS } from '../../src/cli/commands.js';

/** /proc files that exist only with some kernel configs. */
const OPTIONAL_PROC_FILES = ['/proc/schedstat'];

function registeredCommands(): string[] {
  const p = new Command('oslens').enablePositionalOptions();
  for (const r of COMMANDS) r(p);
  return p.commands.map((c) => c.name());
}

/** Every `oslens ...` command line written anywhere in the content. */
function allCommandLines(): Array<{ where: string; line: string }> {
  const out: Array<{ where: string; line: string }> = [];
  const scan = (where: string, text: string): void => {
    for (const m of text.matchAll(/`(oslens [^`]+)`/g)) out.push({ where, line: m[1]! });
  };
  for (const m of loadModels()) scan(m.file, m.body);
  for (const m of loadMistakes()) scan(m.file, m.body);
  const steps: Array<[string, Step]> = [
    ...loadPaths().flatMap((p) => p.steps.map((s): [string, Step] => [`paths.yaml ${p.id}`, s])),
    ...[...loadLiveSteps()].flatMap(([id, ss]) => ss.map((s): [string, Step] => [`live.yaml ${id}`, s])),
  ];
  for (const [where, s] of steps) if (s.run) out.push({ where, line: s.run });
  for (const c of loadQuiz()) if (c.measure) out.push({ where: `quiz ${c.id}`, line: c.measure });
  for (const g of loadGlossary()) if (g.command) out.push({ where: `glossary ${g.names[0]}`, line: g.command });
  return out;
}

describe('lessons overlay content', () => {
  const models = loadModels();
  const mistakes = loadMistakes();
  const cards = loadQuiz();

  it('every lesson file parses', () => {
    // The seed's ten classic mistakes, then the lecture's three scenarios (load, SIGTERM, OOM).
    expect(mistakes).toHaveLength(13);
    expect(loadPaths().map((p) => p.id)).toEqual(['day-zero', 'processes', 'memory', 'io']);
    expect([...loadLiveSteps().keys()].sort()).toEqual([...MODEL_IDS].sort());
    expect(loadGlossary().length).toBeGreaterThan(20);
  });

  it('names only commands that are registered (or documented as planned)', () => {
    const known = new Set([...registeredCommands(), ...PLANNED_COMMANDS]);
    for (const { where, line } of allCommandLines()) {
      const name = line.split(/\s+/)[1]!;
      expect(known.has(name), `${where}: "${line}" names an unknown command`).toBe(true);
    }
    // The overlay's own commands are really registered.
    for (const c of ['learn', 'explain', 'demo', 'quiz', 'bench']) expect(registeredCommands()).toContain(c);
  });

  it('names only benchmarks, demos and syscalls that exist', () => {
    for (const { where, line } of allCommandLines()) {
      const words = line.split(/\s+/);
      if (words[1] === 'bench') {
        for (const w of words.slice(2).filter((x) => !x.startsWith('-')))
          expect(BENCH_IDS, `${where}: ${line}`).toContain(w);
      }
      if (words[1] === 'demo') expect(DEMO_IDS, `${where}: ${line}`).toContain(words[2]);
      const set = /-e trace=([\w,]+)/.exec(line);
      if (set) for (const s of set[1]!.split(',')) expect(syscallByName(s), `${where}: syscall ${s}`).toBeDefined();
    }
    for (const m of models)
      for (const s of m.syscalls) expect(syscallByName(s), `${m.file}: syscall ${s}`).toBeDefined();
  });

  it('names only /proc files and fields that exist on this kernel', () => {
    const self = (f: string): string => f.replace('/proc/PID/', '/proc/self/').replace('/proc/{pid}/', '/proc/self/');
    const procRefs: string[] = [];
    for (const m of models) procRefs.push(...m.procFiles);
    for (const g of loadGlossary()) if (g.kind === 'proc-file') procRefs.push(...g.names);
    for (const ref of procRefs.filter((r) => r.startsWith('/proc/'))) {
      const [file, field] = ref.split(':');
      const path = self(file!).replace(/\/(\d+|N|TID)(\/|$)/, '/1$2');
      // Files that depend on kernel config (CONFIG_SCHEDSTATS): named in lessons, absent here.
      if (OPTIONAL_PROC_FILES.includes(file!) && !existsSync(path)) continue;
      expect(existsSync(path), ref).toBe(true);
      // Only files with a named field are read (pagemap or kcore would be huge).
      if (!field || statSync(path).isDirectory()) continue;
      expect(pickFields(readFileSync(path, 'utf8'), [field]), `${ref}`).not.toBe('');
    }
    // Fields the glossary places in a /proc file, and the fields live steps pick out.
    for (const g of loadGlossary().filter((x) => x.kind === 'proc-field' && x.file?.startsWith('/proc/'))) {
      if (g.file!.endsWith('/stat') || g.file!.endsWith('/smaps')) continue; // positional / per-region
      const text = readFileSync(self(g.file!), 'utf8');
      expect(pickFields(text, [g.names[0]!]), `${g.names[0]} in ${g.file}`).not.toBe('');
    }
    const steps = [...loadPaths().flatMap((p) => p.steps), ...[...loadLiveSteps().values()].flat()];
    for (const s of steps.filter((x) => x.file && x.fields)) {
      const text = readFileSync(self(s.file!), 'utf8');
      for (const f of s.fields!) expect(pickFields(text, [f]), `${f} in ${s.file}`).not.toBe('');
    }
  });

  it('every model has at least one demo and three quiz cards', () => {
    for (const id of MODEL_IDS) {
      expect(DEMOS.filter((d) => d.models.includes(id)).length, `${id} demos`).toBeGreaterThanOrEqual(1);
      expect(cards.filter((c) => c.model === id).length, `${id} cards`).toBeGreaterThanOrEqual(3);
    }
  });

  it('the seed ten cards are there; cards, mistakes and demos point at each other', () => {
    expect(cards.filter((c) => c.seed)).toHaveLength(10);
    expect(cards[0]!.question).toMatch(/fork\(\) of a 4 GB process/);
    expect(new Set(cards.map((c) => c.id)).size).toBe(cards.length);
    for (const c of cards) if (c.demo) expect(DEMO_IDS, c.id).toContain(c.demo);
    for (const m of mistakes) expect(DEMO_IDS, m.file).toContain(m.demo);
    for (const d of DEMOS) expect(mistakes.find((m) => m.id === d.mistake)?.demo, d.id).toBe(d.id);
  });

  it('every syscall in the syscall table maps to a model', () => {
    expect(UNMAPPED_SYSCALLS).toEqual([]);
    for (const s of SYSCALLS) expect(MODEL_IDS, s.name).toContain(s.model);
  });

  it('rejects a card with an unknown model, naming the card', () => {
    expect(() => parseQuiz({ cards: [{ id: 'x', model: 'kernel', question: 'q', answer: 'a' }] }, 'q.yaml')).toThrow(
      /q.yaml card 1/,
    );
  });
});

describe('explain index', () => {
  it('finds syscalls, /proc fields and files, states, signals, errnos, benchmarks and models', () => {
    const kind = (q: string): string[] => explain(q).matches.map((m) => m.kind);
    expect(kind('mmap')).toContain('syscall');
    expect(kind('VmRSS')).toEqual(['proc-field']);
    expect(kind('majflt')).toEqual(['proc-field']);
    expect(kind('/proc/PID/smaps')).toEqual(['proc-file']);
    expect(kind('/proc/4242/smaps')).toEqual(['proc-file']);
    expect(kind('/proc/self/status:VmRSS')).toEqual(['proc-field']);
    expect(kind('D')).toEqual(['state']);
    expect(kind('SIGSEGV')).toEqual(['signal']);
    expect(kind('segv')).toEqual(['signal']);
    expect(kind('E2BIG')).toEqual(['errno']);
    expect(kind('fork-large')).toEqual(['benchmark']);
    expect(kind('virtual-memory')).toEqual(['model']);
  });

  it('suggests the closest names for an unknown thing', () => {
    expect(explain('mmapp').closest).toContain('mmap');
    expect(explain('zzzqqqxx').matches).toEqual([]);
    expect(closestMatches('vmrs', ['VmRSS', 'VmSize', 'mmap'])).toContain('VmRSS');
  });
});
