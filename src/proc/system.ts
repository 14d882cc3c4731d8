/** System-wide /proc files: stat, loadavg, meminfo, vmstat, pressure/* (PSI). */
import { kbToBytes, parseKeyValueLines } from './status.js';
import { type KernelUnits, DEFAULT_UNITS } from './stat.js';
import { ParseError, decimal, uint } from './parse.js';

export interface CpuTimes {
  /** Seconds in each mode since boot. */
  user: number;
  nice: number;
  system: number;
  idle: number;
  iowait: number;
  irq: number;
  softirq: number;
  steal: number;
}

export interface SystemStat {
  cpu: CpuTimes;
  perCpu: CpuTimes[];
  /** Context switches since boot. */
  contextSwitches: number;
  /** Boot time, seconds since the epoch. */
  bootTime: number;
  /** Forks since boot. */
  processes: number;
  procsRunning: number;
  procsBlocked: number;
}

export function parseSystemStat(text: string, units: KernelUnits = DEFAULT_UNITS): SystemStat {
  const perCpu: CpuTimes[] = [];
  let cpu: CpuTimes | undefined;
  const kv: Record<string, number> = {};
  for (const line of text.split('\n')) {
    // intr and softirq: hundreds of counters nothing here keeps (splitting them was most of the cost).
    if (line.startsWith('intr ') || line.startsWith('softirq ')) continue;
    const f = line.trim().split(/\s+/);
    const key = f[0] ?? '';
    if (key.startsWith('cpu')) {
      const v = f.slice(1).map((x) => uint(x, `stat: ${key}`) / units.clockTicks);
      if (v.length < 4) throw new ParseError(`stat: ${key}: too few times`);
      const t: CpuTimes = {
        user: v[0] ?? 0,
        nice: v[1] ?? 0,
        system: v[2] ?? 0,
        idle: v[3] ?? 0,
        iowait: v[4] ?? 0,
        irq: v[5] ?? 0,
        softirq: v[6] ?? 0,
        steal: v[7] ?? 0,
      };
      if (key === 'cpu') cpu = t;
      else perCpu.push(t);
    } else if (f.length === 2) kv[key] = uint(f[1], `stat: ${key}`);
  }
  if (!cpu) throw new ParseError('stat: no cpu line');
  return {
    cpu,
    perCpu,
    contextSwitches: kv.ctxt ?? 0,
    bootTime: kv.btime ?? 0,
    processes: kv.processes ?? 0,
    procsRunning: kv.procs_running ?? 0,
    procsBlocked: kv.procs_blocked ?? 0,
  };
}

export interface LoadAverage {
  /** Average number of runnable + uninterruptible tasks over 1, 5, 15 minutes. */
  load1: number;
  load5: number;
  load15: number;
  runnable: number;
  total: number;
  lastPid: number;
}

export function parseLoadAvg(text: string): LoadAverage {
  const m = /^([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+(\d+)\/(\d+)\s+(\d+)/.exec(text.trim());
  if (!m) throw new ParseError('loadavg: unexpected format');
  return {
    load1: decimal(m[1], 'loadavg'),
    load5: decimal(m[2], 'loadavg'),
    load15: decimal(m[3], 'loadavg'),
    runnable: uint(m[4], 'loadavg'),
    total: uint(m[5], 'loadavg'),
    lastPid: uint(m[6], 'loadavg'),
  };
}

/** /proc/meminfo, every field in bytes (HugePages_* counts kept as counts). */
export function parseMeminfo(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(parseKeyValueLines(text))) out[k] = kbToBytes(v) ?? uint(v, `meminfo: ${k}`);
  return out;
}

/** /proc/vmstat: counters (pgfault, pgmajfault, pswpin...). */
export function parseVmstat(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const [k, v] = line.split(' ');
    if (k && v !== undefined) out[k] = uint(v, `vmstat: ${k}`);
  }
  return out;
}

export interface PressureLine {
  /** Percent of time stalled over 10, 60, 300 s. */
  avg10: number;
  avg60: number;
  avg300: number;
  /** Total stall time, seconds. */
  total: number;
}

export interface Pressure {
  some: PressureLine;
  full?: PressureLine;
}

/** /proc/pressure/{cpu,memory,io}. */
export function parsePressure(text: string): Pressure {
  const lines: Record<string, PressureLine> = {};
  for (const line of text.split('\n')) {
    const m = /^(some|full)\s+avg10=([\d.]+)\s+avg60=([\d.]+)\s+avg300=([\d.]+)\s+total=(\d+)/.exec(line);
    if (m?.[1]) {
      lines[m[1]] = {
        avg10: decimal(m[2], 'pressure'),
        avg60: decimal(m[3], 'pressure'),
        avg300: decimal(m[4], 'pressure'),
        total: uint(m[5], 'pressure') / 1e6,
      };
    }
  }
  if (!lines.some) throw new ParseError('pressure: no "some" line');
  return { some: lines.some, full: lines.full };
}
