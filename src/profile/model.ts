/**
 * A CPU profile as records: sampled stacks with their counts, each frame named (or `[unknown]`
 * with its module) and kernel frames tagged with their mental model; and what is derived from
 * it, pure: the top functions (self and total share) and Brendan Gregg's folded stacks.
 */
import type { ModelId } from '../lessons/types.js';
import { frameLabel } from '../symbols/index.js';

export type FrameKind = 'user' | 'kernel' | 'jit';

export interface ProfileFrame {
  /** The function; null when no symbol covers the address (shown as `[unknown]`). */
  name: string | null;
  /** The file (as the process names it), `[vdso]`, `[jit]`, `[kernel]`, a kernel module, `[unknown]`. */
  module: string;
  kind: FrameKind;
  /** The sampled address (hex: kernel addresses are 64-bit). */
  address: string;
  /** Kernel frames: the part of the OS (lessons/kernel-frames.yaml), or null. */
  model: ModelId | null;
  buildId: string | null;
  /** User frames: the mapping the address is in (pprof's Mapping). */
  mapping: { start: number; end: number; offset: number } | null;
}

export interface ProfileStack {
  pid: number;
  comm: string;
  /** Root first, leaf (where the CPU was) last: user frames, then kernel frames. */
  frames: ProfileFrame[];
  samples: number;
}

export interface Profile {
  hz: number;
  /** Seconds sampled. */
  durationSeconds: number;
  /** 'user', 'kernel' or both. */
  stacks: ProfileStack[];
  mode: 'user' | 'kernel' | 'both';
  /** Samples counted in kernel (including those whose stacks were lost). */
  samples: number;
  /** Samples not kept whole: their stack could not be stored, or no counter had room. */
  lost: { userStacks: number; kernelStacks: number; samples: number };
  /** Modules that had samples but no symbols at all (stripped, no debug file found). */
  modulesWithoutSymbols: string[];
  /** Processes that exited during the profile (their stacks were resolved from what was kept). */
  exited: number[];
}

/** How a frame is shown: the function, or `[unknown] (file name of the module)`. */
export function frameName(f: Pick<ProfileFrame, 'name' | 'module'>): string {
  return frameLabel(f);
}

export interface TopFunction {
  name: string;
  module: string;
  kind: FrameKind;
  model: ModelId | null;
  /** Samples where it was the leaf (the CPU was in it). */
  self: number;
  /** Samples where it was anywhere on the stack (counted once per stack). */
  total: number;
  selfPercent: number;
  totalPercent: number;
}

const fnKey = (f: ProfileFrame) => `${f.kind}\0${f.module}\0${frameName(f)}`;

/** Functions by self samples (then total), with their share of all sampled stacks. */
export function topFunctions(stacks: readonly ProfileStack[]): TopFunction[] {
  const all = stacks.reduce((n, s) => n + s.samples, 0);
  const rows = new Map<string, TopFunction>();
  const row = (f: ProfileFrame) => {
    const key = fnKey(f);
    let r = rows.get(key);
    if (!r) {
      r = {
        name: frameName(f),
        module: f.module,
        kind: f.kind,
        model: f.model,
        self: 0,
        total: 0,
        selfPercent: 0,
        totalPercent: 0,
      };
      rows.set(key, r);
    }
    return r;
  };
  for (const s of stacks) {
    const seen = new Set<string>();
    for (const f of s.frames) {
      const key = fnKey(f);
      if (seen.has(key)) continue; // recursion counts once
      seen.add(key);
      row(f).total += s.samples;
    }
    const leaf = s.frames[s.frames.length - 1];
    if (leaf) row(leaf).self += s.samples;
  }
  const pct = (n: number) => (all === 0 ? 0 : Math.round((n / all) * 10000) / 100);
  const out = [...rows.values()];
  for (const r of out) {
    r.selfPercent = pct(r.self);
    r.totalPercent = pct(r.total);
  }
  return out.sort((a, b) => b.self - a.self || b.total - a.total || a.name.localeCompare(b.name));
}

/**
 * A name as one folded-stack element: `;` separates frames and a line ends at a newline, so both
 * become other characters; control characters are escaped (the text may reach a terminal).
 */
export function foldedElement(name: string): string {
  return (
    name
      .replace(/;/g, ':')
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
  );
}

/** Folded stacks: `comm;root;...;leaf count`, one line per distinct stack, sorted. */
export function foldedStacks(stacks: readonly ProfileStack[]): string {
  const lines = new Map<string, number>();
  for (const s of stacks) {
    const key = [s.comm, ...s.frames.map(frameName)].map(foldedElement).join(';');
    lines.set(key, (lines.get(key) ?? 0) + s.samples);
  }
  return [...lines]
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([k, n]) => `${k} ${n}\n`)
    .join('');
}
