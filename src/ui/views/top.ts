/** `oslens top`: draws a TopModel — CPU, load, switches, faults, memory/PSI, the process table. */
import blessed from 'blessed';
import type { Widgets } from 'blessed';
import { formatBytes } from '../../proc/format.js';
import { blockChart, sparkText } from '../collect/history.js';
import { lensFor, type LensContent, type LensFocus, type SavedBench } from '../collect/lens.js';
import type { ProcessRateRow, ProcessSortKey } from '../collect/processes.js';
import type { TopModel } from '../collect/top.js';
import { PROCESS_HEADER, num, pct, processHeader, processLine } from '../plain.js';
import {
  FastText,
  Shell,
  cell,
  fitLabel,
  headedList,
  setContentIfChanged,
  setListItems,
  shownText,
  type Panel,
} from './shell.js';

const SERIES_COLORS = ['yellow', 'green', 'cyan', 'magenta', 'red', 'blue', 'white'];

/**
 * Per-core busy history as text: a block chart per core when the box has room (a label line and
 * at least two chart rows each), otherwise one sparkline row per core.
 */
export function cpuChartLines(
  history: readonly number[][],
  busyNow: readonly number[],
  width: number,
  height: number,
): string[] {
  const n = history.length;
  const lines: string[] = [];
  const per = Math.floor(height / Math.max(1, n));
  const color = (i: number) => SERIES_COLORS[i % SERIES_COLORS.length] as string;
  history.forEach((h, i) => {
    const label = `cpu${i}`;
    const now = pct(busyNow[i] ?? 0).padStart(6);
    if (per >= 3) {
      lines.push(`${label} ${now}`);
      for (const row of blockChart(h, width, per - 1, 100)) lines.push(`{${color(i)}-fg}${row}{/}`);
    } else {
      const w = Math.max(1, width - label.length - now.length - 2);
      lines.push(`${label} {${color(i)}-fg}${sparkText(h, w).padStart(w)}{/} ${now}`);
    }
  });
  return lines.slice(0, Math.max(0, height));
}

export const TOP_KEYS = [
  '↑/↓, j/k   select a process (the lens explains its figures)',
  'Enter      details of the selected process',
  'w          watch the selected process (oslens watch PID)',
  'c m f s y p  sort by CPU, RSS (memory), faults/s, switches/s, syscalls/s, PID',
];

const SORT_LETTER: Record<string, ProcessSortKey> = {
  c: 'cpu',
  m: 'rss',
  f: 'faults',
  s: 'ctxsw',
  y: 'syscalls',
  p: 'pid',
};

export class TopView {
  private readonly chart: Widgets.BoxElement;
  private readonly split: Widgets.BoxElement;
  private readonly load: Widgets.BoxElement;
  private readonly switches: Widgets.BoxElement;
  private readonly faults: Widgets.BoxElement;
  private readonly memory: Widgets.BoxElement;
  private readonly tableFrame: Widgets.BoxElement;
  private readonly header: Widgets.BoxElement;
  private readonly table: Widgets.ListElement;
  private readonly detail: Widgets.BoxElement;
  private model: TopModel | null = null;
  private shownPids: number[] = [];
  /** While draw() runs: the list's own select events must not render (draw renders once). */
  private drawing = false;
  private tableLabel = '';
  private labelChanged = false;
  private labelShrank = false;
  private labelUpdates = 0;
  /** The text panels' per-tick path (see FastText). */
  private readonly texts = new Map<Widgets.BlessedElement, FastText>();
  /** During draw(): write panel lines directly, and which panels need a blessed render. */
  private direct = false;
  private toRender: Widgets.BlessedElement[] = [];
  /** The table rows of the last model; the list's items may lag behind (see writeRows). */
  private rowLines: string[] = [];
  private itemsStale = false;
  /** What writeRows last wrote on each table row ('' = unknown: rewrite). */
  private rowCache: string[] = [];
  onSort: (key: ProcessSortKey) => void = () => {};
  onWatch: (pid: number) => void = () => {};

