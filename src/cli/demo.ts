/** `oslens demo`: each classic mistake as an experiment on this machine. */
import type { Command } from 'commander';
import { holdSignals } from '../demos/cleanup.js';
import { DEMOS, DEMO_IDS, findDemo, runDemo } from '../demos/index.js';
import { renderDemoList, renderDemoResult } from '../demos/render.js';
import { closestMatches } from '../lessons/text.js';
import { ExitCode, UserError } from '../util/errors.js';

interface DemoFlags {
  list?: boolean;
  json?: boolean;
  quick?: boolean;
}

export function register(program: Command): void {
  program
    .command('demo')
    .description('run a classic mistake as an experiment: the claim, a measurement here, the result')
    .argument('[ids...]', `demos to run: ${DEMO_IDS.join(', ')}, or "all"`)
    .option('--list', 'list the demos')
    .option('--json', 'print JSON (a list with --list, else one result per demo)')
    .option('--quick', 'smaller sizes and shorter runs')
    .addHelpText('after', '\nExamples:\n  oslens demo --list\n  oslens demo fork-cow\n  oslens demo all --quick --json')
    .action(async (ids: string[], flags: DemoFlags) => {
      if (flags.list || ids.length === 0) {
        if (flags.json) {
          const list = DEMOS.map((d) => ({
            id: d.id,
            title: d.title,
            mistake: d.mistake,
            models: d.models,
            claim: d.claim,
          }));
          process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
        } else process.stdout.write(renderDemoList(DEMOS));
        return;
      }
      const chosen = ids.includes('all')
        ? [...DEMOS]
        : ids.map((id) => {
            const d = findDemo(id);
            if (!d) {
              const near = closestMatches(id, DEMO_IDS);
              throw new UserError(
                `no demo "${id}"${near.length ? `; did you mean: ${near.join(', ')}` : ''} (see oslens demo --list)`,
                ExitCode.usage,
              );
            }
            return d;
          });
      const results = [];
      holdSignals();
      for (const demo of chosen) {
        const log = flags.json ? () => undefined : (l: string) => process.stderr.write(`  .. ${l}\n`);
        const r = await runDemo(demo, { quick: flags.quick === true, log });
        results.push(r);
        if (!flags.json) process.stdout.write(`${renderDemoResult(demo, r)}\n`);
      }
      if (flags.json) process.stdout.write(`${JSON.stringify(results.length === 1 ? results[0] : results, null, 2)}\n`);
    });
}
