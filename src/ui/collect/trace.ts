/**
 * `oslens trace --live`: the tracer's records (SyscallEvent & co., from the ptrace or the eBPF
 * engine through TraceRenderer) → a log of recent lines and a per-syscall count and latency table,
 * each syscall tagged with its mental model. Pure: no drawing, no tracing here.
 */
import type { ModelId } from '../../lessons/types.js';
import { syscallByName } from '../../trace/syscalls.js';
import type { SyscallEvent, TraceRecord } from '../../trace/types.js';

export interface SyscallLiveRow {
  name: string;
  /** The syscall table's model (syscallByName(name).model), or the event's own. */
  model: ModelId | undefined;
  calls: number;
  errors: number;
  /** Calls per second over the last interval. */
  perSec: number;
  totalSeconds: number;
  avgSeconds: number;
  maxSeconds: number;
}

export interface TraceLiveModel {
  /** Most recent lines, oldest first. */
  log: string[];
  /** Busiest (by total time) first. */
  rows: SyscallLiveRow[];
  events: number;
  /** Set once every traced process has gone (how it ended). */
  ended: string | null;
}

const LOG_MAX = 500;

const clock = (epochSeconds: number) => {
  const d = new Date(epochSeconds * 1000);
  const us = Math.floor((epochSeconds % 1) * 1e6);
  return `${d.toTimeString().slice(0, 8)}.${String(us).padStart(6, '0')}`;
};

export function modelOf(name: string, fallback?: ModelId): ModelId | undefined {
  return syscallByName(name)?.model ?? fallback;
}

/** One log line, strace-like, with the model tag: `12:00:01.000123 [42] read(3, …) = 5 <0.000010> [file-io]`. */
export function eventLine(e: SyscallEvent): string {
  const args = e.args.map((a) => a.text).join(', ');
  const ret = e.ret === null ? '?' : e.errno ? `-1 ${e.errno}` : String(e.ret);
  const dur = e.duration === null ? '' : ` <${e.duration.toFixed(6)}>`;
  const model = modelOf(e.name, e.model);
  return `${clock(e.start)} [${e.tid}] ${e.name}(${args}) = ${ret}${dur}${model ? ` [${model}]` : ''}`;
}

export function recordLine(r: TraceRecord): string | null {
  switch (r.type) {
    case 'syscall':
      return eventLine(r);
    case 'exit':
      return `${clock(r.time)} [${r.tid}] +++ ${r.signal ? `killed by ${r.signal}` : `exited with ${r.code ?? 0}`} +++`;
    case 'signal':
      return `${clock(r.time)} [${r.tid}] --- ${r.signal ?? 'signal'} ---`;
    case 'exec':
      return `${clock(r.time)} [${r.tid}] exec ${r.path ?? ''}`;
    default:
      return null;
  }
}

export class TraceLiveCollector {
  private readonly log: string[] = [];
  private readonly rows = new Map<string, SyscallLiveRow>();
  private readonly interval = new Map<string, number>();
  private lastTick = performance.now() / 1000;
  events = 0;
  ended: string | null = null;

  push(r: TraceRecord): void {
    const line = recordLine(r);
    if (line !== null) {
      this.log.push(line);
      if (this.log.length > LOG_MAX) this.log.splice(0, this.log.length - LOG_MAX);
    }
    if (r.type !== 'syscall') return;
    this.events++;
    let row = this.rows.get(r.name);
    if (!row) {
      row = {
        name: r.name,
        model: modelOf(r.name, r.model),
        calls: 0,
        errors: 0,
        perSec: 0,
        totalSeconds: 0,
        avgSeconds: 0,
        maxSeconds: 0,
      };
      this.rows.set(r.name, row);
    }
    row.calls++;
    if (r.errno) row.errors++;
    const d = r.duration ?? 0;
    row.totalSeconds += d;
    row.maxSeconds = Math.max(row.maxSeconds, d);
    row.avgSeconds = row.totalSeconds / row.calls;
    this.interval.set(r.name, (this.interval.get(r.name) ?? 0) + 1);
  }

  /** The model now; per-second rates are over the time since the previous tick. */
  tick(now: number = performance.now() / 1000): TraceLiveModel {
    const dt = Math.max(1e-3, now - this.lastTick);
    this.lastTick = now;
    for (const row of this.rows.values()) row.perSec = (this.interval.get(row.name) ?? 0) / dt;
    this.interval.clear();
    const rows = [...this.rows.values()]
      .map((r) => ({ ...r }))
      .sort((a, b) => b.totalSeconds - a.totalSeconds || b.calls - a.calls || a.name.localeCompare(b.name));
    return { log: [...this.log], rows, events: this.events, ended: this.ended };
  }
}

/** Seconds → "12.3 µs" style (at most 8 characters). */
export function shortDuration(s: number): string {
  if (s <= 0) return '0';
  if (s < 1e-3) return `${(s * 1e6).toFixed(1)} µs`;
  if (s < 1) return `${(s * 1e3).toFixed(1)} ms`;
  return `${s.toFixed(2)} s`;
}

export const TRACE_HEADER = traceHeader(18);

/** The table's columns besides MODEL (which gets what is left, up to 18, or nothing). */
const FIXED_WIDTH = 62;

/** MODEL's width for a table `width` cells wide: 0 (dropped) below 6. */
export function traceModelWidth(width: number): number {
  const w = Math.min(18, width - FIXED_WIDTH - 1);
  return w >= 6 ? w : 0;
}

export function traceHeader(modelWidth: number): string {
  const model = modelWidth > 0 ? ` ${'MODEL'.padEnd(modelWidth)}` : '';
  return `SYSCALL         ${model}  CALLS    N/s  ERR      AVG      MAX    TOTAL`;
}

export function syscallRowLine(r: SyscallLiveRow, modelWidth = 18): string {
  const model = modelWidth > 0 ? ` ${(r.model ?? '-').slice(0, modelWidth).padEnd(modelWidth)}` : '';
  return (
    `${r.name.slice(0, 16).padEnd(16)}${model} ${String(r.calls).padStart(6)} ` +
    `${r.perSec.toFixed(0).padStart(6)} ${String(r.errors).padStart(4)} ${shortDuration(r.avgSeconds).padStart(8)} ` +
    `${shortDuration(r.maxSeconds).padStart(8)} ${shortDuration(r.totalSeconds).padStart(8)}`
  );
}