  constructor(
    private readonly shell: Shell,
    private readonly bench: SavedBench | null,
  ) {
    const G = (r: number, c: number, rs: number, cs: number) => cell(12, 4, r, c, rs, cs);
    this.chart = shell.textPanel(G(0, 0, 4, 2), 'CPU per core (% busy, last 60 samples)');
    this.split = shell.textPanel(G(0, 2, 4, 2), 'CPU time split: user / system / iowait');
    this.load = shell.textPanel(G(4, 0, 3, 1), 'Load & run queue');
    this.switches = shell.textPanel(G(4, 1, 3, 1), 'Switches/s');
    this.faults = shell.textPanel(G(4, 2, 3, 1), 'Faults/s');
    this.memory = shell.textPanel(G(4, 3, 3, 1), 'Memory & PSI');
    this.tableFrame = shell.textPanel(G(7, 0, 5, 4), 'Processes');
    ({ header: this.header, list: this.table } = headedList(this.tableFrame, false));
    this.detail = blessed.box({
      parent: shell.screen,
      top: 'center',
      left: 'center',
      width: '60%',
      height: '50%',
      label: ' Process ',
      tags: true,
      border: { type: 'line' },
      style: { border: { fg: 'yellow' } },
      padding: { left: 1, right: 1 },
      hidden: true,
    });

    const panel = (element: Widgets.BlessedElement, focus: () => LensFocus, frame?: Widgets.BlessedElement): Panel => ({
      element,
      frame,
      lens: (): LensContent => lensFor(focus(), this.bench),
    });
    // Focus order: the process table first (what people come for), then the system panels.
    shell.add(panel(this.table, () => this.processFocus(), this.tableFrame));
    shell.add(
      panel(this.chart, () => ({
        label: 'CPU per core',
        model: 'scheduling',
        row: 'ctxsw-same-process',
        detail: ['Busy = user + system + irq/softirq + steal, per core, from /proc/stat (two samples apart).'],
      })),
    );
    shell.add(
      panel(this.split, () => ({
        label: 'CPU time split',
        model: 'syscall-boundary',
        row: 'syscall',
        detail: [
          'user: your code. system: the kernel working for it (syscalls, faults). iowait: idle while I/O was pending.',
        ],
      })),
    );
    shell.add(
      panel(this.load, () => ({
        label: 'Load & run queue',
        model: 'scheduling',
        detail: ['Load = runnable + uninterruptible (D) tasks, averaged over 1/5/15 min; run queue = runnable now.'],
      })),
    );
    shell.add(
      panel(this.switches, () => ({
        label: 'Context switches & interrupts /s',
        model: 'scheduling',
        row: 'ctxsw-cross-process',
        detail: [
          '/proc/stat ctxt and intr counters, per second. A process row counts its switches in (/proc/PID/schedstat).',
        ],
      })),
    );
    shell.add(
      panel(this.faults, () => ({
        label: 'Page faults /s',
        model: 'virtual-memory',
        row: 'minor-vs-major-fault',
        detail: ['/proc/vmstat pgfault - pgmajfault (minor: page in RAM) and pgmajfault (major: read from disk).'],
      })),
    );
    shell.add(
      panel(this.memory, () => ({
        label: 'Memory & pressure',
        model: 'page-cache',
        row: 'major-fault',
        detail: ['/proc/meminfo; PSI = /proc/pressure/*: % of the last 10 s some task stalled on CPU, memory, I/O.'],
      })),
    );

    this.table.on('select item', () => {
      if (this.drawing) return;
      if (this.shell.focused?.element === this.table) this.shell.updateLens();
      this.shell.render();
    });
    this.table.key(['enter'], () => this.toggleDetail());
    shell.screen.key(['escape'], () => {
      if (!this.detail.hidden) {
        this.detail.hide();
        this.shell.render();
      }
    });
    shell.screen.key(['w'], () => {
      const r = this.selectedRow();
      if (r) this.onWatch(r.pid);
    });
    shell.screen.key(Object.keys(SORT_LETTER), (ch: string) => {
      const key = SORT_LETTER[ch];
      if (key) this.onSort(key);
    });
    shell.onResize(() => {
      if (this.model) this.draw(this.model);
    });
    for (const el of [this.chart, this.split, this.load, this.switches, this.faults, this.memory])
      this.texts.set(el, new FastText(el, shell.direct));
    // The table's rows as blank items from the start: the first refresh only fills them in.
    setListItems(this.table, new Array<string>(Math.max(1, (this.table.height as number) || 20)).fill(''));
    shell.beforeFullRender(() => {
      this.syncItems();
      for (const t of this.texts.values()) t.flush();
    });
  }

