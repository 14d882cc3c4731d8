/**
 * `proc`: per-process counters from /proc/PID/stat (CPU time, RSS, faults) and status (context
 * switches). Label cardinality is bounded: the N processes most active since the previous scrape
 * (CPU time, faults, switches) keep their own series; the rest are summed under comm="other", pid="".
 *
 * Cost matters (a scrape every few seconds on every host): the files stay open and are re-read
 * in one native call per kind (OpenProcFiles.readAll), parsed from the bytes, and each process's
 * record (with its label set, whose encoding the encoder caches) lives from scrape to scrape.
 * status, which the kernel builds at several times the cost of stat, is read only for a process
 * whose main thread ran since its status was last read: its schedstat (ns on CPU, times switched
 * in) moved. The switch counts of status are the main thread's, like schedstat, so a thread that
 * did not run cannot have switched.
 */
import { existsSync, readdirSync } from 'node:fs';
import { OpenProcFiles, parseStatBytes, schedstatField } from '../../proc/open-files.js';
import { kernelUnits } from '../../proc/process.js';
import type { MetricFamily, Sample } from '../format.js';
import type { Collector } from './types.js';

/** The figures of one series (a process, or the sum of those outside the top N). */
interface Figures {
  cpuSeconds: number;
  rss: number;
  minflt: number;
  majflt: number;
  voluntary: number;
  involuntary: number;
}

interface ProcRecord extends Figures {
  pid: number;
  startTime: number;
  comm: string;
  /** The label set of this process's series: one object for its life (the encoder caches by it). */
  labels: Record<string, string>;
  statPath: string;
  schedPath: string;
  statusPath: string;
  /** schedstat (ns on CPU, switches in) read just before status was last read; -1: never. */
  runNs: number;
  timeslices: number;
  /** Activity at the previous scrape (0 for a process new in this one: its activity since start). */
  before: number;
  delta: number;
  /** The scrape it was last seen in. */
  seen: number;
}

const HAS_SCHEDSTAT = existsSync('/proc/self/schedstat');
const VOLUNTARY = Buffer.from('\nvoluntary_ctxt_switches:');
const INVOLUNTARY = Buffer.from('\nnonvoluntary_ctxt_switches:');
/** Slot sizes of the batch reads: status is ~1.4 kB (longer ones are read whole). */
const STAT_SLOT = 1024;
const SCHED_SLOT = 128;
const STATUS_SLOT = 4096;
const OTHER_LABELS = { pid: '', comm: 'other' };

/** The number after `key` in buf[start, end) (status's "key:\tN" lines); -1 when absent. */
function numberAfter(buf: Buffer, key: Buffer, start: number, end: number): number {
  const at = buf.indexOf(key, start);
  if (at < 0 || at + key.length >= end) return -1;
  let i = at + key.length;
  while (i < end && (buf[i] === 0x09 || buf[i] === 0x20)) i++;
  let x = 0;
  const first = i;
  for (; i < end; i++) {
    const c = buf[i] as number;
    if (c < 48 || c > 57) break;
    x = x * 10 + (c - 48);
  }
  return i === first ? -1 : x;
}

const activity = (r: ProcRecord) => r.cpuSeconds * 1000 + r.minflt + r.majflt + r.voluntary + r.involuntary;

function isPidName(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return name.length > 0;
}

export class ProcCollector implements Collector {
  readonly name = 'proc';
  readonly disabled = null;
  private readonly records = new Map<number, ProcRecord>();
  private readonly files = new OpenProcFiles();
  private scrape = 0;

  constructor(private readonly top: number) {}

