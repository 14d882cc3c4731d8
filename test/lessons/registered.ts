/** The command names `oslens` registers, as the CLI builds them. */
import { Command } from 'commander';
import { COMMANDS } from '../../src/cli/commands.js';

export function registeredCommands(): string[] {
  const p = new Command('oslens').enablePositionalOptions();
  for (const r of COMMANDS) r(p);
  return p.commands.map((c) => c.name());
}
