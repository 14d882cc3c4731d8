/** `oslens learn`: the lessons (twelve models, the mistakes) and paths, with their live steps run inline. */
import type { Command } from 'commander';
import { loadMistakes, loadPaths, loadQuiz, type Step } from '../lessons/content.js';
import { loadLatencyTable, loadModels } from '../lessons/load.js';
import { findLesson, lessonNames, runStep, stopLessonProcess, type Lesson, type StepOutput } from '../lessons/steps.js';
import { closestMatches, markdownToText, reflow, terminalWidth, wrap } from '../lessons/text.js';
import { fitLines, stepNotice } from '../lessons/notice.js';
import { ExitCode, UserError } from '../util/errors.js';
import { loadSavedBench, measuredNs } from '../bench/saved.js';
import { factsForModel } from '../bench/host-facts.js';
import { formatNs } from '../bench/compare.js';

interface LearnFlags {
  run: boolean;
  json?: boolean;
  present?: boolean;
}

const MAX_LINES = 40;

function indentBlock(text: string, prefix: string): string {
  return fitLines(text, MAX_LINES)
    .map((l) => prefix + l)
    .join('\n');
}

function renderList(): string {
  const out = ['The twelve mental models (oslens learn ID):'];
  for (const m of loadModels())
    out.push(`  ${String(m.number).padStart(2)}  ${m.id.padEnd(20)} ${m.title.padEnd(24)} ${m.level}`);
  out.push('', 'Paths (oslens learn ID):');
  for (const p of loadPaths()) out.push(`      ${p.id.padEnd(20)} ${p.title}`);
  out.push('', 'Classic mistakes (oslens learn ID, or run the demo: oslens demo DEMO):');
  for (const m of loadMistakes()) out.push(`  ${String(m.number).padStart(2)}  ${m.id.padEnd(28)} demo: ${m.demo}`);
  out.push('', 'Also: oslens explain THING, oslens quiz, oslens learn ID --present');
  return `${out.join('\n')}\n`;
}

function header(lesson: Lesson): string[] {
  const kind =
    lesson.kind === 'model'
      ? `mental model ${lesson.model.number}, ${lesson.model.level}`
      : lesson.kind === 'path'
        ? 'path'
        : `classic mistake ${lesson.mistake.number}`;
  const width = terminalWidth();
  return [
    wrap(`${lesson.title}  (${kind})`, width),
    '='.repeat(Math.min(width, lesson.title.length)),
    wrap(lesson.summary, width),
    '',
  ];
}

function renderStep(i: number, step: Step, result: StepOutput | undefined, ran: boolean): string {
  const width = terminalWidth();
  const out = [`  ${i + 1}. ${step.title}`, wrap(step.text, width, '     ')];
  if (step.lesson) out.push(`     lesson: oslens learn ${step.lesson}`);
  if (step.mistake) out.push(`     mistake: oslens learn ${step.mistake}`);
  const cmd = result?.shown ?? step.run ?? (step.file ? `cat ${step.file}` : undefined);
  if (cmd) {
    out.push(`     $ ${cmd}`);
    if (ran && result) {
      if (result.unavailable) out.push(`     (${result.unavailable})`);
      else if (result.output) out.push(indentBlock(result.output, '     | '));
      if (!result.ok && !result.unavailable) out.push('     (the command failed; its output is above)');
    }
    const n = stepNotice(step, ran && result && !result.unavailable ? result.output : null);
    if (n.notice) out.push(wrap(`Notice: ${n.notice}`, width, '     '));
    for (const c of n.claims) out.push(wrap(c.text, width, '       '));
  }
  return out.join('\n');
}

function renderTail(lesson: Lesson): string[] {
  if (lesson.kind !== 'model') return [];
  const id = lesson.model.id;
  const out = ['', 'Figures that matter (reference latency table; measure yours with oslens bench):'];
  for (const r of loadLatencyTable().filter((x) => x.model === id)) out.push(`  ${r.title.padEnd(36)} ${r.display}`);
  const saved = loadSavedBench();
  const measured = lesson.model.benchmarks.flatMap((b) => {
    const ns = measuredNs(saved, b);
    return ns === null ? [] : [`  ${b.padEnd(36)} ${formatNs(ns)}`];
  });
  if (saved && measured.length) {
    out.push('', `Measured on this machine (oslens bench, ${saved.date.slice(0, 10)}):`, ...measured);
    const facts = factsForModel(id, saved.run.host);
    if (facts.length > 0) out.push('', 'What explains them here:', ...facts.map((f) => `  ${f}`));
  } else out.push("  (run `oslens bench` and this lesson will show this machine's figures beside these)");
  const mistakes = loadMistakes().filter((m) => m.models.includes(id));
  if (mistakes.length) {
    out.push('', 'Classic mistakes it explains:');
    for (const m of mistakes) out.push(`  ${m.title}  (oslens demo ${m.demo})`);
  }
  const cards = loadQuiz().filter((c) => c.model === id).length;
  out.push('', `Quiz: ${cards} cards (oslens quiz --model ${id})`);
  // Long rows wrap to the terminal like the prose (the padding is only whitespace).
  const width = terminalWidth();
  return out.flatMap((l) =>
    l.length <= width
      ? [l]
      : wrap(l.trim(), width, l.startsWith('  ') ? '    ' : '')
          .replace(/^ {4}/, '  ')
          .split('\n'),
  );
}

