/** `oslens explain THING`: a syscall, /proc file or field, state letter, signal, errno, benchmark, model... */
import type { Command } from 'commander';
import { explain, type Explanation } from '../lessons/explain.js';
import { findLatencyRow, findModel } from '../lessons/load.js';
import { terminalWidth, wrap } from '../lessons/text.js';
import { loadSavedBench, type SavedBench } from '../bench/saved.js';
import { measuredFor } from '../ui/collect/lens.js';
import { computeRatios, formatFactor } from '../bench/compare.js';
import { ExitCode, UserError } from '../util/errors.js';

/** "  key:     text", wrapped with the text's continuation lines under its first word. */
function field(key: string, text: string, width: number): string {
  const hang = ' '.repeat(11);
  return `  ${`${key}:`.padEnd(9)}${wrap(text, width, hang).slice(hang.length)}`;
}

function render(e: Explanation, saved: SavedBench | null): string {
  const model = findModel(e.model);
  const width = terminalWidth();
  const out = [wrap(`${e.name}: ${e.heading}`, width, '  ').replace(/^ {2}/, ''), wrap(e.text, width, '  ')];
  out.push(field('model', `${model.id} (${model.number}. ${model.title}); oslens learn ${model.id}`, width));
  if (e.file) out.push(field('file', e.file, width));
  if (e.latencyRow) {
    const row = findLatencyRow(e.latencyRow);
    out.push(field('latency', `${row.title} ${row.display} (latency table: ${row.id})`, width));
    // The folklore's figure beside this machine's, when a bench run was saved.
    // Ratios from the remembered results (a merged run's own ratio list covers only its last ids).
    const ratio = saved ? computeRatios(saved.run.results, [row])[0] : undefined;
    const here = ratio
      ? `${formatFactor(ratio.measured)} (${ratio.numerator} / ${ratio.denominator})`
      : saved
        ? measuredFor(saved.run, row.id)
        : null;
    if (here) out.push(field('here', `${here}, last bench run ${saved!.date.slice(0, 10)}`, width));
  }
  if (e.command) out.push(field('live', e.command, width));
  return out.join('\n');
}

export function register(program: Command): void {
  program
    .command('explain')
    .description('explain a syscall, /proc file or field, state letter, signal, errno, benchmark or model')
    .argument('<thing>', 'e.g. mmap, VmRSS, majflt, /proc/PID/smaps, D, SIGSEGV, E2BIG, fork-large, page-cache')
    .option('--json', 'print JSON: { query, matches: [...], closest: [...] }')
    .addHelpText(
      'after',
      '\nExamples:\n  oslens explain mmap\n  oslens explain VmRSS\n  oslens explain /proc/self/smaps\n  oslens explain D\n  oslens explain E2BIG',
    )
    .action((thing: string, flags: { json?: boolean }) => {
      const r = explain(thing);
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
        if (r.matches.length === 0) throw new UserError(`nothing called "${thing}"`, ExitCode.usage);
        return;
      }
      if (r.matches.length === 0) {
        throw new UserError(
          `nothing called "${thing}"${r.closest.length ? `; closest: ${r.closest.join(', ')}` : ''}`,
          ExitCode.usage,
        );
      }
      const saved = loadSavedBench();
      process.stdout.write(`${r.matches.map((e) => render(e, saved)).join('\n\n')}\n`);
    });
}
