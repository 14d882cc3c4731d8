/** `oslens top`: the system and its processes, live (README: "Live dashboards"). */
import type { Command } from 'commander';
import { addLiveOptions, liveOptions, type LiveFlags } from '../ui/live.js';
import { parsePositiveInt } from '../util/units.js';

interface TopFlags extends LiveFlags {
  ebpf: boolean;
  limit: string;
}

export function register(program: Command): void {
  const cmd = program
    .command('top')
    .description('live system dashboard: CPUs, load, switches, faults, memory, PSI and a sortable process table');
  addLiveOptions(cmd)
    .option('--no-ebpf', 'do not count syscalls/s with eBPF')
    .option('-n, --limit <n>', 'processes listed by --once', '20')
    .addHelpText(
      'after',
      '\nKeys: ? help, q quit, Tab panels, c/m/f/s/y/p sort, Enter details, w watch the selected process.\n' +
        'Examples:\n  oslens top\n  oslens top -d 2\n  oslens top --once\n  oslens top --json -d 5 | head -3',
    )
    .action(async (flags: TopFlags) => {
      const opts = liveOptions(flags);
      // Loaded when run: blessed is most of the CLI's start-up.
      const { runTop } = await import('../ui/top-live.js');
      const { runWatch } = await import('../ui/watch-live.js');
      const exit = await runTop({ ...opts, ebpf: flags.ebpf, limit: parsePositiveInt(flags.limit, '--limit', 100000) });
      if (exit) await runWatch({ pid: exit.watch }, { ...opts, ebpf: flags.ebpf });
    });
}
