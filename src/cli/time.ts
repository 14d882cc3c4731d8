/**
 * `oslens time -- CMD ARGS...`: run a command, then report what /usr/bin/time -v reports, each row
 * with its model and latency row. The command owns stdin/stdout/stderr; the report goes to stderr
 * (or -o FILE); oslens exits with the command's status (128 + signal when killed).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import type { Command } from 'commander';
import { findLatencyRow } from '../lessons/load.js';
import { BUILD_DIR } from '../native/addon.js';
import { formatBytes, formatCount, formatSeconds } from '../proc/format.js';
import { parseRusageLine, toCommandUsage, type CommandUsage, type UsageRow } from '../proc/rusage.js';
import { UserError } from '../util/errors.js';
import { checkWritable, writeFileReplacing } from '../util/files.js';
import { escapeStrings } from '../util/terminal.js';

interface TimeFlags {
  json?: boolean;
  output?: string;
}

export function register(program: Command): void {
  program
    .command('time')
    .description('run a command and report wall/user/sys time, max RSS, faults and context switches (wait4 rusage)')
    .argument('<command...>', 'the command and its arguments (options after it are its own)')
    .passThroughOptions()
    .option('--json', 'write the report as JSON (to stderr, or to -o FILE)')
    .option('-o, --output <file>', 'write the report to FILE instead of stderr')
    .addHelpText(
      'after',
      '\nExamples:\n  oslens time -- sort /usr/share/dict/words\n  oslens time --json -o usage.json -- make -j2',
    )
    .action(async (command: string[], flags: TimeFlags) => {
      // A report that cannot be written is said before the command runs, not after.
      if (flags.output) checkWritable(flags.output, '-o');
      const usage = await runMeasured(command);
      const text = flags.json ? JSON.stringify(usage, null, 2) + '\n' : renderUsage(usage);
      if (flags.output) writeFileReplacing(flags.output, text, '-o');
      else process.stderr.write(text);
      // The command's status is ours: set it directly (main() would report 0).
      process.exit(usage.exitStatus);
    });
}

function helperPath(): string {
  const path = resolve(BUILD_DIR, 'oslens-runwait');
  if (!existsSync(path)) {
    throw new UserError(`${path} is missing: build the native helpers with \`npm run build:native\``);
  }
  return path;
}

async function runMeasured(command: string[]): Promise<CommandUsage> {
  const helper = helperPath();
  // The terminal sends Ctrl-C to the whole foreground group: the command decides what to do with
  // it; we wait for the report.
  const ignore = () => undefined;
  process.on('SIGINT', ignore);
  process.on('SIGQUIT', ignore);
  try {
    const child = spawn(helper, ['3', ...command], { stdio: ['inherit', 'inherit', 'inherit', 'pipe'] });
    let report = '';
    (child.stdio[3] as Readable).on('data', (d: Buffer) => (report += d.toString()));
    const code = await new Promise<number | null>((res, rej) => {
      child.on('error', rej);
      child.on('close', (c) => res(c));
    });
    if (code !== 0 || report.trim() === '') {
      throw new UserError(`could not run ${command[0] ?? ''}: the measuring helper failed (status ${code})`);
    }
    const raw = parseRusageLine(report);
    if (raw.execErrno) {
      throw new UserError(`cannot run ${command[0]}: ${raw.execError}`, raw.execErrno === 2 ? 127 : 126);
    }
    return toCommandUsage(raw, command);
  } finally {
    process.off('SIGINT', ignore);
    process.off('SIGQUIT', ignore);
  }
}

function value(r: UsageRow): string {
  if (r.unit === 'seconds') return formatSeconds(r.value);
  if (r.unit === 'bytes') return formatBytes(r.value);
  return formatCount(r.value);
}

export function renderUsage(usage: CommandUsage): string {
  const u = escapeStrings(usage); // the command line
  const how = u.signal ? `killed by ${u.signal} (status ${u.exitStatus})` : `exit status ${u.exitCode}`;
  let o = `\noslens time: ${u.command.join(' ')}\n  ${how}\n`;
  for (const r of u.rows) {
    let note = r.help;
    if (r.latencyRow) {
      try {
        const row = findLatencyRow(r.latencyRow);
        note += `; cost: ${row.title} ${row.display}`;
      } catch {
        // The lesson data lacks the row: the figure stands without it.
      }
    }
    o += `  ${r.label.padEnd(20)} ${value(r).padStart(12)}  ${(r.model ? `[${r.model}]` : '').padEnd(20)} ${note}\n`;
  }
  return o;
}
