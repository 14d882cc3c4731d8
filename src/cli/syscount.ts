/** `oslens syscount`: syscall counts, errors and latency per syscall and per process, from eBPF. */
import { escapeForTerminal } from '../util/terminal.js';
import type { Command } from 'commander';
import { ExitCode, UserError } from '../util/errors.js';
import { Syscount, diffSnapshots, type SyscountSnapshot } from '../ebpf/syscount.js';
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

interface SyscountFlags extends TargetFlags {
  by: string;
  top: string;
  latency?: boolean;
}

export function register(program: Command): void {
  addTargetOptions(
    program
      .command('syscount')
      .description('count syscalls (calls, errors, time) per syscall and per process, in kernel (eBPF)')
      .argument('[command...]', "run COMMAND (after --) and count its syscalls and its children's"),
  )
    .option('--by <what>', 'table by "syscall" or "process"', 'syscall')
    .option('--top <n>', 'rows to print (text output)', '20')
    .option('-L, --latency', 'also time each call (TIME and AVG columns, totalNs in JSON)')
    .addHelpText(
      'after',
      '\nExamples:\n  oslens syscount --duration 5\n  oslens syscount -L --by process --interval 1\n  oslens syscount -- dd if=/dev/zero of=/dev/null bs=1 count=10000\n  oslens syscount -p 1234 --json',
    )
    .action(async (command: string[], flags: SyscountFlags) => {
      await runEbpfCommand(flags, 'syscount', () => syscountCommand(command, flags));
    });
}

async function syscountCommand(command: string[], flags: SyscountFlags): Promise<number> {
  if (flags.by !== 'syscall' && flags.by !== 'process') {
    throw new UserError('--by: "syscall" or "process"', ExitCode.usage);
  }
  const top = countOption(flags.top, '--top');
  const { duration, interval } = timing(flags);
  const target = await resolveTarget(flags, command, 0, Boolean(flags.json));
  const counter = openFor(target, () => new Syscount(target.filter, { latency: flags.latency }));
  try {
    if (!flags.json) process.stderr.write(`syscount: tracing ${target.describe}; Ctrl-C to stop\n`);
    let last: SyscountSnapshot = { syscalls: [], processes: [], unkept: { processes: 0, calls: 0 } };
    const emit = (snap: SyscountSnapshot) => {
      if (flags.json) process.stdout.write(`${JSON.stringify(toJson(snap))}\n`);
      else process.stdout.write(render(snap, flags.by, top, counter.latency));
    };
    const why = await runSession(counter.session, target, {
      duration,
      interval,
      onInterval: () => {
        const now = counter.snapshot();
        emit(diffSnapshots(now, last));
        last = now;
      },
    });
    endTarget(target, why);
    await counter.flush();
    const final = counter.snapshot();
    emit(interval !== undefined ? diffSnapshots(final, last) : final);
    return exitStatus(target, why);
  } finally {
    counter.close();
  }
}

/** The documented JSON shape (README): no internal fields. */
function toJson(s: SyscountSnapshot) {
  return {
    syscalls: s.syscalls.map(({ name, count, errors, totalNs }) => ({ name, count, errors, totalNs })),
    processes: s.processes.map(({ pid, comm, count, exited }) => ({ pid, comm, count, exited })),
    unkept: s.unkept,
  };
}

function render(s: SyscountSnapshot, by: string, top: number, latency: boolean): string {
  const lines: string[] = [`[${new Date().toTimeString().slice(0, 8)}]`];
  if (by === 'process') {
    lines.push(`${'PID'.padStart(8)}  ${'COMM'.padEnd(16)} ${'COUNT'.padStart(12)}`);
    for (const p of s.processes.slice(0, top)) {
      const comm = escapeForTerminal(p.comm) + (p.exited ? ' (exited)' : '');
      lines.push(`${String(p.pid).padStart(8)}  ${comm.padEnd(16)} ${String(p.count).padStart(12)}`);
    }
    if (s.unkept.calls > 0 || s.unkept.processes > 0) {
      lines.push(
        `(not kept: ${s.unkept.calls} calls${s.unkept.processes ? ` of ${s.unkept.processes} exited processes` : ''} — the per-process table was full)`,
      );
    }
  } else {
    const time = latency ? ` ${'TIME (us)'.padStart(14)} ${'AVG (ns)'.padStart(10)}` : '';
    lines.push(`${'SYSCALL'.padEnd(22)} ${'COUNT'.padStart(12)} ${'ERRORS'.padStart(9)}${time}`);
    for (const c of s.syscalls.slice(0, top)) {
      const t =
        c.totalNs === null
          ? ''
          : ` ${(c.totalNs / 1000).toFixed(1).padStart(14)} ${String(Math.round(c.totalNs / c.count)).padStart(10)}`;
      lines.push(`${c.name.padEnd(22)} ${String(c.count).padStart(12)} ${String(c.errors).padStart(9)}${t}`);
    }
  }
  return `${lines.join('\n')}\n\n`;
}
