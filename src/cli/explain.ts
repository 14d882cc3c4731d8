/** `oslens explain THING`: a syscall, /proc file or field, state letter, signal, errno, benchmark, model... */
import type { Command } from 'commander';
import { explain, type Explanation } from '../lessons/explain.js';
import { findLatencyRow, findModel } from '../lessons/load.js';
import { terminalWidth, wrap } from '../lessons/text.js';
import { ExitCode, UserError } from '../util/errors.js';

function render(e: Explanation): string {
  const model = findModel(e.model);
  const out = [`${e.name}: ${e.heading}`, wrap(e.text, terminalWidth(), '  ')];
  out.push(`  model:   ${model.id} (${model.number}. ${model.title}); oslens learn ${model.id}`);
  if (e.file) out.push(`  file:    ${e.file}`);
  if (e.latencyRow) {
    const row = findLatencyRow(e.latencyRow);
    out.push(`  latency: ${row.title} ${row.display} (latency table: ${row.id})`);
  }
  if (e.command) out.push(`  live:    ${e.command}`);
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
      process.stdout.write(`${r.matches.map(render).join('\n\n')}\n`);
    });
}
