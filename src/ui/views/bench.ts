/** `bench --live`: draws a BenchLiveModel — a row per benchmark, its log-scale bar against the reference range. */
import blessed from 'blessed';
import type { Widgets } from 'blessed';
import { axisLabels, barSegments, type BenchLiveModel, type BenchRowView, type SegmentKind } from '../collect/bench.js';
import { lensFor, type SavedBench } from '../collect/lens.js';
import { Shell, fitLabel, fitMarkup, place, type Panel } from './shell.js';

const SEGMENT_STYLE: Record<SegmentKind, [string, string]> = {
  bar: ['{green-fg}', '█'],
  'bar-in-ref': ['{yellow-fg}', '█'],
  ref: ['{blue-fg}', '░'],
  empty: ['', ' '],
};

export class BenchView {
  private readonly list: Widgets.ListElement;
  private readonly gauge: Widgets.BoxElement;
  private model: BenchLiveModel | null = null;
  private status = '';
  private readonly panel: Panel;

  constructor(
    private readonly shell: Shell,
    private readonly bench: () => SavedBench | null,
  ) {
    const screen = shell.screen;
    // The progress bar drawn with characters (a colour-only bar shows nothing in a log or
    // capture), one row inside a border.
    this.gauge = shell.textPanel('Progress');
    this.list = blessed.list({
      parent: screen,
      top: 0,
      left: 0,
      width: 10,
      height: 3,
      tags: true,
      keys: true,
      vi: true,
      mouse: true,
      border: { type: 'line' },
      style: { border: { fg: 'cyan' }, selected: { bg: 'blue' } },
      items: [],
    });
    fitLabel(this.list, ' Benchmarks (log scale 0.1 ns … 1 s; ░ reference range, █ measured) ');
    shell.onLayout((a) => {
      place(this.gauge, { ...a, height: 3 });
      place(this.list, { ...a, top: a.top + 3, height: a.height - 3 });
    });
    shell.onResize(() => {
      if (this.model) this.draw(this.model, this.status);
    });
    this.panel = { element: this.list, lens: () => this.lens() };
    shell.add(this.panel);
    this.list.on('select item', () => {
      this.shell.updateLens();
      this.shell.render();
    });
  }

  private selected(): BenchRowView | undefined {
    const i = (this.list as unknown as { selected: number }).selected;
    return this.model?.rows[i];
  }

  private lens() {
    const r = this.selected();
    if (!r) return lensFor({ label: 'Benchmarks', model: 'syscall-boundary', row: 'syscall' }, this.bench());
    return lensFor(
      {
        label: `${r.id}: ${r.title}`,
        model: r.model,
        row: r.row,
        benchId: r.id,
        detail: r.state === 'done' ? [`now: ${r.measured} per op, ${r.verdict}`] : r.measured ? [r.measured] : [],
      },
      this.bench(),
    );
  }

  draw(model: BenchLiveModel, status: string): void {
    this.model = model;
    this.status = status;
    const inner = Math.max(20, (this.list.width as number) - 4);
    // id 16, measured 10, reference 14, spaces: the bar gets the rest.
    const barWidth = Math.max(10, Math.min(40, inner - 16 - 10 - 14 - 4));
    const items = model.rows.map((r) => {
      const bar = barSegments(r.nsPerOp, r.refNs, barWidth)
        .map((s) => {
          const [open, ch] = SEGMENT_STYLE[s.kind];
          const text = ch.repeat(s.length);
          return open ? `${open}${text}{/}` : text;
        })
        .join('');
      const measured = r.state === 'running' ? '{yellow-fg}running…{/}' : blessed.escape(r.measured.slice(0, 10));
      const pad = (s: string, n: number) => (s.length >= n ? s.slice(0, n) : s + ' '.repeat(n - s.length));
      const measuredCell = r.state === 'running' ? `${measured}  ` : pad(blessed.escape(r.measured), 10);
      return `${pad(r.id, 16)} ${measuredCell} ${pad(r.reference, 14)} ${bar}`;
    });
    items.push(`${' '.repeat(16 + 1 + 10 + 1 + 14 + 1)}${axisLabels(barWidth)}`);
    const sel = (this.list as unknown as { selected: number }).selected;
    this.list.setItems(items as unknown as Widgets.BlessedElement[]);
    this.list.select(Math.min(sel, items.length - 1));
    const percent = model.total === 0 ? 100 : Math.round((model.done / model.total) * 100);
    const gaugeW = Math.max(4, (this.gauge.width as number) - 3);
    const barW = Math.max(1, gaugeW - 6);
    const full = Math.round((percent / 100) * barW);
    this.gauge.setContent(
      fitMarkup(`{green-fg}${'█'.repeat(full)}{/}${'░'.repeat(barW - full)} ${String(percent).padStart(3)}%`, gaugeW),
    );
    fitLabel(
      this.gauge,
      ` Progress: ${model.done}/${model.total}${model.running ? ` — running ${model.running}` : ''} `,
    );
    this.shell.setKeyLine(status);
    this.shell.updateLens();
    this.shell.render();
  }
}