export function register(program: Command): void {
  program
    .command('learn')
    .description('lessons and paths: the twelve mental models, day zero, processes/memory/io, the classic mistakes')
    .argument('[lesson]', 'a model id, a path (day-zero, processes, memory, io) or a mistake id')
    .option('--no-run', 'text only: show the live steps without running them')
    .option('--present', 'presenter mode: full screen, one step per screen (needs a terminal)')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  oslens learn\n  oslens learn day-zero --no-run\n  oslens learn virtual-memory\n  oslens learn page-cache --present',
    )
    .action(async (name: string | undefined, flags: LearnFlags, cmd: Command) => {
      if (!name) {
        if (flags.json) {
          const doc = {
            models: loadModels().map((m) => ({
              id: m.id,
              number: m.number,
              title: m.title,
              level: m.level,
              summary: m.summary,
            })),
            paths: loadPaths().map((p) => ({ id: p.id, title: p.title, summary: p.summary, steps: p.steps.length })),
            mistakes: loadMistakes().map((m) => ({ id: m.id, title: m.title, model: m.model, demo: m.demo })),
          };
          process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
        } else process.stdout.write(renderList());
        return;
      }
      const lesson = findLesson(name);
      if (!lesson) {
        const near = closestMatches(name, lessonNames());
        throw new UserError(
          `no lesson or path "${name}"${near.length ? `; did you mean: ${near.join(', ')}` : ''} (see oslens learn)`,
          ExitCode.usage,
        );
      }
      const registered = (cmd.parent?.commands ?? []).map((c) => c.name());
      if (flags.present) {
        const { present } = await import('../ui/present.js');
        await present(lesson, { run: flags.run, registered });
        return;
      }
      try {
        const results: Array<StepOutput | undefined> = [];
        if (flags.json) {
          for (const s of lesson.steps) results.push(flags.run ? await runStep(s, registered) : undefined);
          const doc = {
            kind: lesson.kind,
            id: lesson.id,
            title: lesson.title,
            summary: lesson.summary,
            body:
              lesson.kind === 'model' ? lesson.model.body : lesson.kind === 'mistake' ? lesson.mistake.body : undefined,
            steps: lesson.steps.map((s, i) => {
              const n = stepNotice(s, results[i] && !results[i]!.unavailable ? results[i]!.output : null);
              return {
                ...s,
                result: results[i],
                claims: n.claims.map((c) => ({
                  id: s.claims?.[n.claims.indexOf(c)],
                  source: c.source,
                  value: c.figure?.value ?? null,
                  unit: c.figure?.unit ?? null,
                  range: c.claim.range,
                  outcome: c.outcome,
                  text: c.text,
                })),
              };
            }),
          };
          process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
          return;
        }
        process.stdout.write(`${header(lesson).join('\n')}\n`);
        if (lesson.kind !== 'path') {
          process.stdout.write(
            `${reflow(markdownToText(lesson.kind === 'model' ? lesson.model.body : lesson.mistake.body), terminalWidth())}\n\n`,
          );
        }
        process.stdout.write(
          `${lesson.kind === 'path' ? 'Steps' : 'See it live'}${flags.run ? '' : ' (text only: --no-run)'}:\n`,
        );
        for (const [i, s] of lesson.steps.entries()) {
          const r = flags.run ? await runStep(s, registered, terminalWidth() - 7) : undefined;
          process.stdout.write(`${renderStep(i, s, r, flags.run)}\n\n`);
        }
        const tail = renderTail(lesson);
        if (tail.length) process.stdout.write(`${tail.join('\n')}\n`);
      } finally {
        stopLessonProcess();
      }
    });
}
