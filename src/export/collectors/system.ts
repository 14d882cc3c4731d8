/** `system`: the top dashboard's figures as metrics (src/proc/system.ts parsers). */
import { kernelUnits } from '../../proc/process.js';
import { readSystemText } from '../../proc/read.js';
import { parseLoadAvg, parseMeminfo, parsePressure, parseSystemStat, parseVmstat } from '../../proc/system.js';
import type { MetricFamily } from '../format.js';
import type { Collector } from './types.js';

const one = (value: number) => [{ labels: {}, value }];

export class SystemCollector implements Collector {
  readonly name = 'system';
  readonly disabled = null;

  collect(): MetricFamily[] {
    const statText = readSystemText('stat');
    if (statText === undefined) throw new Error('/proc/stat unreadable');
    const stat = parseSystemStat(statText, kernelUnits());
    const vm = parseVmstat(readSystemText('vmstat') ?? '');
    const mem = parseMeminfo(readSystemText('meminfo') ?? '');
    const load = parseLoadAvg(readSystemText('loadavg') ?? '0 0 0 0/0 0');
    const out: MetricFamily[] = [
      {
        name: 'oslens_context_switches',
        type: 'counter',
        help: 'Context switches on all CPUs since boot, /proc/stat ctxt (model: scheduling)',
        samples: one(stat.contextSwitches),
      },
      {
        name: 'oslens_forks',
        type: 'counter',
        help: 'Processes and threads created since boot (model: process)',
        samples: one(stat.processes),
      },
      {
        name: 'oslens_run_queue_tasks',
        type: 'gauge',
        help: 'Tasks runnable now (running or waiting for a CPU), /proc/stat procs_running (model: scheduling)',
        samples: one(stat.procsRunning),
      },
      {
        name: 'oslens_blocked_tasks',
        type: 'gauge',
        help: 'Tasks blocked on I/O now, /proc/stat procs_blocked (model: scheduling, page-cache)',
        samples: one(stat.procsBlocked),
      },
      {
        name: 'oslens_load_average',
        type: 'gauge',
        help: 'Load average: runnable plus uninterruptible tasks, decaying means (model: scheduling)',
        samples: [
          { labels: { window: '1m' }, value: load.load1 },
          { labels: { window: '5m' }, value: load.load5 },
          { labels: { window: '15m' }, value: load.load15 },
        ],
      },
      {
        name: 'oslens_cpu_seconds',
        type: 'counter',
        help: 'CPU time of all CPUs by mode since boot, /proc/stat (model: scheduling, syscall-boundary)',
        unit: 'seconds',
        samples: Object.entries(stat.cpu).map(([mode, value]) => ({
          labels: { mode },
          value: Math.round(value * 100) / 100,
        })),
      },
      {
        name: 'oslens_page_faults',
        type: 'counter',
        help: 'Page faults on the system since boot by kind, /proc/vmstat (model: virtual-memory)',
        samples: [
          { labels: { kind: 'minor' }, value: Math.max(0, (vm.pgfault ?? 0) - (vm.pgmajfault ?? 0)) },
          { labels: { kind: 'major' }, value: vm.pgmajfault ?? 0 },
        ],
      },
      {
        name: 'oslens_memory_bytes',
        type: 'gauge',
        help: 'Memory by kind, /proc/meminfo (model: virtual-memory, page-cache: cached is file pages in RAM)',
        unit: 'bytes',
        samples: ['MemTotal', 'MemFree', 'MemAvailable', 'Cached', 'Buffers', 'Dirty', 'SwapTotal', 'SwapFree']
          .filter((k) => mem[k] !== undefined)
          .map((k) => ({ labels: { kind: k }, value: mem[k] ?? 0 })),
      },
    ];
    const psi = (['cpu', 'memory', 'io'] as const).flatMap((resource) => {
      const text = readSystemText(`pressure/${resource}`);
      if (text === undefined) return [];
      const p = parsePressure(text);
      const lines = [{ labels: { resource, kind: 'some' }, value: p.some.total }];
      if (p.full) lines.push({ labels: { resource, kind: 'full' }, value: p.full.total });
      return lines;
    });
    if (psi.length > 0) {
      out.push({
        name: 'oslens_pressure_stalled_seconds',
        type: 'counter',
        help: 'Pressure stall time (PSI): some = at least one task stalled on the resource, full = all (model: scheduling, virtual-memory)',
        unit: 'seconds',
        samples: psi,
      });
    }
    return out;
  }

  close(): void {}
}
