/** `bench`: the last saved bench run (src/bench/saved.ts) as gauges beside the reference bounds. */
import { statSync } from 'node:fs';
import { defaultBenchFile, loadSavedBench } from '../../bench/saved.js';
import type { MetricFamily, Sample } from '../format.js';
import type { Collector } from './types.js';

export class BenchCollector implements Collector {
  readonly name = 'bench';
  readonly disabled = null;

  /** The families of the file as last read, and which version of it (re-read when it changes). */
  private cache?: { version: string; families: MetricFamily[] };

  constructor(private readonly file: string = defaultBenchFile()) {}

  collect(): MetricFamily[] {
    let version = 'absent';
    try {
      const st = statSync(this.file);
      version = `${st.ino}:${st.size}:${st.mtimeMs}`;
    } catch {
      // no saved run (yet)
    }
    if (this.cache?.version !== version) this.cache = { version, families: this.read() };
    return this.cache.families;
  }

  private read(): MetricFamily[] {
    const saved = loadSavedBench(this.file);
    if (!saved) return [];
    const measured: Sample[] = [];
    const low: Sample[] = [];
    const high: Sample[] = [];
    for (const r of saved.run.results) {
      const labels = { id: r.id, model: r.model, row: r.row };
      if (r.status === 'measured' && r.nsPerOp !== null) measured.push({ labels, value: r.nsPerOp / 1e9 });
      if (r.reference) {
        low.push({ labels, value: r.reference.lowNs / 1e9 });
        high.push({ labels, value: r.reference.highNs / 1e9 });
      }
    }
    const seconds = Date.parse(saved.date) / 1000;
    return [
      {
        name: 'oslens_bench_operation_seconds',
        type: 'gauge',
        help: 'Median time of one operation measured by the last `oslens bench` run on this host (label model: its mental model)',
        unit: 'seconds',
        samples: measured,
      },
      {
        name: 'oslens_bench_reference_low_seconds',
        type: 'gauge',
        help: 'Low bound of the reference range for the operation (lessons/latency.yaml; label model: its mental model)',
        unit: 'seconds',
        samples: low,
      },
      {
        name: 'oslens_bench_reference_high_seconds',
        type: 'gauge',
        help: 'High bound of the reference range for the operation (lessons/latency.yaml; label model: its mental model)',
        unit: 'seconds',
        samples: high,
      },
      {
        name: 'oslens_bench_run_timestamp_seconds',
        type: 'gauge',
        help: 'When the last saved bench run was measured, Unix time (model: the latency table)',
        unit: 'seconds',
        samples: Number.isFinite(seconds) ? [{ labels: {}, value: seconds }] : [],
      },
    ];
  }

  close(): void {}
}
