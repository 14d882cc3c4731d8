/**
 * `proc`: per-process counters straight from /proc/PID/stat and status (src/proc readers). Label
 * cardinality is bounded: the N processes most active since the previous scrape (CPU time,
 * faults, switches) keep their own series; the rest are summed under comm="other", pid="".
 */
import { readProcessStat, readProcessStatus } from '../../proc/process.js';
import { listPids } from '../../proc/read.js';
import { UserError } from '../../util/errors.js';
import type { MetricFamily, Sample } from '../format.js';
import type { Collector } from './types.js';

interface ProcRecord {
  pid: number;
  comm: string;
  startTime: number;
  cpuSeconds: number;
  rss: number;
  minflt: number;
  majflt: number;
  voluntary: number;
  involuntary: number;
}

function readRecord(pid: number): ProcRecord | undefined {
  try {
    const st = readProcessStat(pid);
    const status = readProcessStatus(pid);
    return {
      pid,
      comm: st.comm,
      startTime: st.startTime,
      cpuSeconds: st.utime + st.stime,
      rss: st.rss,
      minflt: st.minflt,
      majflt: st.majflt,
      voluntary: status.voluntaryCtxt,
      involuntary: status.nonvoluntaryCtxt,
    };
  } catch (err) {
    // Exited between listing and reading: not in this scrape.
    if (err instanceof UserError) return undefined;
    throw err;
  }
}

const activity = (r: ProcRecord) => r.cpuSeconds * 1000 + r.minflt + r.majflt + r.voluntary + r.involuntary;
const key = (r: ProcRecord) => `${r.pid}:${r.startTime}`;

export class ProcCollector implements Collector {
  readonly name = 'proc';
  readonly disabled = null;
  private previous = new Map<string, number>();

  constructor(private readonly top: number) {}

  collect(): MetricFamily[] {
    const records: ProcRecord[] = [];
    for (const pid of listPids()) {
      const r = readRecord(pid);
      if (r) records.push(r);
    }
    // Activity since the previous scrape (a process new since then: since its start).
    const now = new Map(records.map((r) => [key(r), activity(r)]));
    const before = this.previous;
    const delta = (r: ProcRecord) => (now.get(key(r)) ?? 0) - (before.get(key(r)) ?? 0);
    this.previous = now;
    records.sort((a, b) => delta(b) - delta(a) || a.pid - b.pid);
    const kept = records.slice(0, this.top);
    const other = records.slice(this.top);
    const rows = kept.map((r) => ({ labels: { pid: String(r.pid), comm: r.comm }, r }));
    if (other.length > 0) {
      const sum = (f: (r: ProcRecord) => number) => other.reduce((s, r) => s + f(r), 0);
      rows.push({
        labels: { pid: '', comm: 'other' },
        r: {
          pid: 0,
          comm: 'other',
          startTime: 0,
          cpuSeconds: sum((r) => r.cpuSeconds),
          rss: sum((r) => r.rss),
          minflt: sum((r) => r.minflt),
          majflt: sum((r) => r.majflt),
          voluntary: sum((r) => r.voluntary),
          involuntary: sum((r) => r.involuntary),
        },
      });
    }
    const samples = (f: (r: ProcRecord) => number): Sample[] => rows.map(({ labels, r }) => ({ labels, value: f(r) }));
    const family = (
      name: string,
      type: 'counter' | 'gauge',
      help: string,
      f: (r: ProcRecord) => number,
      unit?: string,
    ) => ({
      name,
      type,
      help,
      unit,
      samples: samples(f),
    });
    return [
      family(
        'oslens_process_cpu_seconds',
        'counter',
        'CPU time (user+system) of the process (model: process, scheduling); "other" sums the processes outside the top N',
        (r) => Math.round(r.cpuSeconds * 1000) / 1000,
        'seconds',
      ),
      family(
        'oslens_process_resident_memory_bytes',
        'gauge',
        'Resident set: pages of the process in RAM now (model: virtual-memory)',
        (r) => r.rss,
        'bytes',
      ),
      family(
        'oslens_process_minor_faults',
        'counter',
        'Minor page faults: a page mapped without I/O (model: virtual-memory)',
        (r) => r.minflt,
      ),
      family(
        'oslens_process_major_faults',
        'counter',
        'Major page faults: the process waited for I/O to bring a page in (model: virtual-memory, page-cache)',
        (r) => r.majflt,
      ),
      family(
        'oslens_process_voluntary_context_switches',
        'counter',
        'Voluntary context switches: the process blocked and gave up the CPU (model: scheduling)',
        (r) => r.voluntary,
      ),
      family(
        'oslens_process_involuntary_context_switches',
        'counter',
        'Involuntary context switches: the scheduler preempted the process (model: scheduling)',
        (r) => r.involuntary,
      ),
      {
        name: 'oslens_processes_tracked',
        type: 'gauge',
        help: 'Processes read from /proc in this scrape (model: process); those outside the top N are summed as "other"',
        samples: [{ labels: {}, value: records.length }],
      },
    ];
  }

  close(): void {}
}