  /** Brings the list's items up to date with the last rows (before blessed renders them). */
  private syncItems(): void {
    if (this.itemsStale) {
      setListItems(this.table, this.rowLines);
      this.itemsStale = false;
    }
    this.rowCache = [];
  }

  /**
   * The per-tick path of the process table: writes the rows whose text (or selection) changed
   * straight to the terminal (DirectLines), instead of updating the list items (each a blessed
   * element: tag parsing, wrapping, a render of every cell). Returns false when it cannot (not
   * laid out yet, scrolled, a character that is not printable ASCII): the caller renders the list.
   */
  private writeRows(): boolean {
    const t = this.table as unknown as {
      lpos?: { xi: number; xl: number; yi: number; yl: number };
      childBase: number;
      selected: number;
      style: { item: object; selected: object };
      sattr(style: object): number;
    };
    const lpos = t.lpos;
    const direct = this.shell.direct;
    if (!lpos || t.childBase !== 0 || this.tableFrame.hidden || !direct.usable) return false;
    const rows = this.rowLines;
    const width = lpos.xl - lpos.xi;
    for (const line of rows) {
      if (line.length > width) return false;
      for (let i = 0; i < line.length; i++) {
        const c = line.charCodeAt(i);
        if (c < 0x20 || c > 0x7e) return false;
      }
    }
    const normal = direct.code(t.sattr(t.style.item));
    const selected = direct.code(t.sattr(t.style.selected));
    const n = Math.min(rows.length, lpos.yl - lpos.yi);
    for (let i = 0; i < n; i++) {
      const sel = i === t.selected;
      const line = rows[i] as string;
      const key = sel ? `\u0001${line}` : line;
      if (this.rowCache[i] === key) continue;
      this.rowCache[i] = key;
      direct.put(lpos.yi + i, lpos.xi, width, (sel ? selected : normal) + line.padEnd(width));
    }
    return true;
  }

  private selectedRow(): ProcessRateRow | undefined {
    const i = (this.table as unknown as { selected: number }).selected;
    const pid = this.shownPids[i];
    return this.model?.processes.find((p) => p.pid === pid);
  }

  private processFocus(): LensFocus {
    const r = this.selectedRow();
    if (!r) return { label: 'Processes', model: 'process' };
    return {
      label: `${r.comm} (pid ${r.pid})`,
      model: r.threads > 1 ? 'thread' : 'process',
      row: 'ctxsw-cross-process',
      detail: [
        // No per-tick figures here (they are on the selected row, and in Enter's details): the
        // lens would be re-wrapped and redrawn every tick, a large part of a tick's cost.
        `${r.threads} thread${r.threads === 1 ? '' : 's'}, user ${r.user}`,
        'Its row: CPU% = utime + stime over the interval, FLT/s = minor + major faults (/proc/PID/stat), CSW/s = times switched in (schedstat). Enter: all its figures.',
      ],
    };
  }

