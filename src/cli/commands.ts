/**
 * Every command of the CLI, one module each. To add a command: write src/cli/<name>.ts exporting
 * `register(program)`, and add it here.
 */
import type { Command } from 'commander';
import { register as bench } from './bench.js';
import { register as ps } from './ps.js';
import { register as maps } from './maps.js';
import { register as why } from './why.js';
import { register as inspect } from './inspect.js';
import { register as time } from './time.js';
import { register as syscount } from './syscount.js';
import { register as snoop } from './snoop.js';
import { register as faults } from './faults.js';
import { register as runqlat } from './runqlat.js';
import { register as doctor } from './doctor.js';
import { register as demo } from './demo.js';
import { register as learn } from './learn.js';
import { register as explain } from './explain.js';
import { register as quiz } from './quiz.js';
import { register as top } from './top.js';
import { register as watch } from './watch.js';
import { register as trace } from './trace.js';
import { register as completion } from './completion.js';
import { register as exporter } from './export.js';
import { register as profile } from './profile.js';
import { register as report } from './report.js';

export const COMMANDS: ReadonlyArray<(program: Command) => void> = [
  bench,
  ps,
  maps,
  why,
  inspect,
  time,
  syscount,
  snoop,
  faults,
  runqlat,
  doctor,
  demo,
  learn,
  explain,
  quiz,
  top,
  watch,
  trace,
  completion,
  exporter,
  profile,
  report,
];
