/**
 * System panel view models for `oslens top`: per-core CPU split, run queue, switch / interrupt /
 * fault rates, memory, PSI. Samples come from src/proc's parsers; rates are two samples apart.
 */
import type { OpenProcFiles } from '../../proc/open-files.js';
import { readSystemText } from '../../proc/read.js';
import {
  parseLoadAvg,
  parseMeminfo,
  parsePressure,
  parseSystemStat,
  parseVmstat,
  type CpuTimes,
  type LoadAverage,
  type Pressure,
  type SystemStat,
} from '../../proc/system.js';
import type { KernelUnits } from '../../proc/stat.js';

export interface SystemSample {
  /** Monotonic seconds when taken. */
  t: number;
  stat: SystemStat;
  /** Interrupts since boot (/proc/stat "intr" total). */
  interrupts: number;
  vmstat: Record<string, number>;
  meminfo: Record<string, number>;
  load: LoadAverage | null;
  pressure: { cpu: Pressure | null; memory: Pressure | null; io: Pressure | null };
}

/** Percent of one CPU's time over the interval. */
export interface CpuSplit {
  user: number;
  system: number;
  iowait: number;
  /** irq + softirq + steal. */
  other: number;
  busy: number;
}

export interface MemoryView {
  total: number;
  /** total - free - page cache - buffers - reclaimable slab (what free(1) calls used). */
  used: number;
  available: number;
  pageCache: number;
  dirty: number;
  swapTotal: number;
  swapUsed: number;
}

export interface SystemView {
  intervalSeconds: number;
  cpus: CpuSplit[];
  total: CpuSplit;
  load: LoadAverage | null;
  /**
   * Tasks runnable right now (procs_running), and processes in D. /proc/stat's procs_blocked
   * counts only tasks in I/O wait, so the collector (top.ts) sets `blocked` from its process
   * scan: the D tasks the load average counts (vfork parents, lock waits, NFS...).
   */
  runQueue: number;
  blocked: number;
  contextSwitchesPerSec: number;
  interruptsPerSec: number;
  minorFaultsPerSec: number;
  majorFaultsPerSec: number;
  memory: MemoryView;
  /** PSI "some" avg10, percent; null when the kernel has no /proc/pressure. */
  pressure: { cpu: number | null; memory: number | null; io: number | null } | null;
}

/** /proc/stat's "intr" line: its first number is every interrupt since boot. */
// TODO(src/proc): parseSystemStat should expose the intr total; then drop this.
export function parseInterruptTotal(statText: string): number {
  const m = /^intr (\d+)/m.exec(statText);
  return m ? Number(m[1]) : 0;
}

/** What systemView reads of /proc/vmstat and /proc/meminfo. */
const VMSTAT_KEYS = ['pgfault', 'pgmajfault'];
const MEMINFO_KEYS = [
  'MemTotal',
  'MemFree',
  'MemAvailable',
  'Buffers',
  'Cached',
  'SReclaimable',
  'Dirty',
  'SwapTotal',
  'SwapFree',
];

/**
 * `keys` of a "key value" (vmstat, sep ' ') or "Key: value kB" (meminfo, sep ':') file, found by
 * search instead of parsing every line; "kB" values in bytes, like parseMeminfo. Absent keys are
 * left out.
 */
export function pickCounters(text: string, keys: readonly string[], sep: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of keys) {
    const head = key + sep;
    let i = text.startsWith(head) ? 0 : text.indexOf('\n' + head);
    if (i < 0) continue;
    i += (i === 0 && text.startsWith(head) ? 0 : 1) + head.length;
    while (text.charCodeAt(i) === 0x20) i++;
    let x = 0;
    let digits = 0;
    for (let c = text.charCodeAt(i); c >= 48 && c <= 57; c = text.charCodeAt(++i), digits++) x = x * 10 + (c - 48);
    if (digits === 0) continue;
    out[key] = text.startsWith(' kB', i) ? x * 1024 : x;
  }
  return out;
}

function tryParse<T>(text: string | undefined, parse: (t: string) => T): T | null {
  if (text === undefined) return null;
  try {
    return parse(text);
  } catch {
    return null;
  }
}

const SYSTEM_FILES = ['stat', 'vmstat', 'meminfo', 'loadavg', 'pressure/cpu', 'pressure/memory', 'pressure/io'];

