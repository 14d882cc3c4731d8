/** `oslens report RUN.json... -o FILE.html`: the HTML report of saved bench runs, without measuring. */
import { basename } from 'node:path';
import type { Command } from 'commander';
import { readRunFile } from '../bench/saved.js';
import type { BenchRun } from '../bench/types.js';
import { renderReport, type NamedRun } from '../report/html.js';
import { checkWritable, writeFileReplacing } from '../util/files.js';

export function register(program: Command): void {
  program
    .command('report')
    .description('write one self-contained HTML report (latency ladder, spread, hosts) of saved bench runs')
    .argument('<runs...>', 'bench runs saved with bench --save (or ~/.oslens/last-bench.json); several: side by side')
    .requiredOption('-o, --output <file>', 'the HTML file to write')
    .addHelpText(
      'after',
      '\nExamples:\n  oslens bench --save a.json && oslens report a.json -o a.html\n  oslens report host-a.json host-b.json -o both.html\n  oslens bench --quick --report now.html   (measure, then write)',
    )
    .action((files: string[], flags: { output: string }) => {
      checkWritable(flags.output, '-o');
      const runs = files.map((file) => ({ file, run: readRunFile(file) }));
      writeReport(namedRuns(runs), flags.output, '-o');
    });
}

/** Each run is named by its file's name, or its path when two share a name. */
export function namedRuns(runs: readonly { file: string; run: BenchRun }[]): NamedRun[] {
  const names = runs.map(({ file }) => basename(file));
  return runs.map(({ file, run }, i) => ({
    name: names.indexOf(names[i] as string) !== names.lastIndexOf(names[i] as string) ? file : (names[i] as string),
    run,
  }));
}

/** Writes the report (through a fresh file renamed over FILE: a planted symlink is not followed). */
export function writeReport(runs: readonly NamedRun[], file: string, what: string): void {
  writeFileReplacing(file, renderReport(runs), what);
}
