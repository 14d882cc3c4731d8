/** `oslens top`: draws a TopModel — CPU, load, switches, faults, memory/PSI, the process table. */
import blessed from 'blessed';
import type { Widgets } from 'blessed';
import { formatBytes } from '../../proc/format.js';
import { blockChart, sparkText } from '../collect/history.js';
import { lensFor, type LensContent, type LensFocus, type SavedBench } from '../collect/lens.js';
import { NO_CHOICE, nextMatch, tableRows, type TableChoice, type TableRow } from '../collect/process-table.js';
import type { ProcessRateRow, ProcessSortKey } from '../collect/processes.js';
import type { TopModel } from '../collect/top.js';
import { num, pct } from '../plain.js';
import { SORTABLE, columnsHeader, columnsLine, commandOffset, fitColumns, timePlus } from '../process-columns.js';
import {
  FastText,
  Shell,
  fitLabel,
  fitMarkup,
  headedList,
  place,
  setContentIfChanged,
  setListItems,
  shownText,
  type Area,
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

/** The keys of the `?` help (each short: two columns fit 80×24). */
export const TOP_KEYS = [
  '↑↓ PgUp PgDn Home End  select',
  'Enter     details (Esc closes)',
  'w         watch it (oslens watch)',
  '/         search; n or F3: next',
  '\\         filter by command text',
  'u         one user only (menu)',
  't F5      tree view',
  'H         show threads',
  'K         hide kernel threads',
  'k F9      send a signal (menu)',
  '[ ] F7 F8 nice -1 / +1 (renice)',
  '< > F6 o  sort column: prev/next/menu',
  'r         reverse the sort',
  'c P       sort by CPU%',
  'm M       sort by RSS / %MEM',
  'T p N     sort by TIME+ / PID',
  'f s y     faults/s csw/s syscalls/s',
  '(a sort key twice reverses it)',
];

/** Sort keys by letter: oslens's own (c m f s y p) and htop's (P M T N). */
const SORT_LETTER: Record<string, ProcessSortKey> = {
  c: 'cpu',
  m: 'rss',
  f: 'faults',
  s: 'ctxsw',
  y: 'syscalls',
  p: 'pid',
  'S-p': 'cpu',
  'S-m': 'mem',
  'S-t': 'time',
  'S-n': 'pid',
};

/** What top-live does for the view: each returns the line to show (done, or why refused). */
export interface TopActions {
  sort(key: ProcessSortKey, reverse: boolean): void;
  threads(show: boolean): void;
  watch(pid: number): void;
  signal(pid: number, signal: NodeJS.Signals): string;
  renice(pid: number, delta: number): string;
}

/** Signals offered by `k` (name, what it does). */
export type SignalChoice = { name: NodeJS.Signals; number: number; what: string };

interface SystemPanel {
  el: Widgets.BoxElement;
  /** Narrowest useful width (border included). */
  min: number;
  /** Share of the spare width. */
  weight: number;
  /** Lower stays longer on a narrow terminal. */
  keep: number;
}

export class TopView {
  private readonly chart: Widgets.BoxElement;
  private readonly split: Widgets.BoxElement;
  private readonly load: Widgets.BoxElement;
  private readonly switches: Widgets.BoxElement;
  private readonly faults: Widgets.BoxElement;
  private readonly memory: Widgets.BoxElement;
  private readonly systemPanels: SystemPanel[];
  private readonly tableFrame: Widgets.BoxElement;
  private readonly header: Widgets.BoxElement;
  private readonly table: Widgets.ListElement;
  private readonly detail: Widgets.BoxElement;
  private model: TopModel | null = null;
  /** The rows the table shows (filtered, maybe as a tree); the first `scroll` are above the view. */
  private rows: TableRow[] = [];
  private scroll = 0;
  /** Index in `rows` of the selected row, and its pid (kept on the same process as rows move). */
  private selIndex = 0;
  private selPid: number | undefined;
  private choice: TableChoice = { ...NO_CHOICE };
  private search = '';
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
  actions: TopActions = {
    sort: () => {},
    threads: () => {},
    watch: () => {},
    signal: () => '',
    renice: () => '',
  };

  constructor(
    private readonly shell: Shell,
    private readonly bench: SavedBench | null,
    private readonly signals: readonly SignalChoice[] = [],
    private readonly cpuCount = 1,
  ) {
    this.chart = shell.textPanel('CPU per core (% busy, last 60 samples)');
    this.split = shell.textPanel('CPU time split: user / system / iowait');
    this.load = shell.textPanel('Load & run queue');
    this.switches = shell.textPanel('Switches/s');
    this.faults = shell.textPanel('Faults/s');
    this.memory = shell.textPanel('Memory & PSI');
    this.systemPanels = [
      { el: this.chart, min: 22, weight: 3, keep: 0 },
      { el: this.split, min: 30, weight: 2, keep: 5 },
      { el: this.load, min: 17, weight: 1, keep: 2 },
      { el: this.switches, min: 16, weight: 1, keep: 4 },
      { el: this.faults, min: 16, weight: 1, keep: 3 },
      { el: this.memory, min: 19, weight: 1, keep: 1 },
    ];
    this.tableFrame = shell.textPanel('Processes');
    ({ header: this.header, list: this.table } = headedList(this.tableFrame, false));
    // The table moves its selection itself (it scrolls past the rows shown; k is kill, not up).
    (this.table as unknown as { options: { keys: boolean; vi: boolean } }).options.keys = false;
    this.detail = blessed.box({
      parent: shell.screen,
      top: 0,
      left: 0,
      width: 10,
      height: 3,
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

    // A click on a row selects it.
    this.table.on('select item', () => {
      if (this.drawing) return;
      const i = (this.table as unknown as { selected: number }).selected;
      this.selectIndex(this.scroll + i);
    });
    this.bindKeys();
    shell.onLayout((a) => this.layout(a));
    shell.onResize(() => {
      if (!this.detail.hidden) this.showDetail();
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

  private bindKeys(): void {
    const shell = this.shell;
    const t = this.table;
    t.key(['up'], () => this.move(-1));
    t.key(['down'], () => this.move(1));
    t.key(['pageup'], () => this.move(-this.pageSize()));
    t.key(['pagedown'], () => this.move(this.pageSize()));
    t.key(['home'], () => this.selectIndex(0));
    t.key(['end'], () => this.selectIndex(this.rows.length - 1));
    t.key(['enter'], () => this.toggleDetail());
    shell.screen.key(['escape'], () => {
      if (!this.detail.hidden && !shell.busy) {
        this.detail.hide();
        shell.render();
      }
    });
    shell.key(['w'], () => {
      const r = this.selectedRow();
      if (r) this.actions.watch(r.pid);
    });
    shell.key(Object.keys(SORT_LETTER), (_ch, key) => {
      const sort = SORT_LETTER[key.full ?? ''];
      if (!sort) return;
      // The same key again: the other way round (htop's habit). Before the first refresh too.
      const m = this.model;
      this.actions.sort(sort, m !== null && sort === m.sort ? !m.reverse : false);
    });
    shell.key(['r', 'S-i'], () => {
      if (this.model) this.actions.sort(this.model.sort, !this.model.reverse);
    });
    shell.key(['<', '>'], (ch) => {
      if (!this.model) return;
      const i = SORTABLE.findIndex((c) => c.key === this.model?.sort);
      const next = SORTABLE[(i + (ch === '<' ? -1 : 1) + SORTABLE.length) % SORTABLE.length];
      if (next) this.actions.sort(next.key, false);
    });
    shell.key(['f6', 'o'], () => {
      if (!this.model) return;
      const at = SORTABLE.findIndex((c) => c.key === this.model?.sort);
      shell.menu(
        'Sort by',
        SORTABLE.map((c) => c.title),
        at,
        (i) => {
          const c = SORTABLE[i];
          if (c) this.actions.sort(c.key, false);
        },
      );
    });
    shell.key(['t', 'f5'], () => this.setChoice({ tree: !this.choice.tree }));
    shell.key(['S-k'], () => this.setChoice({ hideKernelThreads: !this.choice.hideKernelThreads }));
    shell.key(['S-h'], () => {
      if (this.model) this.actions.threads(!this.model.threads);
    });
    shell.key(['u'], () => {
      const users = [...new Set((this.model?.processes ?? []).map((r) => r.user))].sort();
      const items = ['(all users)', ...users];
      shell.menu('Show the processes of', items, this.choice.user ? items.indexOf(this.choice.user) : 0, (i) =>
        this.setChoice({ user: i === 0 ? null : (items[i] ?? null) }),
      );
    });
    shell.key(['/'], () => {
      const from = this.selIndex;
      shell.prompt(
        'Search',
        '',
        (text) => {
          const i = nextMatch(this.rows, text, from);
          if (i >= 0) this.selectIndex(i);
        },
        (text) => {
          if (text !== null) this.search = text;
          else this.selectIndex(from);
        },
      );
    });
    shell.key(['n', 'f3'], () => {
      const i = nextMatch(this.rows, this.search, this.selIndex + 1);
      if (i >= 0) this.selectIndex(i);
      else if (this.search) shell.notify(`no other process matches "${this.search}"`);
    });
    shell.key(['\\'], () => {
      const before = this.choice.filter;
      shell.prompt(
        'Filter',
        before,
        (text) => this.setChoice({ filter: text }),
        // Esc clears the filter (as in htop); Enter keeps it.
        (text) => this.setChoice({ filter: text ?? '' }),
      );
    });
    shell.key(['k', 'f9'], () => {
      const r = this.selectedRow();
      if (!r || this.signals.length === 0) return;
      shell.menu(
        `Send to ${r.pid} ${r.comm}`,
        this.signals.map((s) => `${String(s.number).padStart(2)} ${s.name.padEnd(8)} ${s.what}`),
        0,
        (i) => {
          const s = this.signals[i];
          if (s) shell.notify(this.actions.signal(r.pid, s.name));
        },
      );
    });
    shell.key(['[', 'f7'], () => this.reniceSelected(-1));
    shell.key([']', 'f8'], () => this.reniceSelected(1));
  }

  private reniceSelected(delta: number): void {
    const r = this.selectedRow();
    if (r) this.shell.notify(this.actions.renice(r.pid, delta));
  }

  private setChoice(change: Partial<TableChoice>): void {
    this.choice = { ...this.choice, ...change };
    if (this.model) this.draw(this.model);
  }

  private pageSize(): number {
    return Math.max(1, ((this.table.height as number) || 2) - 1);
  }

  private move(delta: number): void {
    this.selectIndex(this.selIndex + delta);
  }

  /** Selects row i (scrolling it into view), then redraws the table and the lens. */
  private selectIndex(i: number): void {
    if (this.rows.length === 0) return;
    this.selIndex = Math.max(0, Math.min(this.rows.length - 1, i));
    this.selPid = this.rows[this.selIndex]?.row.pid;
    if (this.model) this.draw(this.model);
  }

  /**
   * Places the panels for the space there is: the system panels in one row, as many as fit the
   * width (the least needed fold away first), as tall as the CPUs need; the process table gets
   * the rest (at 80×24, 13 rows; at 120×40, 28).
   */
  private layout(a: Area): void {
    const tableMin = 8;
    const sysInner = a.height >= 50 ? Math.min(3 * this.cpuCount, Math.floor(a.height / 4)) : this.cpuCount;
    let sysH = 2 + Math.max(5, Math.min(sysInner, Math.floor(a.height / 3)));
    if (a.height - sysH < tableMin) sysH = 0;
    const chosen = new Set<SystemPanel>();
    let used = 0;
    for (const p of [...this.systemPanels].sort((x, y) => x.keep - y.keep)) {
      if (sysH === 0 || used + p.min > a.width) continue;
      chosen.add(p);
      used += p.min;
    }
    const shown = this.systemPanels.filter((p) => chosen.has(p));
    const weights = shown.reduce((n, p) => n + p.weight, 0);
    let spare = a.width - used;
    let x = a.left;
    shown.forEach((p, i) => {
      const extra = i === shown.length - 1 ? spare : Math.floor(((a.width - used) * p.weight) / weights);
      spare -= extra;
      const w = p.min + extra;
      place(p.el, { top: a.top, left: x, width: w, height: sysH });
      x += w;
    });
    for (const p of this.systemPanels) {
      if (chosen.has(p)) p.el.show();
      else p.el.hide();
    }
    place(this.tableFrame, { top: a.top + sysH, left: a.left, width: a.width, height: a.height - sysH });
    this.rowCache = [];
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
    return this.rows[this.selIndex]?.row;
  }

  private processFocus(): LensFocus {
    const r = this.selectedRow();
    if (!r) return { label: 'Processes', model: 'process' };
    const thread = r.tgid !== r.pid;
    return {
      label: `${r.comm} (${thread ? `thread ${r.pid} of ${r.tgid}` : `pid ${r.pid}`})`,
      model: thread || r.threads > 1 ? 'thread' : 'process',
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
    if (!this.detail.hidden || !this.selectedRow()) {
      this.detail.hide();
      this.shell.render();
      return;
    }
    this.showDetail();
  }

  /** The details popup of the selected row, sized to its lines and the terminal. */
  private showDetail(): void {
    const r = this.selectedRow();
    if (!r) return;
    const lines = [
      `{bold}${shownText(r.command)}{/bold}`,
      '',
      `pid ${r.pid}${r.tgid !== r.pid ? ` (thread of ${r.tgid})` : ''}  ppid ${r.ppid}  user ${shownText(r.user)}`,
      `state ${r.state}  threads ${r.threads}  nice ${r.nice}  tty ${r.tty}${r.kernelThread ? '  (kernel thread)' : ''}`,
      `CPU ${pct(r.cpuPercent)}  TIME+ ${timePlus(r.cpuSeconds)}`,
      `RSS ${formatBytes(r.rss)} (${r.memPercent.toFixed(1)}% of RAM)  VIRT ${formatBytes(r.vsize)}`,
      `faults/s: minor ${num(r.minorFaultsPerSec)}  major ${num(r.majorFaultsPerSec)}`,
      `context switches/s: ${num(r.contextSwitchesPerSec)}`,
      `syscalls/s: ${r.syscallsPerSec === null ? shownText(this.model?.syscallsNote || '-') : num(r.syscallsPerSec)}`,
      '',
      'w: watch it   k: signal   [ ]: nice   Esc/Enter: close',
    ];
    const { columns, rows } = this.shell.size;
    const width = Math.min(columns, Math.max(40, Math.min(100, r.command.length + 6)));
    const height = Math.min(rows - 1, lines.length + 2);
    place(this.detail, {
      top: Math.max(0, Math.floor((rows - 1 - height) / 2)),
      left: Math.max(0, Math.floor((columns - width) / 2)),
      width,
      height,
    });
    this.detail.setLabel(` Process ${r.pid} `);
    this.detail.setContent(lines.map((l) => fitMarkup(l, width - 4)).join('\n'));
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
      this.drawTable(m);
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

  /** Sets a text panel's content, each line cut to the panel (directly into the screen when drawing a tick). */
  private put(el: Widgets.BoxElement, lines: string[]): void {
    if (el.hidden) return;
    const w = Math.max(1, (el.width as number) - 4);
    const h = Math.max(1, (el.height as number) - 2);
    const text = lines
      .slice(0, h)
      .map((l) => fitMarkup(l, w))
      .join('\n');
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
      ),
    );

    const sp = inner(this.split);
    const barW = Math.max(4, Math.min(40, sp.w - 15));
    const bar = (c: { user: number; system: number; iowait: number }) => {
      const n = (p: number) => Math.round((p / 100) * barW);
      const u = n(c.user);
      const sy = Math.min(barW - u, n(c.system));
      const w = Math.min(barW - u - sy, n(c.iowait));
      return `{green-fg}${'u'.repeat(u)}{/}{red-fg}${'s'.repeat(sy)}{/}{blue-fg}${'w'.repeat(w)}{/}${' '.repeat(barW - u - sy - w)}`;
    };
    // Two lines per core when there is room, else one.
    const twoLines = sp.h >= 2 * s.cpus.length + 1;
    const splitLines = s.cpus.flatMap((c, i) => {
      const first = `cpu${i} [${bar(c)}] ${pct(c.busy).padStart(6)}`;
      const figures = `us ${c.user.toFixed(1)} sy ${c.system.toFixed(1)} wa ${c.iowait.toFixed(1)}`;
      return twoLines ? [first, ` ${figures}`] : [first];
    });
    splitLines.push(`all  [${bar(s.total)}] ${pct(s.total.busy).padStart(6)}`);
    if (!twoLines)
      splitLines.push(
        `     us ${s.total.user.toFixed(1)} sy ${s.total.system.toFixed(1)} wa ${s.total.iowait.toFixed(1)}`,
      );
    this.put(this.split, splitLines);

    const l = s.load;
    this.put(
      this.load,
      l
        ? [
            `1m  ${l.load1.toFixed(2)}`,
            `5m  ${l.load5.toFixed(2)}`,
            `15m ${l.load15.toFixed(2)}`,
            // R and D on one line, so a short panel (80x24) still shows the D count in the load.
            `R ${s.runQueue}  D ${s.blocked}`,
            `tasks ${l.total}`,
          ]
        : ['no /proc/loadavg', `R ${s.runQueue}  D ${s.blocked}`],
    );
    const sw = Math.max(5, inner(this.switches).w);
    this.put(this.switches, [
      `ctxsw ${num(s.contextSwitchesPerSec)}`,
      `{cyan-fg}${sparkText(h.contextSwitches, sw)}{/}`,
      `intr  ${num(s.interruptsPerSec)}`,
      `{cyan-fg}${sparkText(h.interrupts, sw)}{/}`,
    ]);
    const fw = Math.max(5, inner(this.faults).w);
    this.put(this.faults, [
      `minor ${num(s.minorFaultsPerSec)}`,
      `{green-fg}${sparkText(h.minorFaults, fw)}{/}`,
      `major ${num(s.majorFaultsPerSec)}`,
      `{red-fg}${sparkText(h.majorFaults, fw)}{/}`,
    ]);
    const mem = s.memory;
    const p = s.pressure;
    const psi = (v: number | null | undefined) => (v === null || v === undefined ? '-' : v.toFixed(1));
    const memLines = [
      `used ${formatBytes(mem.used)}/${formatBytes(mem.total)}`,
      `cache ${formatBytes(mem.pageCache)}`,
      `dirty ${formatBytes(mem.dirty)}`,
      `swap  ${formatBytes(mem.swapUsed)}/${formatBytes(mem.swapTotal)}`,
      p ? `PSI cpu ${psi(p.cpu)}` : 'PSI: not in this kernel',
      p ? `mem ${psi(p.memory)} io ${psi(p.io)}` : '',
    ];
    // Five lines: dirty gives way (PSI is what says memory is short).
    if (inner(this.memory).h < 6) memLines.splice(2, 1);
    this.put(this.memory, memLines);
  }

  private drawTable(m: TopModel): void {
    const width = Math.max(20, (this.table.width as number) - 1);
    const cols = fitColumns(width);
    const cmdWidth = Math.max(4, width - commandOffset(cols));
    if (setContentIfChanged(this.header, `{bold}${columnsHeader(cols, m.sort, m.reverse)}{/bold}`))
      this.toRender.push(this.header);
    this.rows = tableRows(m.processes, this.choice);
    const sortTitle = SORTABLE.find((c) => c.key === m.sort)?.title ?? m.sort;
    const what = [
      `sorted by ${sortTitle}${m.reverse ? ' (reversed)' : ''}`,
      this.choice.tree ? 'tree' : '',
      m.threads ? 'threads' : '',
      this.choice.hideKernelThreads ? 'no kernel threads' : '',
      this.choice.user !== null ? `user ${this.choice.user}` : '',
      this.choice.filter ? `filter "${this.choice.filter}"` : '',
    ].filter(Boolean);
    const count =
      this.rows.length === m.processes.length
        ? `${m.processes.length}`
        : `${this.rows.length} of ${m.processes.length}`;
    const label = shownText(
      ` Processes (${count}) ${what.join(', ')}${m.syscallsNote ? ` — SYSC/s: ${m.syscallsNote}` : ''} `,
    );
    if (label !== this.tableLabel) {
      // blessed places a label it creates one cell left of one it updates: the first update
      // needs the whole frame redrawn, like a shorter label.
      this.labelShrank = label.length < this.tableLabel.length || this.labelUpdates === 0;
      this.labelUpdates++;
      this.tableLabel = label;
      fitLabel(this.tableFrame, label, { exactWidth: true });
      this.labelChanged = true;
    }
    // Keep the selection on the same process when the order changes (or where it was, if it is gone).
    if (this.selPid !== undefined) {
      const at = this.rows.findIndex((r) => r.row.pid === this.selPid);
      if (at >= 0) this.selIndex = at;
    }
    this.selIndex = Math.max(0, Math.min(this.rows.length - 1, this.selIndex));
    this.selPid = this.rows[this.selIndex]?.row.pid;
    // Only the rows that fit (like top): blessed makes an element per list item, every tick.
    const fit = Math.max(1, (this.table.height as number) || 20);
    if (this.selIndex < this.scroll) this.scroll = this.selIndex;
    if (this.selIndex >= this.scroll + fit) this.scroll = this.selIndex - fit + 1;
    this.scroll = Math.max(0, Math.min(this.scroll, this.rows.length - fit));
    const shown = this.rows.slice(this.scroll, this.scroll + fit);
    this.rowLines = shown.map((r) => columnsLine(cols, r.row, cmdWidth, r.prefix));
    // The list keeps as many items as rows (its selection and keys need them); their text is
    // brought up to date only before blessed renders the list (syncItems).
    const items = (this.table as unknown as { items: unknown[] }).items;
    if (items.length !== this.rowLines.length) {
      setListItems(this.table, this.rowLines);
      this.itemsStale = false;
      this.rowCache = [];
    } else this.itemsStale = true;
    this.table.select(Math.max(0, this.selIndex - this.scroll));
  }
}