  /** Records of this scrape (processes that vanished are dropped, their files closed). */
  private read(): ProcRecord[] {
    const scrape = ++this.scrape;
    const units = kernelUnits();
    const pids: number[] = [];
    for (const name of readdirSync('/proc')) if (isPidName(name)) pids.push(Number(name));
    const listed: ProcRecord[] = [];
    for (const pid of pids) {
      let r = this.records.get(pid);
      if (!r) {
        r = {
          pid,
          startTime: -1,
          comm: '',
          labels: OTHER_LABELS,
          statPath: `/proc/${pid}/stat`,
          schedPath: `/proc/${pid}/schedstat`,
          statusPath: `/proc/${pid}/status`,
          cpuSeconds: 0,
          rss: 0,
          minflt: 0,
          majflt: 0,
          voluntary: 0,
          involuntary: 0,
          runNs: -1,
          timeslices: -1,
          before: 0,
          delta: 0,
          seen: 0,
        };
        this.records.set(pid, r);
      }
      listed.push(r);
    }
    // schedstat first: what it says before status is read bounds what status can show. Parsed
    // now: a batch's bytes are only valid until the next readAll (the stat batch reuses them).
    const sched = HAS_SCHEDSTAT
      ? this.files.readAll(
          listed.map((r) => r.schedPath),
          SCHED_SLOT,
        )
      : null;
    const runNsOf = new Float64Array(listed.length).fill(-1);
    const timeslicesOf = new Float64Array(listed.length).fill(-1);
    for (let i = 0; sched && i < listed.length; i++) {
      const m = sched.len(i);
      if (m <= 0) continue;
      runNsOf[i] = schedstatField(sched.buf(i), m, 0, sched.start(i));
      timeslicesOf[i] = schedstatField(sched.buf(i), m, 2, sched.start(i));
    }
    const stats = this.files.readAll(
      listed.map((r) => r.statPath),
      STAT_SLOT,
    );
    const live: ProcRecord[] = [];
    const needStatus: { r: ProcRecord; runNs: number; timeslices: number }[] = [];
    for (let i = 0; i < listed.length; i++) {
      const r = listed[i] as ProcRecord;
      const n = stats.len(i);
      const st = n > 0 ? parseStatBytes(stats.buf(i), n, units, stats.start(i)) : null;
      if (!st) continue; // exited between the listing and the read
      if (st.startTime !== r.startTime || st.comm !== r.comm) {
        // New, a reused pid, or a new name (exec, prctl): a new series.
        if (st.startTime !== r.startTime) {
          r.before = 0;
          r.runNs = -1;
          r.voluntary = r.involuntary = 0;
        }
        r.startTime = st.startTime;
        r.comm = st.comm;
        r.labels = { pid: String(r.pid), comm: st.comm };
      }
      r.cpuSeconds = st.cpuSeconds;
      r.rss = st.rss;
      r.minflt = st.minflt;
      r.majflt = st.majflt;
      const runNs = runNsOf[i]!;
      const timeslices = timeslicesOf[i]!;
      // runNs 0: a kernel that does not keep schedstat (no schedstats, no delay accounting).
      if (runNs <= 0 || runNs !== r.runNs || timeslices !== r.timeslices) needStatus.push({ r, runNs, timeslices });
      r.seen = scrape;
      live.push(r);
    }
    const status = this.files.readAll(
      needStatus.map((x) => x.r.statusPath),
      STATUS_SLOT,
    );
    for (let i = 0; i < needStatus.length; i++) {
      const { r, runNs, timeslices } = needStatus[i]!;
      const n = status.len(i);
      if (n <= 0) continue; // gone meanwhile: its last figures stand for this scrape
      const buf = status.buf(i);
      const at = status.start(i);
      const vol = numberAfter(buf, VOLUNTARY, at, at + n);
      const invol = numberAfter(buf, INVOLUNTARY, at, at + n);
      if (vol >= 0) r.voluntary = vol;
      if (invol >= 0) r.involuntary = invol;
      r.runNs = runNs;
      r.timeslices = timeslices;
    }
    // Processes gone: forget them and close their files (memory stays flat under churn).
    for (const [pid, r] of this.records) {
      if (r.seen === scrape) continue;
      this.records.delete(pid);
      this.files.forget(r.statPath);
      this.files.forget(r.schedPath);
      this.files.forget(r.statusPath);
    }
    for (const r of live) {
      const a = activity(r);
      r.delta = a - r.before;
      r.before = a;
    }
    return live;
  }

  collect(): MetricFamily[] {
    const records = this.read();
    records.sort((a, b) => b.delta - a.delta || a.pid - b.pid);
    const kept = records.length > this.top ? records.slice(0, this.top) : records;
    const rows: { labels: Record<string, string>; r: Figures }[] = kept.map((r) => ({ labels: r.labels, r }));
    if (records.length > this.top) {
      const other: Figures = { cpuSeconds: 0, rss: 0, minflt: 0, majflt: 0, voluntary: 0, involuntary: 0 };
      for (let i = this.top; i < records.length; i++) {
        const r = records[i] as ProcRecord;
        other.cpuSeconds += r.cpuSeconds;
        other.rss += r.rss;
        other.minflt += r.minflt;
        other.majflt += r.majflt;
        other.voluntary += r.voluntary;
        other.involuntary += r.involuntary;
      }
      rows.push({ labels: OTHER_LABELS, r: other });
    }
    const samples = (f: (r: Figures) => number): Sample[] => rows.map(({ labels, r }) => ({ labels, value: f(r) }));
    const family = (
      name: string,
      type: 'counter' | 'gauge',
      help: string,
      f: (r: Figures) => number,
      unit?: string,
    ): MetricFamily => ({ name, type, help, unit, samples: samples(f) });
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
        'Voluntary context switches of the main thread: it blocked and gave up the CPU (model: scheduling)',
        (r) => r.voluntary,
      ),
      family(
        'oslens_process_involuntary_context_switches',
        'counter',
        'Involuntary context switches of the main thread: the scheduler preempted it (model: scheduling)',
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

  close(): void {
    this.files.close();
  }
}
