/** `oslens watch PID`: draws a WatchModel — regions with RSS deltas, RSS chart, fault and switch rates. */
import blessed from 'blessed';
import type { Widgets } from 'blessed';
import contrib from 'blessed-contrib';
import { REGION_KIND_HELP } from '../../proc/maps.js';
import { formatBytes } from '../../proc/format.js';
import { lensFor, type LensFocus, type SavedBench } from '../collect/lens.js';
import { regionName, type RegionRow, type WatchModel } from '../collect/watch.js';
import { REGION_HEADER, num, pct, regionLine } from '../plain.js';
import { escapeForTerminal } from '../../util/terminal.js';
import { Shell, cell, headedList, shownText, type Panel } from './shell.js';

export const WATCH_KEYS = [
  '↑/↓, j/k   select a region (the lens explains its kind)',
  'yellow rows: regions that grew or shrank in the last interval',
];

export class WatchView {
  private readonly status: Widgets.BoxElement;
  private readonly regionsFrame: Widgets.BoxElement;
  private readonly header: Widgets.BoxElement;
  private readonly regions: Widgets.ListElement;
  private readonly rssChart: contrib.LineChart;
  private readonly faults: contrib.Sparkline;
  private readonly switches: contrib.Sparkline;
  private readonly syscalls: Widgets.BoxElement;
  private model: WatchModel | null = null;

  constructor(
    private readonly shell: Shell,
    private readonly bench: SavedBench | null,
  ) {
    const G = (r: number, c: number, rs: number, cs: number) => cell(12, 4, r, c, rs, cs);
    this.status = shell.textPanel(G(0, 0, 2, 4), 'Process');
    this.regionsFrame = shell.textPanel(G(2, 0, 5, 4), 'Regions (smaps), largest RSS first');
    ({ header: this.header, list: this.regions } = headedList(this.regionsFrame, true));
    this.rssChart = contrib.line({
      ...G(7, 0, 3, 2),
      label: ' RSS (MiB) ',
      border: { type: 'line' },
      style: { line: 'green', text: 'white', baseline: 'white', border: { fg: 'cyan' } },
      xPadding: 4,
    });
    shell.screen.append(this.rssChart);
    this.faults = contrib.sparkline({
      ...G(7, 2, 3, 1),
      label: ' Faults/s ',
      tags: true,
      border: { type: 'line' },
      style: { fg: 'green', titleFg: 'white', border: { fg: 'cyan' } },
    });
    shell.screen.append(this.faults);
    this.switches = contrib.sparkline({
      ...G(7, 3, 3, 1),
      label: ' Switches/s ',
      tags: true,
      border: { type: 'line' },
      style: { fg: 'cyan', titleFg: 'white', border: { fg: 'cyan' } },
    });
    shell.screen.append(this.switches);
    this.syscalls = shell.textPanel(G(10, 0, 2, 4), 'Syscalls /s (eBPF)');

    const panel = (
      element: Widgets.BlessedElement,
      focus: () => LensFocus,
      frameEl?: Widgets.BlessedElement,
    ): Panel => ({
      element,
      frame: frameEl,
      lens: () => lensFor(focus(), this.bench),
    });
    shell.add(panel(this.regions, () => this.regionFocus(), this.regionsFrame));
    shell.add(
      panel(this.rssChart, () => ({
        label: 'RSS over time',
        model: 'virtual-memory',
        row: 'main-memory',
        detail: [
          'Resident = pages of the address space now in RAM (sum of smaps Rss). Touching new memory raises it, one fault per page.',
        ],
      })),
    );
    shell.add(
      panel(this.faults, () => ({
        label: 'Page faults /s',
        model: 'page-table-tlb',
        row: 'minor-vs-major-fault',
        detail: ['minflt/majflt from /proc/PID/stat: minor = mapped from RAM, major = waited for the disk.'],
      })),
    );
    shell.add(
      panel(this.switches, () => ({
        label: 'Context switches /s',
        model: 'scheduling',
        row: 'ctxsw-cross-process',
        detail: ['voluntary (it blocked: I/O, sleep, lock) and nonvoluntary (preempted), from /proc/PID/status.'],
      })),
    );
    shell.add(
      panel(this.syscalls, () => ({
        label: 'Syscalls /s',
        model: 'syscall-boundary',
        row: 'syscall',
        detail: ['Counted in the kernel by the syscount eBPF program, for this process only.'],
      })),
    );
    shell.add(
      panel(this.status, () => ({
        label: 'Process',
        model: 'process',
        detail: this.model ? [`state ${this.model.state}: ${this.model.stateName}`] : [],
      })),
    );
    this.regions.on('select item', () => {
      if (this.shell.focused?.element === this.regions) this.shell.updateLens();
      this.shell.render();
    });
    shell.onResize(() => {
      this.rssChart.emit('attach');
      if (this.model) this.draw(this.model);
    });
  }

