/** `oslens watch PID`: draws a WatchModel — regions with RSS deltas, RSS chart, fault and switch rates. */
import blessed from 'blessed';
import type { Widgets } from 'blessed';
import { REGION_KIND_HELP } from '../../proc/maps.js';
import { formatBytes } from '../../proc/format.js';
import { lensFor, type LensFocus, type SavedBench } from '../collect/lens.js';
import { regionName, type RegionRow, type WatchModel } from '../collect/watch.js';
import { REGION_HEADER, num, pct, regionLine } from '../plain.js';
import { blockChart, sparkText } from '../collect/history.js';
import { Shell, fitLabel, fitMarkup, gridCell, headedList, place, shownText, type Area, type Panel } from './shell.js';

export const WATCH_KEYS = ['↑↓ j k    select a region (lens: its kind)', 'yellow    rows that grew or shrank'];

/**
 * RSS over time as text: a block chart between a floor and a ceiling with the two on a y axis
 * at the left, and a time axis below (oldest sample on the left, "now" on the right).
 */
export function rssChartLines(values: readonly number[], width: number, height: number, intervalS: number): string[] {
  const max = Math.max(1, ...values);
  const min = Math.min(max, ...values);
  // The floor: zero unless RSS stays within the top half (then the changes would be flat).
  const lo = min > max / 2 ? min * 0.9 : 0;
  const hi = max * 1.05;
  const top = formatBytes(hi);
  const bottom = formatBytes(lo);
  const axisW = Math.max(top.length, bottom.length) + 1;
  const chartW = Math.max(1, width - axisW);
  const rows = Math.max(1, height - 1);
  const chart = blockChart(
    values.map((v) => v - lo),
    chartW,
    rows,
    hi - lo,
  );
  const lines = chart.map((row, i) => {
    const label = i === 0 ? top : i === rows - 1 ? bottom : '';
    return `${label.padStart(axisW - 1)}┤{green-fg}${row}{/}`;
  });
  const span = Math.min(values.length, chartW);
  const left = `-${Math.round(span * intervalS)}s`;
  lines.push(`${' '.repeat(axisW - 1)}└${left}${'now'.padStart(Math.max(0, chartW - left.length))}`);
  return lines.slice(0, height);
}

export class WatchView {
  private readonly status: Widgets.BoxElement;
  private readonly regionsFrame: Widgets.BoxElement;
  private readonly header: Widgets.BoxElement;
  private readonly regions: Widgets.ListElement;
  private readonly rssChart: Widgets.BoxElement;
  private readonly faults: Widgets.BoxElement;
  private readonly switches: Widgets.BoxElement;
  private readonly syscalls: Widgets.BoxElement;
  private model: WatchModel | null = null;

  constructor(
    private readonly shell: Shell,
    private readonly bench: SavedBench | null,
    /** Seconds between samples (the time axis of the RSS chart). */
    private readonly intervalS = 1,
  ) {
    this.status = shell.textPanel('Process');
    this.regionsFrame = shell.textPanel('Regions (smaps), largest RSS first');
    ({ header: this.header, list: this.regions } = headedList(this.regionsFrame, true));
    this.rssChart = shell.textPanel('RSS');
    this.faults = shell.textPanel('Faults/s');
    this.switches = shell.textPanel('Switches/s');
    this.syscalls = shell.textPanel('Syscalls /s (eBPF)');
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
    shell.onLayout((a) => this.layout(a));
    shell.onResize(() => {
      if (this.model) this.draw(this.model);
    });
  }

  /**
   * The process line on top, the regions table in the middle (most of the height), the charts
   * row below it, the syscalls line at the bottom.
   */
  private layout(a: Area): void {
    const statusH = 4;
    const syscallsH = 3;
    const chartsH = Math.max(6, Math.round(a.height * 0.25));
    const regionsH = Math.max(5, a.height - statusH - syscallsH - chartsH);
    let y = a.top;
    place(this.status, { ...a, top: y, height: statusH });
    y += statusH;
    place(this.regionsFrame, { ...a, top: y, height: regionsH });
    y += regionsH;
    const row: Area = { top: y, left: a.left, width: a.width, height: chartsH };
    // Narrow: the RSS chart takes half, the two rates a quarter each.
    place(this.rssChart, gridCell(row, 1, 4, 0, 0, 1, 2));
    place(this.faults, gridCell(row, 1, 4, 0, 2));
    place(this.switches, gridCell(row, 1, 4, 0, 3));
    y += chartsH;
    place(this.syscalls, { ...a, top: y, height: Math.max(3, a.top + a.height - y) });
  }

