/**
 * Every command of the CLI, one module each. To add a command: write src/cli/<name>.ts exporting
 * `register(program)`, and add it here.
 */
import type { Command } from 'commander';
import { register as bench } from './bench.js';

export const COMMANDS: ReadonlyArray<(program: Command) => void> = [bench];
