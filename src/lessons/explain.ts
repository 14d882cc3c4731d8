/**
 * The index behind `oslens explain`: every syscall, signal and errno (from src/trace), every
 * benchmark, model, latency row, mistake and demo, and the glossary of /proc files, fields and
 * state letters (lessons/glossary.yaml). One lookup, one record type.
 */
import { BENCHMARKS } from '../bench/catalog.js';
import { DEMOS } from '../demos/index.js';
import { ERRNOS } from '../trace/errno.js';
import { SIGNALS } from '../trace/signals.js';
import { SYSCALLS } from '../trace/syscalls.js';
import { loadGlossary, loadMistakes, loadSyscallNotes } from './content.js';
import { findModel, loadLatencyTable, loadModels } from './load.js';
import { closestMatches } from './text.js';
import { loadCommandLenses } from './commands.js';
import type { ModelId } from './types.js';

export type ExplainKind =
  | 'syscall'
  | 'signal'
  | 'errno'
  | 'benchmark'
  | 'model'
  | 'latency-row'
  | 'mistake'
  | 'demo'
  | 'proc-file'
  | 'proc-field'
  | 'state'
  | 'concept'
  | 'command';

export interface Explanation {
  name: string;
  kind: ExplainKind;
  /** One line naming it (e.g. "syscall 9"). */
  heading: string;
  text: string;
  model: ModelId;
  latencyRow?: string;
  /** The oslens command that shows it live. */
  command?: string;
  /** Where a field lives. */
  file?: string;
}

/** Notes on the errnos and signals people meet most (the tables only carry the short message). */
const ERRNO_NOTES: Record<string, { model: ModelId; text: string; command?: string }> = {
  E2BIG: {
    model: 'process',
    text: 'execve: argv plus envp too large (a quarter of the stack rlimit in total, 128 KiB per string).',
    command: 'oslens demo e2big',
  },
  EMFILE: {
    model: 'file-descriptor',
    text: 'This process hit its descriptor limit (RLIMIT_NOFILE, "Max open files" in /proc/PID/limits).',
  },
  ENFILE: { model: 'file-descriptor', text: 'The whole system ran out of open-file structures (fs.file-max).' },
  ENOMEM: {
    model: 'virtual-memory',
    text: 'The kernel could not allocate memory or address space (overcommit refused, a map limit, a cgroup limit).',
  },
  EAGAIN: {
    model: 'epoll-io-uring',
    text: 'Would block: a non-blocking descriptor has nothing to read or no room to write; wait for readiness (epoll) and retry.',
  },
  EINTR: {
    model: 'process',
    text: 'A signal handler ran while the call was blocked; retry the call (or use SA_RESTART).',
  },
  EPIPE: { model: 'ipc', text: 'Write to a pipe or socket whose reader is gone; SIGPIPE is sent too unless ignored.' },
  ENOENT: {
    model: 'file-descriptor',
    text: 'A path component does not exist (also: a /proc/PID directory of a process that exited).',
  },
  EACCES: { model: 'file-descriptor', text: 'Permission bits or an LSM denied the access.' },
  EPERM: {
    model: 'namespaces-cgroups',
    text: 'The caller lacks the privilege (a capability, or the target is not its own).',
  },
  ESRCH: { model: 'process', text: 'No such process: it exited, or is not visible from this PID namespace.' },
  ECHILD: { model: 'process', text: 'wait found no child to reap.' },
  EBADF: {
    model: 'file-descriptor',
    text: 'The number is not an open descriptor in this process (or not open for that access).',
  },
  EBUSY: {
    model: 'namespaces-cgroups',
    text: 'The resource is in use (a mount point, a non-empty cgroup being removed).',
  },
  ETIMEDOUT: { model: 'ipc', text: 'The peer or the wait did not answer in time.' },
};