  private selectedRegion(): RegionRow | undefined {
    const i = (this.regions as unknown as { selected: number }).selected;
    return this.model?.regions[i];
  }

  private regionFocus(): LensFocus {
    const r = this.selectedRegion();
    if (!r) return { label: 'Regions', model: 'virtual-memory', row: 'main-memory' };
    return {
      label: `region ${regionName(r)} (${r.kind})`,
      model: r.kind === 'file' || r.kind === 'text' || r.kind === 'rodata' ? 'page-cache' : 'virtual-memory',
      row: 'main-memory',
      detail: [
        `${r.kind}: ${REGION_KIND_HELP[r.kind]}`,
        `size ${formatBytes(r.size)}, resident ${formatBytes(r.rss)}, dirty ${formatBytes(r.dirty)}, swap ${formatBytes(r.swap)}`,
      ],
    };
  }

  draw(m: WatchModel): void {
    this.model = m;
    const exited = m.exited ? `{red-fg}{bold}${shownText(m.exitNote)}{/bold}{/red-fg}\n` : '';
    const sign = m.rssDelta > 0 ? '+' : m.rssDelta < 0 ? '-' : '±';
    this.status.setContent(
      exited +
        `{bold}${shownText(m.comm)}{/bold} pid ${m.pid}  state ${m.state} (${m.stateName})  threads ${m.threads}  CPU ${pct(m.cpuPercent)}\n` +
        `RSS ${formatBytes(m.rss)} (${sign}${formatBytes(Math.abs(m.rssDelta))})  virtual ${formatBytes(m.virtualSize)}  ` +
        `${blessed.escape(escapeForTerminal(m.command.replace(/\s+/g, ' ')).slice(0, 60))}`,
    );
    const nameWidth = Math.max(12, (this.regions.width as number) - (REGION_HEADER.length - 24) - 2);
    this.header.setContent(`{bold}${'REGION'.padEnd(nameWidth)}${REGION_HEADER.slice(24)}{/bold}`);
    const shown = m.regions;
    this.regions.setItems(
      shown.map((r) => {
        const line = blessed.escape(regionLine(r, nameWidth));
        return r.changed ? `{yellow-fg}{bold}${line}{/bold}{/yellow-fg}` : line;
      }) as unknown as Widgets.BlessedElement[],
    );
    const changed = shown.filter((r) => r.changed).length;
    this.regionsFrame.setLabel(
      ` Regions (smaps): ${shown.length}, ${changed} changed — largest RSS first${m.exited ? ' — exited' : ''} `,
    );
    const h = m.history;
    const x = h.rss.map((_, i, a) => String(i - a.length + 1));
    this.rssChart.setData([{ title: 'RSS', x, y: h.rss.map((b) => b / 2 ** 20) }]);
    this.rssChart.setLabel(` RSS ${formatBytes(m.rss)} (MiB) `);
    this.faults.setData(
      [`minor ${num(m.minorFaultsPerSec)}/s`, `major ${num(m.majorFaultsPerSec)}/s`],
      [h.minorFaults.map((v) => v + 1e-9), h.majorFaults.map((v) => v + 1e-9)],
    );
    this.switches.setData(
      [`voluntary ${num(m.voluntaryPerSec)}/s`, `preempted ${num(m.nonvoluntaryPerSec)}/s`],
      [h.voluntary.map((v) => v + 1e-9), h.nonvoluntary.map((v) => v + 1e-9)],
    );
    if (m.syscalls === null) this.syscalls.setContent(blessed.escape(m.syscallsNote || 'no eBPF counts'));
    else if (m.syscalls.length === 0) this.syscalls.setContent('no syscalls in the last interval');
    else
      this.syscalls.setContent(
        m.syscalls
          .slice(0, 8)
          .map((s) => `${s.name} ${num(s.perSec)}`)
          .join('  '),
      );
    this.shell.setKeyLine(m.exited ? m.exitNote : `watching pid ${m.pid}`);
    this.shell.updateLens();
    this.shell.render();
  }
}