  /** A text panel's content, each line cut to the panel. */
  private put(el: Widgets.BoxElement, lines: string[]): void {
    const w = Math.max(1, (el.width as number) - 4);
    const h = Math.max(1, (el.height as number) - 2);
    el.setContent(
      lines
        .slice(0, h)
        .map((l) => fitMarkup(l, w))
        .join('\n'),
    );
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
    const sign = m.rssDelta > 0 ? '+' : m.rssDelta < 0 ? '-' : '±';
    const status = [
      `{bold}${shownText(m.comm)}{/bold} pid ${m.pid}  state ${m.state} (${m.stateName})  threads ${m.threads}  CPU ${pct(m.cpuPercent)}`,
      `RSS ${formatBytes(m.rss)} (${sign}${formatBytes(Math.abs(m.rssDelta))})  virtual ${formatBytes(m.virtualSize)}  ` +
        shownText(m.command.replace(/\s+/g, ' ')),
    ];
    if (m.exited) status.unshift(`{red-fg}{bold}${shownText(m.exitNote)}{/bold}{/red-fg}`);
    this.put(this.status, status.slice(0, 2));
    // The table's width: the region's name gets what the fixed columns (kind … PERM) leave.
    const width = Math.max(20, (this.regions.width as number) - 1);
    const fixed = REGION_HEADER.length - 24;
    const nameWidth = Math.max(8, width - fixed - 1);
    this.header.setContent(`{bold}${'REGION'.padEnd(nameWidth)}${REGION_HEADER.slice(24)}{/bold}`);
    const shown = m.regions;
    this.regions.setItems(
      shown.map((r) => {
        const line = blessed.escape(regionLine(r, nameWidth));
        return r.changed ? `{yellow-fg}{bold}${line}{/bold}{/yellow-fg}` : line;
      }) as unknown as Widgets.BlessedElement[],
    );
    const changed = shown.filter((r) => r.changed).length;
    fitLabel(
      this.regionsFrame,
      ` Regions (smaps): ${shown.length}, ${changed} changed — largest RSS first${m.exited ? ' — exited' : ''} `,
    );
    const h = m.history;
    const chart = { w: (this.rssChart.width as number) - 4, h: (this.rssChart.height as number) - 2 };
    this.put(this.rssChart, rssChartLines(h.rss, chart.w, chart.h, this.intervalS));
    fitLabel(this.rssChart, ` RSS ${formatBytes(m.rss)} `);
    const sparkW = (el: Widgets.BoxElement) => Math.max(4, (el.width as number) - 3);
    this.put(this.faults, [
      `minor ${num(m.minorFaultsPerSec)}/s`,
      `{green-fg}${sparkText(h.minorFaults, sparkW(this.faults))}{/}`,
      `major ${num(m.majorFaultsPerSec)}/s`,
      `{red-fg}${sparkText(h.majorFaults, sparkW(this.faults))}{/}`,
    ]);
    this.put(this.switches, [
      `voluntary ${num(m.voluntaryPerSec)}/s`,
      `{cyan-fg}${sparkText(h.voluntary, sparkW(this.switches))}{/}`,
      `preempted ${num(m.nonvoluntaryPerSec)}/s`,
      `{magenta-fg}${sparkText(h.nonvoluntary, sparkW(this.switches))}{/}`,
    ]);
    if (m.syscalls === null) this.put(this.syscalls, [shownText(m.syscallsNote || 'no eBPF counts')]);
    else if (m.syscalls.length === 0) this.put(this.syscalls, ['no syscalls in the last interval']);
    else
      this.put(this.syscalls, [
        m.syscalls
          .slice(0, 12)
          .map((s) => `${s.name} ${num(s.perSec)}`)
          .join('  '),
      ]);
    this.shell.setKeyLine(m.exited ? m.exitNote : `watching pid ${m.pid}`);
    this.shell.updateLens();
    this.shell.render();
  }
}
