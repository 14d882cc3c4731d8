/**
 * What every user-visible field means: its unit and, where one applies, its mental model (the
 * teaching overlay is data, not `if` statements in views).
 */
import type { ModelId } from '../lessons/types.js';

export type Unit = 'bytes' | 'seconds' | 'percent' | 'count' | 'pages' | 'pid' | 'text' | 'ratio' | 'nanoseconds';

export interface FieldInfo {
  label: string;
  unit: Unit;
  model?: ModelId;
  /** One short line: what the number says. */
  help: string;
  /** A latency-table row that explains why this is costly, when one applies. */
  latencyRow?: string;
}

export const FIELDS = {
  pid: { label: 'PID', unit: 'pid', model: 'process', help: 'process id (the thread-group id)' },
  ppid: { label: 'PPID', unit: 'pid', model: 'process', help: 'parent: who forked it and must reap it' },
  user: { label: 'USER', unit: 'text', model: 'process', help: 'real user id, as a name' },
  state: { label: 'S', unit: 'text', model: 'scheduling', help: 'scheduler state: R S D T t Z X I' },
  threads: { label: 'THR', unit: 'count', model: 'thread', help: 'threads sharing this address space' },
  cpuPercent: {
    label: 'CPU%',
    unit: 'percent',
    model: 'scheduling',
    help: 'CPU time used between two samples (100 = one full core)',
  },
  rss: {
    label: 'RSS',
    unit: 'bytes',
    model: 'virtual-memory',
    help: 'resident set: pages actually in RAM now (demand paging: less than the size)',
  },
  size: { label: 'SIZE', unit: 'bytes', model: 'virtual-memory', help: 'virtual size reserved (not RAM)' },
  pss: {
    label: 'PSS',
    unit: 'bytes',
    model: 'virtual-memory',
    help: 'proportional set: RSS with shared pages divided among their sharers',
  },
  swap: { label: 'SWAP', unit: 'bytes', model: 'virtual-memory', help: 'pages written out to swap' },
  dirty: {
    label: 'DIRTY',
    unit: 'bytes',
    model: 'page-cache',
    help: 'pages modified since loaded (must be written back or swapped before reuse)',
  },
  minflt: {
    label: 'MINFLT',
    unit: 'count',
    model: 'virtual-memory',
    help: 'minor faults: page mapped without I/O (first touch, copy-on-write)',
    latencyRow: 'minor-vs-major-fault',
  },
  majflt: {
    label: 'MAJFLT',
    unit: 'count',
    model: 'page-cache',
    help: 'major faults: the page had to be read from disk',
    latencyRow: 'major-fault',
  },
  voluntaryCtxt: {
    label: 'VCSW',
    unit: 'count',
    model: 'scheduling',
    help: 'voluntary context switches: it blocked (I/O, sleep, lock)',
    latencyRow: 'ctxsw-cross-process',
  },
  nonvoluntaryCtxt: {
    label: 'NVCSW',
    unit: 'count',
    model: 'scheduling',
    help: 'involuntary context switches: preempted at the end of its time slice',
    latencyRow: 'ctxsw-cross-process',
  },
  command: { label: 'COMMAND', unit: 'text', model: 'process', help: 'command line (or [comm] for kernel threads)' },
  wall: { label: 'wall', unit: 'seconds', help: 'elapsed real time' },
  user_time: {
    label: 'user',
    unit: 'seconds',
    model: 'scheduling',
    help: 'CPU time in user mode',
  },
  sys_time: {
    label: 'sys',
    unit: 'seconds',
    model: 'syscall-boundary',
    help: 'CPU time in the kernel on its behalf (syscalls, faults)',
    latencyRow: 'syscall',
  },
  maxRss: { label: 'max RSS', unit: 'bytes', model: 'virtual-memory', help: 'peak resident set' },
  inblock: { label: 'fs reads', unit: 'count', model: 'page-cache', help: 'block input operations (512-byte units)' },
  oublock: { label: 'fs writes', unit: 'count', model: 'page-cache', help: 'block output operations (512-byte units)' },
  present: {
    label: 'PRESENT',
    unit: 'pages',
    model: 'page-table-tlb',
    help: 'pages with a page-table entry now (pagemap bit 63)',
  },
  swapped: {
    label: 'SWAPPED',
    unit: 'pages',
    model: 'page-table-tlb',
    help: 'pages whose entry points to swap (bit 62)',
  },
} as const satisfies Record<string, FieldInfo>;

export type FieldName = keyof typeof FIELDS;

export function fieldInfo(name: FieldName): FieldInfo {
  return FIELDS[name];
}
