/**
 * `oslens explain` knows every term the lessons, dashboards and demos use: the terms are
 * extracted from the content (backticked names in the lessons, /proc files and fields the
 * models and steps show, field names in demo labels) and each must have an entry. Syscall
 * entries must say what the call does, not one sentence for all.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { explain } from '../../src/lessons/explain.js';
import { loadLiveSteps, loadMistakes, loadPaths } from '../../src/lessons/content.js';
import { loadModels } from '../../src/lessons/load.js';

/** Sections that talk about other systems (FreeBSD, macOS) or books: not terms of this tool. */
function linuxSections(body: string): string {
  return body
    .split(/\n(?=## )/)
    .filter((s) => !/^## (Elsewhere|Read next)/.test(s))
    .join('\n');
}

function lessonTerms(): string[] {
  const terms = new Set<string>();
  const bodies = [...loadModels().map((m) => m.body), ...loadMistakes().map((m) => m.body)].map(linuxSections);
  for (const m of loadModels())
    for (const f of m.procFiles) {
      const [path, field] = f.split(':');
      terms.add(path!);
      if (field) terms.add(field);
    }
  for (const b of bodies)
    for (const m of b.matchAll(/`([^`\s]+)`/g)) {
      const t = m[1]!;
      // Paths, cgroup files (cpu.max), field names (VmRSS) and identifiers (vruntime); not commands or code.
      if (
        /^\/(proc|sys)\//.test(t) ||
        /^[a-z]+\.[a-z_]+$/.test(t) ||
        /^[A-Z][A-Za-z]+$/.test(t) ||
        /^[a-z_0-9]+$/.test(t)
      )
        terms.add(t);
    }
  const steps = [...[...loadLiveSteps().values()].flat(), ...loadPaths().flatMap((p) => p.steps)];
  for (const s of steps) {
    if (s.file) terms.add(s.file.replace('{pid}', 'PID'));
    for (const f of s.fields ?? []) terms.add(f);
  }
  return [...terms];
}

/** Field-like names in the demos' measurement labels (Shmem, nr_throttled, memory.events...). */
function demoTerms(): string[] {
  const terms = new Set<string>();
  for (const f of readdirSync('src/demos').filter((x) => x.endsWith('.ts'))) {
    const src = readFileSync(`src/demos/${f}`, 'utf8');
    for (const m of src.matchAll(/label: [`'"]([^`'"]+)[`'"]/g))
      for (const w of m[1]!.matchAll(
        /\b([A-Z][a-z]+[A-Z]\w*|[a-z]+_[a-z_]+|(?:memory|cpu)\.[a-z_]+|Shmem|Dirty|Threads)\b/g,
      ))
        if (!/^[KMG]iB$/.test(w[1]!)) terms.add(w[1]!); // units, not terms
  }
  return [...terms];
}

/** Named in the issue, or shown by the dashboards (top's panels, the lens). */
const REQUIRED = [
  'vdso',
  'cow',
  'tlb',
  'oom',
  'tmpfs',
  'psi',
  'eevdf',
  'cfs',
  'cgroup',
  'namespace',
  'page fault',
  'swap',
  'zombie',
  'thp',
  'load average',
  '/proc/PID/io',
  'wchan',
  '/proc/pressure/cpu',
  '/proc/pressure/memory',
  '/proc/pressure/io',
  '/proc/pressure/*',
  'Cached',
  'VmPeak',
  'RssAnon',
  'se.vruntime',
  'runnable',
  'blocked',
  'context switch',
  'Dirty',
  'MemAvailable',
  'minor fault',
  'major fault',
  'TASK_KILLABLE',
  'SigIgn',
  'memory.events',
  'procs_blocked',
];

describe('oslens explain knows every term', () => {
  it('named by the issue and the dashboards', () => {
    const missing = REQUIRED.filter((t) => explain(t).matches.length === 0);
    expect(missing).toEqual([]);
  });

  it('used in the lessons (models, mistakes, steps)', () => {
    const terms = lessonTerms();
    expect(terms.length).toBeGreaterThan(80);
    const missing = terms.filter((t) => explain(t).matches.length === 0);
    expect(missing).toEqual([]);
  });

  it('used in the demos', () => {
    const terms = demoTerms();
    expect(terms).toContain('nr_throttled');
    const missing = terms.filter((t) => explain(t).matches.length === 0);
    expect(missing).toEqual([]);
  });

  it('a syscall entry says what that call does and what prices it', () => {
    const read = explain('read').matches.find((e) => e.kind === 'syscall')!;
    const mmap = explain('mmap').matches.find((e) => e.kind === 'syscall')!;
    expect(read.text).toMatch(/descriptor/);
    expect(read.text).toContain('oslens bench read-4k-cached');
    expect(mmap.text).toContain('oslens bench fault-minor');
    // Every syscall a lesson names has its own line: no two share a text.
    const named = [...new Set(loadModels().flatMap((m) => m.syscalls))];
    const texts = named.map((n) => explain(n).matches.find((e) => e.kind === 'syscall')?.text);
    expect(texts.filter((t) => t === undefined)).toEqual([]);
    expect(new Set(texts).size).toBe(named.length);
  });
});
