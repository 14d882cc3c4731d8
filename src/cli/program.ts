/**
 * The oslens CLI program: built from src/cli/commands.ts; `main` turns every failure into one line
 * on stderr and an exit code (see util/errors.ts). Never a stack trace, unless OSLENS_DEBUG=1.
 * Importing this module has no side effects (tests build the program from it); main.ts runs it.
 */
import { Command, CommanderError } from 'commander';
import { ContentError } from '../lessons/load.js';
import { ExitCode, UserError } from '../util/errors.js';
import { packageVersion } from '../util/package.js';
import { escapeForTerminal } from '../util/terminal.js';
import { signalExitCode } from '../util/interrupt.js';
import { COMMANDS } from './commands.js';
import { explainCommand } from '../lessons/commands.js';

/** Commander's "error: unknown option '--x'" becomes "oslens: unknown option '--x' (see --help)". */
function oneLineError(str: string, write: (s: string) => void): void {
  const first = (str.split('\n')[0] ?? '').replace(/^error:\s*/, '');
  write(`oslens: ${first} (see --help)\n`);
}

export function buildProgram(): Command {
  const program = new Command('oslens')
    .description('see what the Linux kernel really does: measure, trace, inspect, watch, learn')
    .version(packageVersion(), '-V, --version')
    .configureOutput({ outputError: oneLineError })
    // Options after a subcommand belong to it; commands that run a program (time, trace, watch)
    // add passThroughOptions() so `oslens time ls -la` leaves -la to ls.
    .enablePositionalOptions();
  for (const register of COMMANDS) register(program);
  for (const sub of program.commands) {
    // Subcommands report bad flags the same way as the root.
    sub.exitOverride().configureOutput({ outputError: oneLineError });
    // The overlay on every command: the mental models behind what it shows (to stderr, so
    // --json output stays clean), then the command runs as usual.
    sub.option('--explain', 'first print the mental models behind this command (lessons/commands.yaml)');
    sub.hook('preAction', (cmd) => {
      if (cmd.opts().explain) process.stderr.write(explainCommand(cmd.name()) + '\n');
    });
  }
  program.exitOverride();
  return program;
}

export async function main(argv: string[]): Promise<number> {
  if (process.platform !== 'linux') {
    process.stderr.write(
      `oslens: Linux only (this is ${process.platform}): it reads /proc and talks to the Linux kernel\n`,
    );
    return ExitCode.failure;
  }
  try {
    await buildProgram().parseAsync(argv);
    // Stopped cleanly by Ctrl-C or a signal: 128 + the signal (util/interrupt.ts).
    return signalExitCode() ?? 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version are "errors" to commander; their exit code is 0.
      return err.exitCode === 0 ? 0 : ExitCode.usage;
    }
    if (err instanceof UserError) {
      // A message may quote a process name or a path: one line, no control byte.
      process.stderr.write(`oslens: ${escapeForTerminal(err.message)}\n`);
      return err.exitCode;
    }
    if (err instanceof ContentError) {
      process.stderr.write(`oslens: broken lesson content: ${escapeForTerminal(err.message)}\n`);
      return ExitCode.failure;
    }
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`oslens: internal error: ${escapeForTerminal(message)} (OSLENS_DEBUG=1 shows where)\n`);
    if (process.env.OSLENS_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    return ExitCode.failure;
  }
}
