/** `oslens faults`: page faults per process (minor/major) and per memory region, from eBPF. */
import { escapeForTerminal } from '../util/terminal.js';
import type { Command } from 'commander';
import { Faults, type FaultsSnapshot } from '../ebpf/faults.js';
import {
  addTargetOptions,
  endTarget,
  exitStatus,
  openFor,
  resolveTarget,
  runSession,
  timing,
  type TargetFlags,
} from '../ebpf/target.js';
import { countOption, runEbpfCommand } from './ebpf-common.js';

interface FaultsFlags extends TargetFlags {
  top: string;
  regions: string;
}

export function register(program: Command): void {
  addTargetOptions(
    program
      .command('faults')
      .description('count page faults per process (minor/major) and per memory region (heap, stack, a file...)')
      .argument('[command...]', "run COMMAND (after --) and count its faults and its children's"),
  )
    .option('--top <n>', 'processes to print (text output)', '10')
    .option('--regions <n>', 'regions to print per process (text output)', '5')
    .addHelpText(
      'after',
      '\nExamples:\n  oslens faults --duration 5\n  oslens faults -p 1234 --interval 1\n  oslens faults --json -- sort /usr/share/dict/words',
    )
    .action(async (command: string[], flags: FaultsFlags) => {
      await runEbpfCommand(flags, 'faults', () => faultsCommand(command, flags));
    });
}

async function faultsCommand(command: string[], flags: FaultsFlags): Promise<number> {
  const [top, regions] = [countOption(flags.top, '--top'), countOption(flags.regions, '--regions', 0)];
  const { duration, interval } = timing(flags);
  const target = await resolveTarget(flags, command, 0, Boolean(flags.json));
  const faults = openFor(target, () => new Faults(target.filter));
  try {
    if (!flags.json) process.stderr.write(`faults: page faults of ${target.describe}; Ctrl-C to stop\n`);
    const emit = (snap: FaultsSnapshot) => {
      if (flags.json) process.stdout.write(`${JSON.stringify(toJson(snap))}\n`);
      else process.stdout.write(render(snap, top, regions));
    };
    // An interval shows the processes that faulted in it (totals still cumulative): its output
    // stays as small as what happened, however many processes came and went before.
    let last = new Map<number, number>();
    const active = (snap: FaultsSnapshot): FaultsSnapshot => {
      const now = new Map(snap.processes.map((p) => [p.pid, p.faults]));
      const out = { ...snap, processes: snap.processes.filter((p) => last.get(p.pid) !== p.faults) };
      last = now;
      return out;
    };
    const why = await runSession(faults.session, target, {
      duration,
      interval,
      onInterval: () => emit(active(faults.snapshot())),
    });
    endTarget(target, why);
    await faults.flush();
    emit(faults.snapshot());
    return exitStatus(target, why);
  } finally {
    faults.close();
  }
}

/** The documented JSON shape (README); totals are cumulative since the start. */
function toJson({ processes, unkept }: FaultsSnapshot) {
  return {
    unkept,
    processes: processes.map((p) => ({
      pid: p.pid,
      comm: p.comm,
      minor: p.minor,
      major: p.major,
      regions: p.regions.map(({ path, kind, faults }) => ({ path, kind, faults })),
    })),
  };
}

function render({ processes: procs, unkept }: FaultsSnapshot, top: number, regions: number): string {
  const lines = [`[${new Date().toTimeString().slice(0, 8)}]  (cumulative)`];
  lines.push(
    `${'PID'.padStart(8)}  ${'COMM'.padEnd(16)} ${'FAULTS'.padStart(10)} ${'MINOR'.padStart(10)} ${'MAJOR'.padStart(8)}`,
  );
  for (const p of procs.slice(0, top)) {
    lines.push(
      `${String(p.pid).padStart(8)}  ${escapeForTerminal(p.comm).padEnd(16)} ${String(p.faults).padStart(10)} ${String(p.minor).padStart(10)} ${String(p.major).padStart(8)}`,
    );
    for (const r of p.regions.slice(0, regions)) {
      lines.push(
        `${''.padStart(10)}${String(r.faults).padStart(10)}  ${r.kind.padEnd(6)} ${escapeForTerminal(r.path)}`,
      );
    }
  }
  if (unkept.regionFaults > 0 || unkept.processFaults > 0) {
    lines.push(`(not kept: ${unkept.regionFaults} faults in no region row, ${unkept.processFaults} in no process row)`);
  }
  if (unkept.foldedProcesses > 0) {
    lines.push(`(${unkept.foldedProcesses} exited processes with ${unkept.foldedFaults} faults folded: fewest faults)`);
  }
  return `${lines.join('\n')}\n\n`;
}
