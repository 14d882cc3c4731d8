/** `oslens quiz`: the cards, interactive in a terminal (question, think, reveal, run the demo). */
import { emitKeypressEvents } from 'node:readline';
import type { Command } from 'commander';
import { loadQuiz, type QuizCard } from '../lessons/content.js';
import { isModelId } from '../lessons/load.js';
import { MODEL_IDS } from '../lessons/types.js';
import { runStep, stopLessonProcess } from '../lessons/steps.js';
import { terminalWidth, wrap } from '../lessons/text.js';
import { ExitCode, UserError } from '../util/errors.js';

interface QuizFlags {
  model?: string;
  list?: boolean;
  json?: boolean;
  shuffle?: boolean;
}

function renderList(cards: QuizCard[]): string {
  return cards
    .map((c, i) => {
      const lines = [
        wrap(`${i + 1}. [${c.model}] ${c.question}`, terminalWidth(), '   ').replace(/^ {3}/, ''),
        wrap(c.answer, terminalWidth(), '   '),
      ];
      if (c.demo) lines.push(`   demo: oslens demo ${c.demo}`);
      if (c.measure) lines.push(`   measure: ${c.measure}`);
      return lines.join('\n');
    })
    .join('\n\n')
    .concat('\n');
}

/** Resolves with the next key pressed (name, or the character). */
function nextKey(): Promise<string> {
  return new Promise((resolve) => {
    process.stdin.once('keypress', (ch: string | undefined, key: { name?: string; ctrl?: boolean } | undefined) => {
      if (key?.ctrl && key.name === 'c') resolve('q');
      else resolve(key?.name ?? ch ?? '');
    });
  });
}

async function interactive(cards: QuizCard[], registered: readonly string[]): Promise<void> {
  const out = (s: string): boolean => process.stdout.write(s);
  emitKeypressEvents(process.stdin);
  process.stdin.setRawMode(true);
  process.stdin.resume();
  let known = 0;
  let seen = 0;
  try {
    for (const [i, card] of cards.entries()) {
      out(
        `\n\x1b[1mCard ${i + 1} of ${cards.length}\x1b[0m  [${card.model}]\n\n${wrap(card.question, terminalWidth(), '  ')}\n\n`,
      );
      out('  think, then press Enter to reveal (s skip, q quit) ');
      let k = await nextKey();
      while (!['return', 'enter', 'space', 's', 'q'].includes(k)) k = await nextKey();
      out('\n');
      if (k === 'q') break;
      if (k === 's') continue;
      seen++;
      out(`\n\x1b[32m${wrap(card.answer, terminalWidth(), '  ')}\x1b[0m\n\n`);
      const live = card.demo ? `oslens demo ${card.demo} --quick` : card.measure;
      for (;;) {
        out(`  did you know it? y/n${live ? `   d: run "${live}"` : ''}   q quit `);
        k = await nextKey();
        out('\n');
        if (k === 'd' && live) {
          out(`  $ ${live}\n`);
          const r = await runStep({ title: card.id, text: '', run: live, notice: '-' }, registered);
          if (r?.unavailable) out(`  (${r.unavailable})\n`);
          else
            out(
              `${(r?.output ?? '')
                .split('\n')
                .map((l) => `  | ${l}`)
                .join('\n')}\n`,
            );
          continue;
        }
        if (k === 'y') known++;
        if (['y', 'n', 'q', 'return', 'enter'].includes(k)) break;
      }
      if (k === 'q') break;
    }
  } finally {
    process.stdin.setRawMode(false);
    process.stdin.pause();
    stopLessonProcess();
  }
  out(`\nScore: ${known} of ${seen} known. Cards with a demo: oslens demo --list\n`);
}

export function register(program: Command): void {
  program
    .command('quiz')
    .description('quiz cards on the twelve models: interactive in a terminal, --list/--json otherwise')
    .option('--model <id>', `only this model's cards (${MODEL_IDS.join(', ')})`)
    .option('--list', 'print the questions with their answers')
    .option('--json', 'print the cards as JSON')
    .option('--shuffle', 'random order')
    .addHelpText(
      'after',
      '\nExamples:\n  oslens quiz\n  oslens quiz --model virtual-memory\n  oslens quiz --list\n  oslens quiz --json',
    )
    .action(async (flags: QuizFlags, cmd: Command) => {
      let cards = loadQuiz();
      if (flags.model) {
        if (!isModelId(flags.model))
          throw new UserError(`unknown model "${flags.model}" (models: ${MODEL_IDS.join(', ')})`, ExitCode.usage);
        cards = cards.filter((c) => c.model === flags.model);
      }
      if (flags.shuffle) cards = [...cards].sort(() => Math.random() - 0.5);
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(cards, null, 2)}\n`);
        return;
      }
      if (flags.list || !process.stdin.isTTY || !process.stdout.isTTY) {
        process.stdout.write(renderList(cards));
        return;
      }
      await interactive(
        cards,
        (cmd.parent?.commands ?? []).map((c) => c.name()),
      );
    });
}