/**
 * Reads the system files once (stat, vmstat, meminfo, loadavg, pressure/*). With `files`
 * (top's per-tick path) they are kept open and re-read in place, all in one batch.
 */
export function sampleSystem(
  units: KernelUnits,
  now: number = performance.now() / 1000,
  files?: OpenProcFiles,
): SystemSample {
  let read = readSystemText;
  if (files) {
    const batch = files.readAll(
      SYSTEM_FILES.map((f) => `/proc/${f}`),
      64 * 1024,
    );
    read = (f: string) => {
      const i = SYSTEM_FILES.indexOf(f);
      const n = batch.len(i);
      return n > 0 ? batch.buf(i).toString('latin1', batch.start(i), batch.start(i) + n) : undefined;
    };
  }
  const statText = read('stat') ?? '';
  const vmstat = read('vmstat') ?? '';
  const meminfo = read('meminfo') ?? '';
  return {
    t: now,
    stat: parseSystemStat(statText, units),
    interrupts: parseInterruptTotal(statText),
    // The per-tick path picks the counters the view uses instead of parsing ~300 lines.
    vmstat: files ? pickCounters(vmstat, VMSTAT_KEYS, ' ') : parseVmstat(vmstat),
    meminfo: files ? pickCounters(meminfo, MEMINFO_KEYS, ':') : parseMeminfo(meminfo),
    load: tryParse(read('loadavg'), parseLoadAvg),
    pressure: {
      cpu: tryParse(read('pressure/cpu'), parsePressure),
      memory: tryParse(read('pressure/memory'), parsePressure),
      io: tryParse(read('pressure/io'), parsePressure),
    },
  };
}

export function cpuSplit(a: CpuTimes, b: CpuTimes): CpuSplit {
  const d = (k: keyof CpuTimes) => Math.max(0, b[k] - a[k]);
  const user = d('user') + d('nice');
  const system = d('system');
  const iowait = d('iowait');
  const other = d('irq') + d('softirq') + d('steal');
  const total = user + system + iowait + other + d('idle');
  if (total <= 0) return { user: 0, system: 0, iowait: 0, other: 0, busy: 0 };
  const pct = (x: number) => (x / total) * 100;
  return {
    user: pct(user),
    system: pct(system),
    iowait: pct(iowait),
    other: pct(other),
    busy: pct(user + system + other),
  };
}

export function memoryView(m: Record<string, number>): MemoryView {
  const v = (k: string) => m[k] ?? 0;
  const pageCache = v('Cached') + v('Buffers') + v('SReclaimable');
  return {
    total: v('MemTotal'),
    used: Math.max(0, v('MemTotal') - v('MemFree') - pageCache),
    available: v('MemAvailable'),
    pageCache,
    dirty: v('Dirty'),
    swapTotal: v('SwapTotal'),
    swapUsed: Math.max(0, v('SwapTotal') - v('SwapFree')),
  };
}

export function systemView(prev: SystemSample, cur: SystemSample): SystemView {
  const dt = Math.max(1e-3, cur.t - prev.t);
  const rate = (a: number, b: number) => Math.max(0, (b - a) / dt);
  const pgfault = rate(prev.vmstat.pgfault ?? 0, cur.vmstat.pgfault ?? 0);
  const pgmaj = rate(prev.vmstat.pgmajfault ?? 0, cur.vmstat.pgmajfault ?? 0);
  const p = cur.pressure;
  const hasPsi = p.cpu !== null || p.memory !== null || p.io !== null;
  return {
    intervalSeconds: dt,
    cpus: cur.stat.perCpu.map((c, i) => cpuSplit(prev.stat.perCpu[i] ?? c, c)),
    total: cpuSplit(prev.stat.cpu, cur.stat.cpu),
    load: cur.load,
    runQueue: cur.stat.procsRunning,
    blocked: cur.stat.procsBlocked,
    contextSwitchesPerSec: rate(prev.stat.contextSwitches, cur.stat.contextSwitches),
    interruptsPerSec: rate(prev.interrupts, cur.interrupts),
    // vmstat's pgfault counts every fault, major ones included.
    minorFaultsPerSec: Math.max(0, pgfault - pgmaj),
    majorFaultsPerSec: pgmaj,
    memory: memoryView(cur.meminfo),
    pressure: hasPsi
      ? { cpu: p.cpu?.some.avg10 ?? null, memory: p.memory?.some.avg10 ?? null, io: p.io?.some.avg10 ?? null }
      : null,
  };
}
