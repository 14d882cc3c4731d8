/** `oslens watch PID` / `oslens watch -- CMD`: one process, live (README: "Live dashboards"). */
import type { Command } from 'commander';
import { parsePid } from '../proc/read.js';
import { addLiveOptions, liveOptions, type LiveFlags } from '../ui/live.js';
import { ExitCode, UserError } from '../util/errors.js';

interface WatchFlags extends LiveFlags {
  ebpf: boolean;
}

export function register(program: Command): void {
  const cmd = program
    .command('watch')
    .description("live view of one process: its regions' RSS growing, faults, switches, syscalls")
    .argument('[pid-or-cmd...]', 'a PID, or -- CMD ARGS to start one');
  addLiveOptions(cmd)
    .option('--no-ebpf', 'do not count syscalls/s with eBPF')
    .addHelpText(
      'after',
      '\nThe command started by `watch -- CMD` is ended (SIGTERM) when you quit; its output is discarded on the dashboard.\n' +
        'Examples:\n  oslens watch 1234\n  oslens watch -- python3 -c "import time; time.sleep(60)"\n  oslens watch 1234 --once',
    )
    .action(async (args: string[], flags: WatchFlags, command: Command) => {
      const opts = liveOptions(flags);
      // After "--", commander puts everything in args; a lone number before it is a PID.
      const dashDash = process.argv.includes('--');
      if (args.length === 0) throw new UserError('watch: give a PID, or -- CMD to start one', ExitCode.usage);
      void command;
      // Loaded when run: blessed is most of the CLI's start-up.
      const { runWatch } = await import('../ui/watch-live.js');
      if (!dashDash && args.length === 1)
        await runWatch({ pid: parsePid(args[0] as string) }, { ...opts, ebpf: flags.ebpf });
      else if (dashDash) await runWatch({ argv: args }, { ...opts, ebpf: flags.ebpf });
      else throw new UserError('watch: one PID, or -- CMD ARGS', ExitCode.usage);
    });
}
