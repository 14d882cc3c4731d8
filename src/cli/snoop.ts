/** `oslens snoop open|exec|exit|connect|signal`: one line per event, from eBPF. */
import { escapeStrings } from '../util/terminal.js';
import type { Command } from 'commander';
import { ExitCode, UserError } from '../util/errors.js';
import { DEFAULT_SNOOP_BUFFER, SNOOP_TYPES, Snoop, type SnoopRecord, type SnoopType } from '../ebpf/snoop.js';
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
import { parseBufferSize, runEbpfCommand } from './ebpf-common.js';

interface SnoopFlags extends TargetFlags {
  buffer?: string;
}

export function register(program: Command): void {
  addTargetOptions(
    program
      .command('snoop')
      .description('print one line per open, exec, exit, connect or signal (opensnoop, execsnoop... in eBPF)')
      .argument('<types>', `comma-separated: ${SNOOP_TYPES.join(', ')} (or "all")`)
      .argument('[command...]', 'run COMMAND (after --) and snoop on it and its children'),
  )
    .option('--buffer <size>', 'ring buffer size (e.g. 64M; default 16M): larger loses less under bursts')
    .addHelpText(
      'after',
      '\nExamples:\n  oslens snoop open\n  oslens snoop exec,exit --json\n  oslens snoop open -- make\n  oslens snoop signal --comm bash',
    )
    .action(async (types: string, command: string[], flags: SnoopFlags) => {
      await runEbpfCommand(flags, 'snoop', () => snoopCommand(types, command, flags));
    });
}

function parseTypes(text: string): SnoopType[] {
  if (text === 'all') return [...SNOOP_TYPES];
  const types = text.split(',').filter(Boolean);
  const bad = types.filter((t) => !(SNOOP_TYPES as readonly string[]).includes(t));
  if (bad.length > 0 || types.length === 0) {
    throw new UserError(
      `snoop: unknown event type "${bad.join(',')}"; valid: ${SNOOP_TYPES.join(', ')}, all`,
      ExitCode.usage,
    );
  }
  return types as SnoopType[];
}

async function snoopCommand(typesText: string, command: string[], flags: SnoopFlags): Promise<number> {
  const types = parseTypes(typesText);
  const { duration } = timing(flags);
  const buffer = parseBufferSize(flags.buffer, DEFAULT_SNOOP_BUFFER);
  const target = await resolveTarget(flags, command, 0, Boolean(flags.json));
  const write = flags.json
    ? (r: SnoopRecord) => process.stdout.write(`${JSON.stringify(r)}\n`)
    : (r: SnoopRecord) => process.stdout.write(`${renderLine(r)}\n`);
  const snoop = openFor(target, () => new Snoop(types, target.filter, write, { buffer }));
  try {
    if (!flags.json) {
      process.stderr.write(`snoop: ${types.join(',')} events of ${target.describe}; Ctrl-C to stop\n`);
      process.stdout.write(
        `${'TIME'.padEnd(12)} ${'TYPE'.padEnd(7)} ${'PID'.padStart(7)} ${'COMM'.padEnd(16)} DETAILS\n`,
      );
    }
    // Events are printed as they are drained (every 10 ms, or sooner in a burst).
    const why = await runSession(snoop.session, target, { duration });
    endTarget(target, why);
    const lost = await snoop.finish();
    // The last line says how complete the stream was (README: "snoop").
    if (flags.json) process.stdout.write(`${JSON.stringify({ type: 'summary', events: snoop.received, lost })}\n`);
    else process.stderr.write(`snoop: ${snoop.received} events, ${lost} lost\n`);
    return exitStatus(target, why);
  } finally {
    snoop.close();
  }
}

/** One event as a text line; names, paths and argv from processes are escaped for the terminal. */
function renderLine(record: SnoopRecord): string {
  const r = escapeStrings(record);
  const time =
    new Date(r.time * 1000).toTimeString().slice(0, 8) + `.${String(Math.floor((r.time % 1) * 1000)).padStart(3, '0')}`;
  let details: string;
  switch (r.type) {
    case 'open':
      details = `${r.path} ${r.flags} = ${r.errno ? `-1 ${r.errno}` : r.ret}`;
      break;
    case 'exec':
      details = r.argv.map((a) => (/[\s"']/.test(a) ? JSON.stringify(a) : a)).join(' ') + (r.truncated ? ' ...' : '');
      break;
    case 'exit':
      details = `${r.signal ? `killed by ${r.signal}` : `code ${r.code}`} after ${r.runtime.toFixed(3)} s`;
      break;
    case 'connect':
      details = `${r.family} ${r.family === 'AF_INET6' && r.port ? `[${r.address}]` : r.address}${r.port ? `:${r.port}` : ''} = ${r.errno ? `-1 ${r.errno}` : r.ret}`;
      break;
    case 'signal':
      details = `${r.signal} -> ${r.targetPid} (${r.targetComm}) ${r.result}`;
      break;
  }
  return `${time.padEnd(12)} ${r.type.padEnd(7)} ${String(r.pid).padStart(7)} ${r.comm.padEnd(16)} ${details}`;
}