  private toggleDetail(): void {
    const r = this.selectedRow();
    if (!this.detail.hidden || !r) {
      this.detail.hide();
      this.shell.render();
      return;
    }
    this.detail.setLabel(` Process ${r.pid} `);
    this.detail.setContent(
      [
        `{bold}${shownText(r.command)}{/bold}`,
        '',
        `pid ${r.pid}  user ${shownText(r.user)}  state ${r.state}  threads ${r.threads}${r.kernelThread ? '  (kernel thread)' : ''}`,
        `CPU ${pct(r.cpuPercent)}   RSS ${formatBytes(r.rss)}`,
        `faults/s: minor ${num(r.minorFaultsPerSec)}  major ${num(r.majorFaultsPerSec)}`,
        `context switches/s: ${num(r.contextSwitchesPerSec)}`,
        `syscalls/s: ${r.syscallsPerSec === null ? (this.model?.syscallsNote ?? '-') : num(r.syscallsPerSec)}`,
        '',
        'w: watch this process (regions, RSS, faults)   Esc/Enter: close',
      ].join('\n'),
    );
    this.detail.show();
    this.detail.setFront();
    this.shell.render();
  }

  draw(m: TopModel): void {
    const overlay = !this.detail.hidden;
    const full = this.shell.willRenderFully(overlay);
    this.direct = !full;
    this.toRender = [];
    this.drawing = true;
    try {
      this.drawPanels(m);
    } finally {
      this.drawing = false;
    }
    this.shell.updateLens();
    // Only the panels whose text changed are redrawn, their lines written directly when they can
    // be; the process table changes every tick, its rows written directly when nothing else about
    // it changed.
    const changed = this.toRender;
    if (!full) {
      // A label as long or longer covers the old one: render it alone (the count changes often).
      const label = (this.tableFrame as unknown as { _label?: Widgets.BlessedElement })._label;
      if (this.itemsStale && !this.labelShrank && (!this.labelChanged || label) && this.writeRows()) {
        if (this.labelChanged && label) changed.push(label);
      } else {
        this.syncItems();
        changed.push(this.tableFrame);
      }
    }
    this.labelChanged = false;
    this.labelShrank = false;
    this.shell.renderChanged(changed, overlay);
  }

  /** Sets a text panel's content (directly into the screen when drawing a tick). */
  private put(el: Widgets.BlessedElement, text: string): void {
    const t = this.texts.get(el);
    if (!t) {
      if (setContentIfChanged(el, text)) this.toRender.push(el);
      return;
    }
    if (t.set(text, this.direct) === 'render') this.toRender.push(el);
  }

