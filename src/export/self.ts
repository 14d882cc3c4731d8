/**
 * The exporter's own cost, under the names every Prometheus client library uses (process_*,
 * nodejs_*): what a fleet watches to see that the exporter stays cheap and its memory flat.
 */
import { readdirSync } from 'node:fs';
import type { MetricFamily } from './format.js';

const NO_LABELS = {};
const START = Date.now() / 1000 - process.uptime();

const gauge = (name: string, help: string, value: number, unit?: string): MetricFamily => ({
  name,
  type: 'gauge',
  help,
  unit,
  samples: [{ labels: NO_LABELS, value }],
});

export function selfFamilies(): MetricFamily[] {
  const cpu = process.cpuUsage();
  const mem = process.memoryUsage();
  let fds = -1;
  try {
    fds = readdirSync('/proc/self/fd').length - 1; // less the one readdir holds
  } catch {
    // no /proc/self: left out below
  }
  const out: MetricFamily[] = [
    {
      name: 'process_cpu_seconds',
      type: 'counter',
      help: 'CPU time (user+system) of the oslens exporter itself (model: process)',
      unit: 'seconds',
      samples: [{ labels: NO_LABELS, value: (cpu.user + cpu.system) / 1e6 }],
    },
    gauge(
      'process_resident_memory_bytes',
      'Resident set of the oslens exporter (model: virtual-memory)',
      mem.rss,
      'bytes',
    ),
    gauge(
      'process_start_time_seconds',
      'When the oslens exporter started, Unix time (model: process)',
      Math.round(START * 1000) / 1000,
      'seconds',
    ),
    gauge(
      'nodejs_heap_size_used_bytes',
      'V8 heap in use by the oslens exporter, JS objects (model: virtual-memory)',
      mem.heapUsed,
      'bytes',
    ),
    gauge(
      'nodejs_heap_size_total_bytes',
      'V8 heap the oslens exporter has reserved (model: virtual-memory)',
      mem.heapTotal,
      'bytes',
    ),
    gauge(
      'nodejs_external_memory_bytes',
      'Memory outside the V8 heap held by JS objects, Buffers (model: virtual-memory)',
      mem.external,
      'bytes',
    ),
  ];
  if (fds >= 0)
    out.push(
      gauge('process_open_fds', 'File descriptors the oslens exporter holds open (model: file-descriptor)', fds),
    );
  return out;
}