const SIGNAL_NOTES: Record<string, { model: ModelId; text: string; command?: string }> = {
  SIGSEGV: {
    model: 'virtual-memory',
    text: 'Access to an address with no mapping or the wrong permissions. Unhandled, it kills the whole process, every thread.',
    command: 'oslens demo thread-crash',
  },
  SIGBUS: { model: 'virtual-memory', text: 'A mapped page cannot be backed (a truncated mapped file, a full tmpfs).' },
  SIGKILL: {
    model: 'process',
    text: 'Cannot be caught, blocked or ignored. A task in a killable D wait (TASK_KILLABLE: vfork, most NFS and many lock waits) dies at once; one in a plain uninterruptible wait only when the kernel call returns.',
    command: 'oslens demo sigterm',
  },
  SIGTERM: {
    model: 'process',
    text: 'The polite request to exit. It does nothing when ignored or blocked, runs the handler when caught, and waits while the task is in D; PID 1 of a PID namespace without a handler never sees it.',
    command: 'oslens demo sigterm',
  },
  SIGCHLD: {
    model: 'process',
    text: 'A child stopped or exited; the parent should reap it with wait, or it stays a zombie.',
  },
  SIGPIPE: { model: 'ipc', text: 'Write to a pipe with no reader; kills by default (`cmd | head`).' },
  SIGSTOP: { model: 'process', text: 'Stops the process (state T) until SIGCONT; cannot be caught.' },
  SIGINT: { model: 'process', text: 'Ctrl-C from the terminal.' },
  SIGABRT: { model: 'process', text: 'abort(): an assertion or a detected corruption.' },
  SIGXCPU: { model: 'namespaces-cgroups', text: 'RLIMIT_CPU exceeded.' },
};

function modelSummary(id: ModelId): string {
  return findModel(id).summary;
}

let index: Explanation[] | undefined;

