/**
 * Presenter mode (`oslens learn LESSON --present`): full screen, one step per screen, the
 * explanation on the left in large spacing and the step's live panel (its command's output, or
 * a /proc file) on the right. n/→/space next, p/← previous, r re-runs the panel, q quits and
 * restores the terminal. Made for a projector: little text per screen, high contrast.
 */
import blessed from 'blessed';
import type { Widgets } from 'blessed';
import { markdownToText } from '../lessons/text.js';
import { stepNotice } from '../lessons/notice.js';
import { runStep, stepCommand, stopLessonProcess, type Lesson, type StepOutput } from '../lessons/steps.js';
import type { Step } from '../lessons/content.js';
import { UserError } from '../util/errors.js';

export interface PresentOptions {
  run: boolean;
  registered: readonly string[];
}

/** The screens of a lesson: a title screen, then its steps. */
export function presenterSlides(lesson: Lesson): Step[] {
  const intro: Step = {
    title: lesson.title,
    text:
      lesson.kind === 'model'
        ? `${lesson.summary}\n\n${firstSection(lesson.model.body)}`
        : lesson.kind === 'mistake'
          ? `${lesson.summary}`
          : `${lesson.summary}`,
  };
  return [intro, ...lesson.steps];
}

function firstSection(body: string): string {
  const m = /## What it is\n([\s\S]*?)(\n## |$)/.exec(body);
  return markdownToText(m?.[1] ?? '').trim();
}

/** Spreads text for a projector: a blank line between sentences' paragraphs. */
function airy(text: string): string {
  return text.replace(/\n(?!\n)/g, '\n\n');
}

export interface PresenterLayout {
  /** 'text': the step has no live panel, the text takes the screen; 'side': text left, panel right; 'stacked': text above a full-width panel. */
  mode: 'text' | 'side' | 'stacked';
  textWidth: number;
  textHeight: number;
  panelWidth: number;
  panelHeight: number;
}

/**
 * Where the text and the live panel go on a `cols` x `rows` body. Side by side when the
 * output's width fits beside a readable text column and the text fits the height; else the text
 * above a full-width panel, each getting at least half the height when both do not fit (the rest of the
 * text scrolls with J/K). A step with no panel has none. `textLines(width)`: how many lines the
 * slide's text wraps to at that width.
 */
export function presenterLayout(
  cols: number,
  rows: number,
  hasPanel: boolean,
  output: string | null,
  textLines: (width: number) => number = () => Math.floor(rows * 0.4),
): PresenterLayout {
  if (!hasPanel) return { mode: 'text', textWidth: cols, textHeight: rows, panelWidth: 0, panelHeight: 0 };
  const lines = (output ?? '').split('\n');
  const widest = Math.max(0, ...lines.map((l) => l.length));
  const needed = widest + 4; // border and padding
  const minText = 34;
  if (output === null || needed <= cols - minText) {
    const panelWidth = Math.max(Math.floor(cols * 0.5), Math.min(needed, cols - minText));
    const side: PresenterLayout = {
      mode: 'side',
      textWidth: cols - panelWidth,
      textHeight: rows,
      panelWidth,
      panelHeight: rows,
    };
    // Beside the panel only when the text fits there too (or the output is still running).
    if (output === null || textLines(side.textWidth) + 1 <= rows) return side;
  }
  const panelNeeded = lines.length + 2;
  // Both fit: the text its lines, the panel the rest. Else the text keeps up to half (the
  // notice and its claims are the point of the slide) and the panel, scrolled to what the
  // notice points to, the other half.
  const text = textLines(cols) + 1;
  const textHeight = Math.max(Math.min(text, Math.ceil(rows / 2)), rows - panelNeeded);
  return { mode: 'stacked', textWidth: cols, textHeight, panelWidth: cols, panelHeight: rows - textHeight };
}

/**
 * The first line to show of a panel `height` lines high so that what the notice points to is
 * in view: the window that holds the most of the points (the earliest of equals), or the top
 * when none is found.
 */
export function panelFocus(output: string, points: readonly string[], height: number): number {
  const lines = output.split('\n');
  if (lines.length <= height || points.length === 0) return 0;
  const hitsOf = points.map((p) => lines.flatMap((l, i) => (l.includes(p) ? [i] : [])));
  let best = 0;
  let bestCount = 0;
  for (const start of [...new Set(hitsOf.flat())].sort((x, y) => x - y)) {
    const count = hitsOf.filter((h) => h.some((i) => i >= start && i < start + height)).length;
    if (count > bestCount) [best, bestCount] = [start, count];
  }
  return Math.max(0, Math.min(best, lines.length - height));
}