  private drawPanels(m: TopModel): void {
    this.model = m;
    const s = m.system;
    const h = m.history;
    const inner = (el: Widgets.BoxElement) => ({
      w: Math.max(1, (el.width as number) - 4),
      h: Math.max(1, (el.height as number) - 2),
    });
    const c = inner(this.chart);
    this.put(
      this.chart,
      cpuChartLines(
        h.cpuBusy,
        s.cpus.map((x) => x.busy),
        c.w,
        c.h,
      ).join('\n'),
    );

    const barW = Math.max(10, (this.split.width as number) - 24);
    const bar = (c: { user: number; system: number; iowait: number }) => {
      const n = (p: number) => Math.round((p / 100) * barW);
      const u = n(c.user);
      const sy = Math.min(barW - u, n(c.system));
      const w = Math.min(barW - u - sy, n(c.iowait));
      return `{green-fg}${'u'.repeat(u)}{/}{red-fg}${'s'.repeat(sy)}{/}{blue-fg}${'w'.repeat(w)}{/}${' '.repeat(barW - u - sy - w)}`;
    };
    const splitLines = s.cpus.map(
      (c, i) =>
        `cpu${i} [${bar(c)}] ${pct(c.busy).padStart(6)}\n      us ${c.user.toFixed(1)}  sy ${c.system.toFixed(1)}  wa ${c.iowait.toFixed(1)}`,
    );
    splitLines.push(`all  [${bar(s.total)}] ${pct(s.total.busy).padStart(6)}`);
    this.put(this.split, splitLines.join('\n'));

    const l = s.load;
    this.put(
      this.load,
      [
        l ? `1m  ${l.load1.toFixed(2)}` : 'no /proc/loadavg',
        l ? `5m  ${l.load5.toFixed(2)}` : '',
        l ? `15m ${l.load15.toFixed(2)}` : '',
        // R and D on one line, so a short panel (80x24) still shows the D count in the load.
        `R ${s.runQueue}  D ${s.blocked}`,
        l ? `tasks    ${l.total}` : '',
      ].join('\n'),
    );
    const sw = Math.max(5, (this.switches.width as number) - 4);
    this.put(
      this.switches,
      [
        `ctxsw ${num(s.contextSwitchesPerSec)}`,
        `{cyan-fg}${sparkText(h.contextSwitches, sw)}{/}`,
        `intr  ${num(s.interruptsPerSec)}`,
        `{cyan-fg}${sparkText(h.interrupts, sw)}{/}`,
      ].join('\n'),
    );
    this.put(
      this.faults,
      [
        `minor ${num(s.minorFaultsPerSec)}`,
        `{green-fg}${sparkText(h.minorFaults, sw)}{/}`,
        `major ${num(s.majorFaultsPerSec)}`,
        `{red-fg}${sparkText(h.majorFaults, sw)}{/}`,
      ].join('\n'),
    );
    const mem = s.memory;
    const p = s.pressure;
    const psi = (v: number | null | undefined) => (v === null || v === undefined ? '-' : v.toFixed(1));
    this.put(
      this.memory,
      [
        `used  ${formatBytes(mem.used)}/${formatBytes(mem.total)}`,
        `cache ${formatBytes(mem.pageCache)}`,
        `dirty ${formatBytes(mem.dirty)}`,
        `swap  ${formatBytes(mem.swapUsed)}/${formatBytes(mem.swapTotal)}`,
        p ? `PSI cpu ${psi(p.cpu)}` : 'PSI: not in this kernel',
        p ? `mem ${psi(p.memory)} io ${psi(p.io)}` : '',
      ].join('\n'),
    );

    const width = Math.max(20, (this.table.width as number) - 1);
    const cmdWidth = Math.max(8, width - PROCESS_HEADER.indexOf('COMMAND'));
    if (setContentIfChanged(this.header, `{bold}${processHeader(m.sort)}{/bold}`)) this.toRender.push(this.header);
    const label = ` Processes (${m.processes.length}) sorted by ${m.sort}${m.syscallsNote ? ` — SYSC/s: ${m.syscallsNote}` : ''} `;
    if (label !== this.tableLabel) {
      // blessed places a label it creates one cell left of one it updates: the first update
      // needs the whole frame redrawn, like a shorter label.
      this.labelShrank = label.length < this.tableLabel.length || this.labelUpdates === 0;
      this.labelUpdates++;
      this.tableLabel = label;
      fitLabel(this.tableFrame, label);
      this.labelChanged = true;
    }
    const selectedPid = this.selectedRow()?.pid;
    // Only the rows that fit (like top): blessed makes an element per list item, every tick.
    const fit = Math.max(1, (this.table.height as number) || 20);
    const shown = m.processes.slice(0, fit);
    this.shownPids = shown.map((r) => r.pid);
    this.rowLines = shown.map((r) => processLine(r, cmdWidth));
    // The list keeps as many items as rows (its selection and keys need them); their text is
    // brought up to date only before blessed renders the list (syncItems).
    const items = (this.table as unknown as { items: unknown[] }).items;
    if (items.length !== this.rowLines.length) {
      setListItems(this.table, this.rowLines);
      this.itemsStale = false;
      this.rowCache = [];
    } else this.itemsStale = true;
    // Keep the selection on the same process when the order changes.
    const at = selectedPid === undefined ? 0 : Math.max(0, this.shownPids.indexOf(selectedPid));
    this.table.select(at);
  }
}