export function explanationIndex(): Explanation[] {
  if (index) return index;
  const out: Explanation[] = [];
  const demoOf = new Map(loadMistakes().map((m) => [m.demo, m]));
  for (const m of loadModels()) {
    out.push({
      name: m.id,
      kind: 'model',
      heading: `mental model ${m.number}: ${m.title} (${m.level})`,
      text: m.summary,
      model: m.id,
      command: `oslens learn ${m.id}`,
    });
  }
  for (const b of BENCHMARKS) {
    out.push({
      name: b.id,
      kind: 'benchmark',
      heading: `benchmark: ${b.title} (per ${b.op})`,
      text: b.method,
      model: b.model,
      latencyRow: b.row,
      command: `oslens bench ${b.id}`,
    });
  }
  for (const r of loadLatencyTable()) {
    out.push({
      name: r.id,
      kind: 'latency-row',
      heading: `latency table: ${r.title} ${r.display}`,
      text: r.note,
      model: r.model,
      latencyRow: r.id,
      command: `oslens bench --list`,
    });
  }
  const notes = loadSyscallNotes();
  const benchById = new Map(BENCHMARKS.map((b) => [b.id, b]));
  for (const s of SYSCALLS) {
    const note = notes.get(s.name);
    const bench = note?.bench ? benchById.get(note.bench) : undefined;
    const cost = bench
      ? ` Its cost: \`oslens bench ${bench.id}\` (${bench.title}, per ${bench.op}).`
      : ' No benchmark times it alone; an empty syscall (`oslens bench syscall-getpid`) is its floor.';
    const does = note
      ? `It ${note.does}.`
      : `One of the calls of the ${findModel(s.model).title} model (${modelSummary(s.model)})`;
    out.push({
      name: s.name,
      kind: 'syscall',
      heading: `syscall ${s.nr} (x86_64)${s.classes.length ? `, strace classes: ${s.classes.map((c) => `%${c}`).join(' ')}` : ''}`,
      text: `${does}${cost} See man 2 ${s.name}.`,
      model: s.model,
      latencyRow: bench?.row ?? 'syscall',
      command: `oslens trace -e trace=${s.name} -- CMD`,
    });
  }
  for (const s of SIGNALS) {
    const note = SIGNAL_NOTES[s.name];
    out.push({
      name: s.name,
      kind: 'signal',
      heading: `signal ${s.nr}${s.alias ? ` (${s.alias})` : ''}: ${s.description}`,
      text: note?.text ?? 'An asynchronous notification delivered to a process or thread.',
      model: note?.model ?? 'process',
      command: note?.command ?? 'oslens snoop signal',
    });
  }
  for (const e of ERRNOS) {
    const note = ERRNO_NOTES[e.name];
    out.push({
      name: e.name,
      kind: 'errno',
      heading: `errno ${e.nr}: ${e.message}`,
      text: note?.text ?? `A syscall failed and returned -${e.nr}; libc puts ${e.nr} in errno and returns -1.`,
      model: note?.model ?? 'syscall-boundary',
      command: note?.command ?? 'oslens trace -- CMD',
    });
  }
  for (const m of loadMistakes()) {
    out.push({
      name: m.id,
      kind: 'mistake',
      heading: `classic mistake ${m.number}: ${m.title}`,
      text: m.summary,
      model: m.model,
      command: `oslens demo ${m.demo}`,
    });
  }
  for (const d of DEMOS) {
    out.push({
      name: d.id,
      kind: 'demo',
      heading: `demo: ${d.title}${demoOf.get(d.id) ? ` (mistake: ${demoOf.get(d.id)!.id})` : ''}`,
      text: d.claim,
      model: d.models[0]!,
      command: `oslens demo ${d.id}`,
    });
  }
  for (const c of loadCommandLenses()) {
    out.push({
      name: c.command,
      kind: 'command',
      heading: `oslens command: oslens ${c.command}`,
      text: `Shows ${c.shows}.`,
      model: c.models[0] ?? 'process',
      command: `oslens ${c.command} --help`,
    });
  }
  for (const g of loadGlossary()) {
    for (const name of g.names) {
      const heading =
        g.kind === 'state'
          ? `process state letter ${name}`
          : g.kind === 'proc-file'
            ? `file ${name}`
            : g.kind === 'concept'
              ? `concept: ${g.names.join(', ')}`
              : `field ${name}${g.file ? ` in ${g.file}` : ''}`;
      const e: Explanation = { name, kind: g.kind, heading, text: g.text, model: g.model };
      if (g.latencyRow) e.latencyRow = g.latencyRow;
      if (g.command) e.command = g.command;
      if (g.file) e.file = g.file;
      out.push(e);
    }
  }
  index = out;
  return out;
}

/** `/proc/1234/smaps`, `/proc/self/smaps` → `/proc/PID/smaps`; `/proc/PID/status:VmRSS` → `VmRSS`. */
export function normalizeQuery(q: string): string {
  let s = q.trim().replace(/^\/proc\/(\d+|self|thread-self)\//, '/proc/PID/');
  const field = /^\/proc\/PID\/[a-z_]+:(.+)$/.exec(s);
  if (field) s = field[1]!;
  return s;
}

export interface ExplainResult {
  query: string;
  matches: Explanation[];
  closest: string[];
}

export function explain(query: string): ExplainResult {
  const q = normalizeQuery(query);
  const all = explanationIndex();
  // State letters are case-sensitive (T and t differ); everything else is not.
  let matches = all.filter((e) => e.name === q);
  if (matches.length === 0 && q.length > 1) {
    const lower = q.toLowerCase();
    matches = all.filter((e) => e.kind !== 'state' && e.name.toLowerCase() === lower);
    if (matches.length === 0 && !lower.startsWith('sig'))
      matches = all.filter((e) => e.kind === 'signal' && e.name === `SIG${q.toUpperCase()}`);
  }
  const closest = matches.length ? [] : closestMatches(q, [...new Set(all.map((e) => e.name))], 6);
  return { query, matches, closest };
}
