/** `bench --live`: draws a BenchLiveModel — a row per benchmark, its log-scale bar against the reference range. */
import blessed from 'blessed';
import type { Widgets } from 'blessed';
import contrib from 'blessed-contrib';
import { axisLabels, barSegments, type BenchLiveModel, type BenchRowView, type SegmentKind } from '../collect/bench.js';
import { lensFor, type SavedBench } from '../collect/lens.js';
import { Shell, cell, type Panel } from './shell.js';

const SEGMENT_STYLE: Record<SegmentKind, [string, string]> = {
  bar: ['{green-fg}', '█'],
  'bar-in-ref': ['{yellow-fg}', '█'],
  ref: ['{blue-fg}', '░'],
  empty: ['', ' '],
};

export class BenchView {
  private readonly list: Widgets.ListElement;
  private readonly gauge: contrib.Gauge;
  private model: BenchLiveModel | null = null;
  private readonly panel: Panel;

  constructor(
    private readonly shell: Shell,
    private readonly bench: () => SavedBench | null,
  ) {
    const screen = shell.screen;
    this.gauge = contrib.gauge({
      ...cell(12, 1, 0, 0, 2, 1),
      label: ' Progress ',
      border: { type: 'line' },
      stroke: 'green',
      fill: 'white',
    });
    screen.append(this.gauge);
    this.list = blessed.list({
      parent: screen,
      ...cell(12, 1, 2, 0, 10, 1),
      label: ' Benchmarks (log scale 0.1 ns … 1 s; ░ reference range, █ measured) ',
      tags: true,
      keys: true,
      vi: true,
      mouse: true,
      border: { type: 'line' },
      style: { border: { fg: 'cyan' }, selected: { bg: 'blue' } },
      items: [],
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
    this.gauge.setPercent(model.total === 0 ? 100 : Math.round((model.done / model.total) * 100));
    this.gauge.setLabel(
      ` Progress: ${model.done}/${model.total}${model.running ? ` — running ${model.running}` : ''} `,
    );
    this.shell.setKeyLine(status);
    this.shell.updateLens();
    this.shell.render();
  }
}
