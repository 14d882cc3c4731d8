/** `oslens trace --live`: draws a TraceLiveModel — the scrolling log and the per-syscall table. */
import blessed from 'blessed';
import type { Widgets } from 'blessed';
import { lensFor, type LensFocus, type SavedBench } from '../collect/lens.js';
import { shortDuration, syscallRowLine, traceHeader, traceModelWidth, type TraceLiveModel } from '../collect/trace.js';
import { escapeForTerminal } from '../../util/terminal.js';
import { Shell, fitLabel, gridCell, headedList, panel, place, setContentIfChanged, setListItems } from './shell.js';

export const TRACE_KEYS = ['↑/↓, j/k   select a syscall (the lens explains its model and latency)'];

export class TraceView {
  private readonly log: Widgets.BoxElement;
  private readonly frame: Widgets.BoxElement;
  private readonly header: Widgets.BoxElement;
  private readonly table: Widgets.ListElement;
  private model: TraceLiveModel | null = null;
  private drawing = false;

  constructor(
    private readonly shell: Shell,
    private readonly bench: SavedBench | null,
    title: string,
  ) {
    this.log = blessed.box({
      parent: shell.screen,
      top: 0,
      left: 0,
      width: 10,
      height: 3,
      tags: false,
      border: { type: 'line' },
      style: { border: { fg: 'cyan' } },
      padding: { left: 1 },
      wrap: false,
    });
    // Cut to the border, never wrapped into the log (a long command line is a long title).
    fitLabel(this.log, ` Syscalls: ${escapeForTerminal(title)} `);
    this.frame = panel(shell.screen, 'Per syscall: count and latency (busiest first)');
    ({ header: this.header, list: this.table } = headedList(this.frame, false));
    shell.onLayout((a) => {
      // The log gets the larger half; the table at least its header and a few rows.
      place(this.log, gridCell(a, 2, 1, 0, 0));
      place(this.frame, gridCell(a, 2, 1, 1, 0));
    });
    shell.add({ element: this.table, frame: this.frame, lens: () => lensFor(this.focus(), this.bench) });
    shell.add({
      element: this.log,
      lens: () =>
        lensFor(
          {
            label: 'Syscall stream',
            model: 'syscall-boundary',
            row: 'syscall',
            detail: ['Each line: time [tid] call(arguments) = result <seconds in the call> [model].'],
          },
          this.bench,
        ),
    });
    this.table.on('select item', () => {
      if (this.drawing) return;
      this.shell.updateLens();
      this.shell.render();
    });
    shell.onResize(() => {
      if (this.model) this.draw(this.model);
    });
  }

  private focus(): LensFocus {
    const i = (this.table as unknown as { selected: number }).selected;
    const r = this.model?.rows[i];
    if (!r) return { label: 'Per-syscall table', model: 'syscall-boundary', row: 'syscall' };
    return {
      label: `${r.name}()`,
      model: r.model ?? 'syscall-boundary',
      row: 'syscall',
      detail: [
        `${r.calls} calls (${r.perSec.toFixed(0)}/s), ${r.errors} failed`,
        `average ${shortDuration(r.avgSeconds)}, max ${shortDuration(r.maxSeconds)}, total ${shortDuration(r.totalSeconds)} (traced: the tracer adds its own cost to each call)`,
      ],
    };
  }

  draw(m: TraceLiveModel): void {
    this.model = m;
    this.drawing = true;
    const changed: Widgets.BlessedElement[] = [];
    try {
      const h = Math.max(1, (this.log.height as number) - 2);
      const w = Math.max(10, (this.log.width as number) - 4);
      if (
        setContentIfChanged(
          this.log,
          m.log
            .slice(-h)
            // Arguments come escaped by the decoders; an exec path or a name may not be.
            .map((l) => escapeForTerminal(l).slice(0, w))
            .join('\n'),
        )
      )
        changed.push(this.log);
      const modelWidth = traceModelWidth(Math.max(20, (this.table.width as number) - 1));
      if (setContentIfChanged(this.header, `{bold}${traceHeader(modelWidth)}{/bold}`)) changed.push(this.frame);
      if (
        setListItems(
          this.table,
          m.rows.map((r) => syscallRowLine(r, modelWidth)),
        )
      )
        changed.push(this.frame);
    } finally {
      this.drawing = false;
    }
    this.shell.updateLens();
    this.shell.renderChanged(changed);
  }
}