export async function present(lesson: Lesson, opts: PresentOptions): Promise<void> {
  if (!process.stdout.isTTY) {
    throw new UserError(
      'presenter mode needs a terminal (run it in a terminal or tmux; use --no-run or --json otherwise)',
    );
  }
  const slides = presenterSlides(lesson);
  const results = new Map<number, StepOutput | 'running'>();
  let index = 0;
  const screen = blessed.screen({
    smartCSR: true,
    fullUnicode: true,
    forceUnicode: true,
    title: `oslens: ${lesson.title}`,
    warnings: false,
  });
  (screen as unknown as { tput: { brokenACS: boolean } }).tput.brokenACS = true;
  const top = blessed.box({
    parent: screen,
    top: 0,
    left: 0,
    width: '100%',
    height: 3,
    tags: true,
    style: { fg: 'black', bg: 'cyan' },
    padding: { left: 2, top: 1 },
  });
  const left: Widgets.BoxElement = blessed.box({
    parent: screen,
    top: 3,
    left: 0,
    width: '100%',
    height: '100%-4',
    tags: true,
    padding: { left: 2, right: 2, top: 1 },
    wrap: true,
    scrollable: true,
    style: { fg: 'white' },
  });
  const right: Widgets.BoxElement = blessed.box({
    parent: screen,
    top: 3,
    left: 0,
    width: '100%',
    height: '100%-4',
    label: ' live ',
    tags: true,
    border: { type: 'line' },
    style: { border: { fg: 'green' } },
    padding: { left: 1, right: 1 },
    scrollable: true,
    alwaysScroll: true,
    keys: true,
    wrap: false,
  });
  const keys = blessed.box({
    parent: screen,
    bottom: 0,
    left: 0,
    width: '100%',
    height: 1,
    tags: true,
    style: { fg: 'black', bg: 'white' },
  });
  keys.setContent(
    ' {bold}n{/bold}/→ next  {bold}p{/bold}/← back  {bold}r{/bold} rerun  {bold}↑↓{/bold} panel  {bold}J/K{/bold} text  {bold}q{/bold} quit',
  );

  const esc = (s: string): string => blessed.escape(s);

  /** The output the panel shows once the step ran, or null. */
  const shownOutput = (): string | null => {
    const r = results.get(index);
    return r && r !== 'running' && !r.unavailable ? r.output : null;
  };

  const place = (): PresenterLayout => {
    const step = slides[index]!;
    const cols = screen.width as number;
    const rows = (screen.height as number) - 4;
    const measure = (width: number): number => {
      left.width = width;
      return left.getScreenLines().length;
    };
    const l = presenterLayout(cols, rows, stepCommand(step) !== undefined, shownOutput(), measure);
    left.width = l.textWidth;
    left.height = l.textHeight;
    right.top = l.mode === 'stacked' ? 3 + l.textHeight : 3;
    right.left = l.mode === 'side' ? l.textWidth : 0;
    right.width = Math.max(1, l.panelWidth);
    right.height = Math.max(1, l.panelHeight);
    if (l.mode === 'text') right.hide();
    else right.show();
    return l;
  };

  const drawPanel = (): void => {
    const step = slides[index]!;
    const cmd = stepCommand(step);
    place();
    if (!cmd) return;
    const r = results.get(index);
    right.setLabel(` $ ${esc(r && r !== 'running' ? r.shown : cmd)} `);
    if (!opts.run) right.setContent(`{yellow-fg}(text only: --no-run){/}\n\n$ ${esc(cmd)}`);
    else if (!r || r === 'running') right.setContent('{yellow-fg}running…{/}');
    else if (r.unavailable) right.setContent(`{yellow-fg}${esc(r.unavailable)}{/}`);
    else right.setContent(esc(r.output || '(no output)'));
  };

  const draw = (): void => {
    const step = slides[index]!;
    top.setContent(`{bold}${esc(lesson.title)}{/bold}    step ${index + 1} / ${slides.length}`);
    const parts = [`{bold}{underline}${esc(step.title)}{/underline}{/bold}`, '', esc(airy(step.text))];
    const next = step.lesson ?? step.mistake;
    if (next && !stepCommand(step)) parts.push('', `{cyan-fg}next: oslens learn ${esc(next)}{/cyan-fg}`);
    const n = stepNotice(step, shownOutput());
    if (n.notice) parts.push('', `{green-fg}{bold}Notice:{/bold} ${esc(n.notice)}{/green-fg}`);
    for (const c of n.claims) parts.push('', `{yellow-fg}${esc(c.text)}{/yellow-fg}`);
    left.setContent(parts.join('\n'));
    left.setScroll(0);
    drawPanel();
    // Scroll the panel to what the notice points to (a bench row, a demo's measurements).
    const out = shownOutput();
    right.setScroll(out ? panelFocus(out, step.points ?? [], (right.height as number) - 2) : 0);
    screen.render();
  };

  const runCurrent = (force = false): void => {
    const i = index;
    const step = slides[i]!;
    if (!opts.run || !stepCommand(step) || (results.has(i) && !force)) return;
    results.set(i, 'running');
    void runStep(step, opts.registered, (screen.width as number) - 4).then((r) => {
      if (r) results.set(i, r);
      // The layout and the claims depend on the output: redraw the whole slide.
      if (i === index) draw();
    });
  };

  const go = (delta: number): void => {
    index = Math.max(0, Math.min(slides.length - 1, index + delta));
    runCurrent();
    draw();
  };

  await new Promise<void>((resolve) => {
    let closed = false;
    const close = (): void => {
      if (closed) return;
      closed = true;
      process.off('SIGTERM', close);
      screen.destroy();
      stopLessonProcess();
      resolve();
    };
    process.on('SIGTERM', close);
    screen.key(['q', 'C-c', 'escape'], close);
    screen.key(['n', 'right', 'space', 'pagedown', 'enter'], () => go(1));
    screen.key(['p', 'left', 'pageup', 'backspace'], () => go(-1));
    screen.key(['r'], () => {
      runCurrent(true);
      draw();
    });
    screen.key(['up', 'k'], () => {
      right.scroll(-1);
      screen.render();
    });
    screen.key(['down', 'j'], () => {
      right.scroll(1);
      screen.render();
    });
    screen.key(['K'], () => {
      left.scroll(-1);
      screen.render();
    });
    screen.key(['J'], () => {
      left.scroll(1);
      screen.render();
    });
    screen.on('resize', draw);
    go(0);
  });
}
