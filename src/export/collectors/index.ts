/** The collectors by name, and the --collectors list. */
import { ExitCode, UserError } from '../../util/errors.js';
import { BenchCollector } from './bench.js';
import { RunqlatCollector, SyscallsCollector } from './ebpf.js';
import { ProcCollector } from './proc.js';
import { SystemCollector } from './system.js';
import { COLLECTOR_NAMES, type Collector, type CollectorName } from './types.js';

export function parseCollectorList(text: string): CollectorName[] {
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = names.filter((n) => !(COLLECTOR_NAMES as readonly string[]).includes(n));
  if (bad.length > 0 || names.length === 0) {
    throw new UserError(
      `--collectors: unknown "${bad.join(',') || text}" (choose from ${COLLECTOR_NAMES.join(',')})`,
      ExitCode.usage,
    );
  }
  return [...new Set(names)] as CollectorName[];
}

export function makeCollectors(names: CollectorName[], opts: { top: number }): Collector[] {
  const make: Record<CollectorName, () => Collector> = {
    proc: () => new ProcCollector(opts.top),
    system: () => new SystemCollector(),
    bench: () => new BenchCollector(),
    syscalls: () => new SyscallsCollector(),
    runqlat: () => new RunqlatCollector(),
  };
  return names.map((n) => make[n]());
}
