/**
 * The x86_64 syscall table: number, name, strace classes and mental model of every syscall.
 * Numbers and names come from the kernel header (syscall-table.generated.ts, made by
 * scripts/gen-syscalls.mjs); models from the hand-written syscall-models.ts.
 * Shared by the ptrace tracer (src/trace) and the eBPF tools (src/ebpf).
 */
import { MODEL_IDS, type ModelId } from '../lessons/types.js';
import { modelForSyscall } from './syscall-models.js';
import { SYSCALL_ROWS } from './syscall-table.generated.js';

export interface SyscallInfo {
  nr: number;
  name: string;
  /** The mental model this syscall illustrates. */
  model: ModelId;
  /** strace classes without the `%`: desc file network process signal ipc memory creds clock pure. */
  classes: string[];
}

/** The strace classes `-e trace=%CLASS` accepts (`%net` is an alias of `%network`). */
export const SYSCALL_CLASSES = [
  'desc',
  'file',
  'network',
  'process',
  'signal',
  'ipc',
  'memory',
  'creds',
  'clock',
  'pure',
] as const;
export type SyscallClass = (typeof SYSCALL_CLASSES)[number];

/** Syscalls no table or family default maps (must stay empty: a test checks it). */
export const UNMAPPED_SYSCALLS: string[] = [];

export const SYSCALLS: readonly SyscallInfo[] = SYSCALL_ROWS.map(([nr, name, classes]) => {
  let model = modelForSyscall(name);
  if (!model) {
    UNMAPPED_SYSCALLS.push(name);
    model = 'syscall-boundary';
  }
  return { nr, name, model, classes: [...classes] };
});

const BY_NR = new Map(SYSCALLS.map((s) => [s.nr, s]));
const BY_NAME = new Map(SYSCALLS.map((s) => [s.name, s]));

export function syscallByNr(nr: number): SyscallInfo | undefined {
  return BY_NR.get(nr);
}

export function syscallByName(name: string): SyscallInfo | undefined {
  return BY_NAME.get(name);
}

/** strace's name for a number it does not know: `syscall_0x1c8`. */
export function syscallName(nr: number): string {
  return BY_NR.get(nr)?.name ?? `syscall_0x${nr.toString(16)}`;
}

/**
 * strace's stat classes, by name rather than by flag (checked against strace 6.1's -e trace=):
 * `%fstat` includes newfstatat and statx, `%%stat` is all of them, `%%statfs` adds ustat.
 */
const STAT_CLASSES: Record<string, string[]> = {
  stat: ['stat'],
  lstat: ['lstat'],
  fstat: ['fstat', 'newfstatat', 'statx'],
  '%stat': ['stat', 'lstat', 'fstat', 'newfstatat', 'statx'],
  statfs: ['statfs'],
  fstatfs: ['fstatfs'],
  '%statfs': ['statfs', 'fstatfs', 'ustat'],
};

/** The syscalls of a class (`file`, `%file`, `net`, `%network`, `%%stat`...), or undefined if unknown. */
export function syscallsInClass(cls: string): SyscallInfo[] | undefined {
  let c = cls.startsWith('%') ? cls.slice(1) : cls;
  const stat = cls.startsWith('%') ? STAT_CLASSES[c] : undefined;
  if (stat) return stat.flatMap((n) => BY_NAME.get(n) ?? []);
  if (c === 'net') c = 'network';
  if (!(SYSCALL_CLASSES as readonly string[]).includes(c)) return undefined;
  return SYSCALLS.filter((s) => s.classes.includes(c));
}

/** The syscalls of a mental model, or undefined if the id is not a model. */
export function syscallsOfModel(model: string): SyscallInfo[] | undefined {
  if (!(MODEL_IDS as readonly string[]).includes(model)) return undefined;
  return SYSCALLS.filter((s) => s.model === model);
}

/**
 * Resolves an strace-style set (`open,read`, `%file`, `model:virtual-memory`, `!write`, `all`)
 * into syscall numbers. Throws an Error naming the first unknown item.
 */
export function resolveSyscallSet(spec: string): Set<number> {
  let text = spec.trim();
  let negate = false;
  if (text.startsWith('!')) {
    negate = true;
    text = text.slice(1);
  }
  const out = new Set<number>();
  for (const raw of text.split(',')) {
    const item = raw.trim();
    if (item === '') continue;
    let found: SyscallInfo[] | undefined;
    if (item === 'all') found = [...SYSCALLS];
    else if (item.startsWith('%')) found = syscallsInClass(item);
    else if (item.startsWith('model:')) found = syscallsOfModel(item.slice('model:'.length));
    else {
      const s = syscallByName(item);
      found = s ? [s] : undefined;
    }
    if (!found) {
      const what = item.startsWith('%') ? 'syscall class' : item.startsWith('model:') ? 'mental model' : 'syscall';
      throw new Error(`invalid ${what} '${item}'`);
    }
    for (const s of found) out.add(s.nr);
  }
  if (out.size === 0 && !negate) throw new Error(`empty syscall set '${spec}'`);
  if (!negate) return out;
  return new Set(SYSCALLS.filter((s) => !out.has(s.nr)).map((s) => s.nr));
}
