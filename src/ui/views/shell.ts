/**
 * The frame every dashboard shares: a blessed screen with a main area on the left and the "lens"
 * side panel on the right, a key line at the bottom, `?` help, Tab to move focus between panels,
 * q / Ctrl-C to quit. Views only add panels and draw the view models they are given.
 * The terminal is restored on quit, on SIGTERM/SIGHUP and on an uncaught error.
 */
import blessed from 'blessed';
import type { Widgets } from 'blessed';
import { lensLines, type LensContent } from '../collect/lens.js';
import { escapeForTerminal } from '../../util/terminal.js';
import { noteSignal } from '../../util/interrupt.js';

/**
 * Text from a process or the file system (a name, a command line, a path) for a panel: control
 * characters escaped (blessed would pass them to the terminal), and braces for tag panels.
 */
export function shownText(text: string): string {
  return blessed.escape(escapeForTerminal(text));
}

export interface Panel {
  /** What receives the keys when focused. */
  element: Widgets.BlessedElement;
  /** The bordered box around it, when that is not `element` itself. */
  frame?: Widgets.BlessedElement;
  /** The lens content while this panel has focus (called on focus and after every update). */
  lens(): LensContent;
}

export interface ShellOptions {
  title: string;
  /** Lines of the `?` help, after the common keys: "key  what it does", short (two fit in 80 columns). */
  keys: string[];
}

/** The keys every dashboard has, for the `?` help. */
const COMMON_KEYS = [
  '?         this help (Esc closes)',
  'q Ctrl-C  quit',
  'Tab S-Tab next / previous panel',
  'l         show / hide the lens',
];

/** `markup` cut to `width` visible cells (tags kept, not counted). */
export function fitMarkup(markup: string, width: number): string {
  // Most lines fit: count their cells first (no new string each tick).
  let cells0 = 0;
  for (let i = 0; i < markup.length; i++) {
    if (markup.charCodeAt(i) === 0x7b) {
      const end = markup.indexOf('}', i);
      if (end > i) {
        i = end;
        continue;
      }
    }
    cells0++;
  }
  if (cells0 <= width) return markup;
  let out = '';
  let cells = 0;
  for (let i = 0; i < markup.length; i++) {
    const c = markup[i] as string;
    if (c === '{') {
      const end = markup.indexOf('}', i);
      if (end > i) {
        out += markup.slice(i, end + 1);
        i = end;
        continue;
      }
    }
    if (cells >= width) continue;
    out += c;
    cells++;
  }
  return out;
}

/** A rectangle of terminal cells. */
export interface Area {
  top: number;
  left: number;
  width: number;
  height: number;
}

/** From this many columns the lens is shown beside the view; narrower, it folds away (`l`). */
export const LENS_AUTO_COLUMNS = 140;

/** The lens column's width on a `columns`-wide terminal. */
export function lensWidth(columns: number): number {
  return Math.max(30, Math.min(56, Math.round(columns * 0.28)));
}

/**
 * Cell (row, col) of a rows×cols grid over `area`, spanning rowSpan×colSpan cells; the edges are
 * rounded so that neighbours share no cell and the grid fills the area exactly.
 */
export function gridCell(
  area: Area,
  rows: number,
  cols: number,
  row: number,
  col: number,
  rowSpan = 1,
  colSpan = 1,
): Area {
  const y = (r: number) => area.top + Math.round((r * area.height) / rows);
  const x = (c: number) => area.left + Math.round((c * area.width) / cols);
  return { top: y(row), left: x(col), height: y(row + rowSpan) - y(row), width: x(col + colSpan) - x(col) };
}

/** Puts an element on `a` (absolute cells). */
export function place(el: Widgets.BlessedElement, a: Area): void {
  el.top = a.top;
  el.left = a.left;
  el.width = Math.max(1, a.width);
  el.height = Math.max(1, a.height);
}

/** The full label of each panel (fitLabel cuts what is shown to the panel's width). */
const fullLabels = new WeakMap<Widgets.BlessedElement, string>();
const exactWidthLabels = new WeakSet<Widgets.BlessedElement>();

/**
 * Sets a panel's label, cut to fit on its top border: blessed wraps a longer one onto the panel's
 * first row, where the panel's own text (drawn directly, see DirectLines) would fight it.
 */
export function fitLabel(
  el: Widgets.BlessedElement,
  text: string = fullLabels.get(el) ?? '',
  opts: { exactWidth?: boolean } = {},
): void {
  fullLabels.set(el, text);
  if (opts.exactWidth) exactWidthLabels.add(el);
  // The label starts after the corner and a line (┌─) and may run up to the other corner; a cut
  // one keeps a cell more to spare (blessed wrapped " Load & run .. " at 100 columns, not the
  // whole label one cell longer at 120). ASCII dots: blessed counts '…' as two cells.
  const width = el.width as number;
  el.setLabel(text.length <= width - 3 ? text : `${text.slice(0, Math.max(2, width - 6))}..`);
  // blessed puts a label it updates one cell right of one it creates: always where it creates
  // them ("┌─ Title"), so a relayout does not move them.
  const e = el as unknown as { _label?: Widgets.BoxElement & { rleft: number; shrink: boolean }; ileft: number };
  if (e._label) {
    e._label.rleft = 2 - e.ileft;
    // A fixed width, not blessed's shrink-to-content, for a label rendered alone (top's table: a
    // tick that only changes the count): there blessed kept one cell more than a full render
    // gives it, a stray blank on the border. (Not for every panel: in trace's log, a scrollable
    // element, a fixed-width label moved the content over.)
    if (!exactWidthLabels.has(el)) return;
    e._label.shrink = false;
    e._label.width = (e._label as unknown as { strWidth(t: string): number }).strWidth(e._label.getText());
  }
}

/** Re-fits every panel label under `parent` (after a resize). */
function refitLabels(parent: Widgets.Node): void {
  for (const child of parent.children) {
    const el = child as Widgets.BlessedElement;
    if (fullLabels.has(el)) fitLabel(el);
    refitLabels(child);
  }
}

/** A bordered, labelled panel (placed by its view's layout): the frame every view's panels share. */
export function panel(screen: Widgets.Screen, label: string, options: Widgets.BoxOptions = {}): Widgets.BoxElement {
  const box = blessed.box({
    parent: screen,
    top: 0,
    left: 0,
    width: 10,
    height: 3,
    border: { type: 'line' },
    style: { border: { fg: 'cyan' } },
    padding: { left: 1 },
    ...options,
  });
  fitLabel(box, ` ${label} `);
  return box;
}

/** The table every view shows in a panel: a one-line column header over a selectable list. */
export function headedList(
  parent: Widgets.BoxElement,
  tags: boolean,
): { header: Widgets.BoxElement; list: Widgets.ListElement } {
  const header = blessed.box({ parent, top: 0, left: 0, right: 1, height: 1, tags: true });
  const list = blessed.list({
    parent,
    top: 1,
    left: 0,
    right: 1,
    bottom: 0,
    keys: true,
    vi: true,
    mouse: true,
    tags,
    style: { selected: { bg: 'blue', fg: 'white' } },
    items: [],
  });
  return { header, list };
}

/**
 * Sets an element's content only when it changed: blessed's setContent clears the element's area
 * and re-parses its tags even for the same text, and a dashboard redraws every second.
 */
export function setContentIfChanged(el: Widgets.BlessedElement, text: string): boolean {
  if ((el as unknown as { content?: string }).content === text) return false;
  // noClear: the element is redrawn in place right after, over every cell of its box.
  (el.setContent as (text: string, noClear?: boolean) => void).call(el, text, true);
  return true;
}

/** Replaces a list's items, touching only the rows whose text changed. */
export function setListItems(list: Widgets.ListElement, lines: readonly string[]): boolean {
  const l = list as unknown as { items: Widgets.BlessedElement[]; ritems: string[] };
  if (l.items.length !== lines.length) {
    list.setItems([...lines]);
    return true;
  }
  let changed = false;
  lines.forEach((line, i) => {
    if (l.ritems[i] !== line) {
      list.setItem(l.items[i] as Widgets.BlessedElement, line);
      changed = true;
    }
  });
  return changed;
}

interface LaidOut {
  lpos?: { xi: number; xl: number; yi: number; yl: number };
  ileft: number;
  iright: number;
  itop: number;
  ibottom: number;
  style: { fg?: string; bg?: string };
  content: string;
  sattr(style: object): number;
}

interface BlessedScreenInternals {
  olines: Array<Array<[number, string]>>;
  dattr: number;
  codeAttr(attr: number): string;
  cursor: { artificial: boolean };
  program: { cursorHidden: boolean; _write(text: string): void };
  tput: { sc(): string; rc(): string; civis(): string; cnorm(): string; unicode: boolean };
  render(): void;
}

/** Characters one cell wide that the direct path writes itself: printable ASCII, box drawing, blocks. */
function oneCell(c: number): boolean {
  return (c >= 0x20 && c <= 0x7e) || (c >= 0x2500 && c <= 0x259f);
}

/**
 * The dashboards' per-tick drawing: whole lines of panel text, written straight to the terminal
 * (a cursor move, colour codes and the text) in one write, without blessed's cell buffers. blessed
 * re-renders every element cell by cell and compares every cell with what the terminal shows;
 * a panel that knows which of its lines changed (it keeps the text it last wrote) needs none of
 * that, and a 1 s dashboard then costs little more than its sampling (npm run bench:ui).
 *
 * blessed does not know what was written this way. Its buffers stay as they were, which is right
 * for partial renders (they only write the cells of the elements they render). Before a full render
 * (every element re-rendered, after which blessed writes only the cells it believes changed), the
 * rows written directly are marked unknown in blessed's record of the terminal, so it rewrites them.
 */
export class DirectLines {
  private out = '';
  /** Since the last full render: row -> the [from, to) column spans written directly. */
  private readonly rows = new Map<number, Array<[number, number]>>();
  private readonly sgr = new Map<number, string>();

  constructor(private readonly screen: Widgets.Screen) {}

  private get internals(): BlessedScreenInternals {
    return this.screen as unknown as BlessedScreenInternals;
  }

  /** False when the terminal needs blessed's own drawing (an artificial cursor, no Unicode). */
  get usable(): boolean {
    const s = this.internals;
    return !s.cursor.artificial && s.tput.unicode;
  }

  /** The escape sequence that sets blessed attribute `attr` from the default (cached). */
  code(attr: number): string {
    let c = this.sgr.get(attr);
    if (c === undefined) {
      const s = this.internals;
      c = attr === s.dattr ? '\x1b[m' : `\x1b[m${s.codeAttr(attr)}`;
      this.sgr.set(attr, c);
    }
    return c;
  }

  /**
   * Queues `text` (one-cell characters and codes from code()), `width` cells wide, at row y,
   * column x (0-based).
   */
  put(y: number, x: number, width: number, text: string): void {
    this.out += `\x1b[${y + 1};${x + 1}H${text}\x1b[m`;
    const spans = this.rows.get(y);
    if (!spans) this.rows.set(y, [[x, x + width]]);
    else if (!spans.some(([a, b]) => a === x && b === x + width)) spans.push([x, x + width]);
  }

  /** Writes what was queued, in one write, leaving the cursor where it was. */
  flush(): void {
    if (!this.out) return;
    const s = this.internals;
    let pre = s.tput.sc();
    let post = s.tput.rc();
    if (!s.program.cursorHidden) {
      pre += s.tput.civis();
      post += s.tput.cnorm();
    }
    s.program._write(pre + this.out + post);
    this.out = '';
  }

  /**
   * True when blessed rendering `el` alone would go wrong: it covers rows written directly since
   * the last full render, whose cells blessed would compare with what it last drew there (and
   * skip where they match, leaving what was written directly in between).
   */
  covers(el: Widgets.BlessedElement): boolean {
    const lpos = (el as unknown as LaidOut).lpos;
    if (!lpos) return this.rows.size > 0;
    for (let y = lpos.yi; y < lpos.yl; y++)
      for (const [a, b] of this.rows.get(y) ?? []) if (a < lpos.xl && lpos.xi < b) return true;
    return false;
  }

  /**
   * Before a full render: blessed must rewrite every cell of the rows written directly, and what
   * is queued is dropped (the render draws the same text from the elements).
   */
  beforeFullRender(): void {
    const olines = this.internals.olines;
    for (const y of this.rows.keys()) for (const cell of olines[y] ?? []) cell[0] = -1;
    this.rows.clear();
    this.out = '';
  }
}

/**
 * The per-tick path of a text panel (a bordered box with tags: colours and bold only): writes the
 * lines that changed straight to the terminal (DirectLines), and leaves setContent (tag parsing,
 * wrapping, a render of every cell of the box) to the next full render (see
 * Shell.beforeFullRender).
 */
export class FastText {
  /** Text not yet given to blessed (setContent), or null. */
  private pending: string | null = null;
  private text: string;
  /** What was last written on each inner row; reset when blessed renders the box itself. */
  private rows: string[] = [];
  private readonly attrs = new Map<string, number>();

  constructor(
    readonly el: Widgets.BlessedElement,
    private readonly direct: DirectLines,
  ) {
    this.text = (el as unknown as LaidOut).content ?? '';
  }

  /** The text shown (or about to be). */
  get current(): string {
    return this.text;
  }

  /** Gives the pending text to blessed (before it renders the box). */
  flush(): void {
    if (this.pending !== null) {
      (this.el.setContent as (text: string, noClear?: boolean) => void).call(this.el, this.pending, true);
      this.pending = null;
    }
    this.rows = [];
  }

  /**
   * Sets the text. Returns 'same' (nothing to do), 'written' (lines queued on DirectLines) or
   * 'render' (content set the blessed way: the caller renders the element).
   */
  set(text: string, direct: boolean): 'same' | 'written' | 'render' {
    if (text === this.text) return 'same';
    this.text = text;
    this.pending = text;
    if (direct && this.write(text)) return 'written';
    this.flush();
    return 'render';
  }

  private attr(fg: string | undefined, bold: boolean): number {
    const key = `${fg ?? ''}/${bold ? 1 : 0}`;
    let a = this.attrs.get(key);
    if (a === undefined) {
      const e = this.el as unknown as LaidOut;
      a = e.sattr({ fg: fg ?? e.style.fg, bg: e.style.bg, bold });
      this.attrs.set(key, a);
    }
    return a;
  }

  /** One line of markup as terminal output `width` cells wide; null when it cannot. */
  private line(markup: string, width: number): string | null {
    let out = this.direct.code(this.attr(undefined, false));
    let cells = 0;
    let fg: string | undefined;
    let bold = false;
    let from = 0;
    for (let i = 0; i < markup.length; i++) {
      const c = markup.charCodeAt(i);
      if (c !== 0x7b) {
        if (!oneCell(c)) return null;
        cells++;
        continue;
      }
      const end = markup.indexOf('}', i);
      if (end < 0) return null;
      out += markup.slice(from, i);
      const tag = markup.slice(i + 1, end);
      if (tag === '/') {
        fg = undefined;
        bold = false;
      } else if (tag === 'bold') bold = true;
      else if (tag === '/bold') bold = false;
      else if (tag.endsWith('-fg')) fg = tag.startsWith('/') ? undefined : tag.slice(0, -3);
      else return null;
      out += this.direct.code(this.attr(fg, bold));
      i = end;
      from = end + 1;
    }
    if (cells > width) return null;
    out += markup.slice(from);
    if (cells < width) out += this.direct.code(this.attr(undefined, false)) + ' '.repeat(width - cells);
    return out;
  }

  private write(text: string): boolean {
    const e = this.el as unknown as LaidOut;
    const lpos = e.lpos;
    if (!lpos || this.el.hidden || this.el.detached || !this.direct.usable) return false;
    const x0 = lpos.xi + e.ileft;
    const width = lpos.xl - e.iright - x0;
    const y0 = lpos.yi + e.itop;
    const height = lpos.yl - e.ibottom - y0;
    if (width <= 0 || height <= 0) return false;
    const lines = text.split('\n');
    if (lines.length > height) return false;
    // Every changed line first (any tag or character this cannot draw: leave it all to blessed).
    const out: Array<[number, string, string]> = [];
    for (let y = 0; y < height; y++) {
      const markup = y < lines.length ? (lines[y] as string) : '';
      if (this.rows[y] === markup) continue;
      const line = this.line(markup, width);
      if (line === null) return false;
      out.push([y, markup, line]);
    }
    for (const [y, markup, line] of out) {
      this.rows[y] = markup;
      this.direct.put(y0 + y, x0, width, line);
    }
    return true;
  }
}

export class Shell {
  readonly screen: Widgets.Screen;
  /** The per-tick drawing path (see DirectLines). */
  readonly direct: DirectLines;
  private readonly lensBox: Widgets.BoxElement;
  private readonly keyLine: Widgets.BoxElement;
  private readonly helpBox: Widgets.BoxElement;
  private readonly panels: Panel[] = [];
  private focusIndex = 0;
  private lensMarkup = '';
  private lensWidth = 0;
  private lensContent: LensContent | null = null;
  /** Set by the lens (and key line) when they changed since the last render. */
  private lensChanged = false;
  private keyLineChanged = false;
  /** Until the first full render (and after a resize), partial renders are full ones. */
  private needsFullRender = true;
  /** The user's choice (`l`); null: shown when the terminal is wide enough. */
  private lensChoice: boolean | null = null;
  /** A prompt or menu has the keyboard: the views' keys and q do nothing meanwhile. */
  private modal: Modal | null = null;
  private status = '';
  /** A message shown instead of the status until the next key (an error, "sent SIGTERM"). */
  private notice = '';
  /** True while the next renderChanged() will be a full render (nothing drawn yet, an overlay up). */
  willRenderFully(overlayShown = false): boolean {
    return this.needsFullRender || overlayShown || !this.helpBox.hidden || this.modal !== null;
  }
  private closed = false;
  private resolveClosed: () => void = () => {};
  readonly closedPromise: Promise<void>;
  private readonly cleanups: Array<() => void> = [];
  private readonly resizeHandlers: Array<() => void> = [];
  private readonly layoutHandlers: Array<(main: Area) => void> = [];
  private readonly fullRenderHooks: Array<() => void> = [];
  private readonly onSignal = (sig: NodeJS.Signals) => {
    noteSignal(sig);
    this.close();
  };
  private readonly onFatal = (err: unknown) => {
    this.close();
    process.stderr.write(`oslens: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  };

  constructor(private readonly opts: ShellOptions) {
    this.closedPromise = new Promise((resolve) => (this.resolveClosed = resolve));
    this.screen = blessed.screen({
      smartCSR: true,
      fullUnicode: true,
      // Box-drawing characters instead of the terminal's line-drawing set: readable in capture-pane and logs.
      forceUnicode: true,
      title: opts.title,
      autoPadding: true,
      // blessed's terminfo compiler warns about tmux/screen capabilities it cannot parse.
      warnings: false,
    });
    // With Unicode forced, skip the alternate character set too: tmux's capture-pane (and any log of
    // the terminal) then shows the box-drawing characters instead of "lqqk".
    (this.screen as unknown as { tput: { brokenACS: boolean } }).tput.brokenACS = true;
    this.direct = new DirectLines(this.screen);
    // Every full render, also those blessed starts itself (a list's arrow keys), first brings
    // lazily kept content up to date (views' hooks) and forgets what was written directly.
    const screen = this.screen as unknown as BlessedScreenInternals;
    const blessedRender = screen.render.bind(screen);
    screen.render = () => {
      for (const fn of this.fullRenderHooks) fn();
      this.direct.beforeFullRender();
      blessedRender();
    };
    this.lensBox = blessed.box({
      parent: this.screen,
      top: 0,
      left: 0,
      width: 10,
      height: 3,
      label: ' Lens ',
      tags: true,
      border: { type: 'line' },
      style: { border: { fg: 'magenta' } },
      padding: { left: 1, right: 1 },
      scrollable: true,
      wrap: true,
    });
    this.keyLine = blessed.box({
      parent: this.screen,
      bottom: 0,
      left: 0,
      width: '100%',
      height: 1,
      tags: true,
      style: { fg: 'black', bg: 'cyan' },
    });
    this.helpBox = blessed.box({
      parent: this.screen,
      top: 0,
      left: 0,
      width: 10,
      height: 3,
      label: ' Keys ',
      tags: true,
      border: { type: 'line' },
      style: { border: { fg: 'yellow' } },
      padding: { left: 1, right: 1 },
      hidden: true,
    });
    this.key(['q'], () => this.close());
    // The dashboard reads the terminal raw: Ctrl-C is a key here, and means what SIGINT means.
    this.screen.key('C-c', () => {
      noteSignal('SIGINT');
      this.close();
    });
    this.key(['?'], () => {
      this.helpBox.toggle();
      if (!this.helpBox.hidden) this.layoutHelp();
      this.helpBox.setFront();
      this.render();
    });
    this.screen.key(['escape'], () => {
      if (!this.helpBox.hidden) {
        this.helpBox.hide();
        this.render();
      }
    });
    this.key(['tab'], () => this.moveFocus(1));
    this.key(['S-tab'], () => this.moveFocus(-1));
    this.key(['l'], () => {
      this.lensChoice = !this.lensShown;
      this.relayout();
    });
    // Any key ends a notice (the status comes back).
    this.screen.on('keypress', (_ch: unknown, key: { name?: string }) => {
      // blessed sends Enter twice ("enter", then "return"): the second must not end the notice
      // the first (a menu's pick) just put up.
      if (key?.name === 'return') return;
      if (this.notice && !this.modal) {
        this.notice = '';
        this.drawKeyLine();
      }
    });
    this.screen.on('resize', () => this.relayout());
    for (const sig of ['SIGTERM', 'SIGHUP'] as const) process.once(sig, this.onSignal);
    process.once('uncaughtException', this.onFatal);
    this.layoutLens();
    this.drawKeyLine();
  }

  /** The terminal's size in cells. */
  get size(): { columns: number; rows: number } {
    return { columns: (this.screen.width as number) || 80, rows: (this.screen.height as number) || 24 };
  }

  /** True while the lens column is shown. */
  get lensShown(): boolean {
    return this.lensChoice ?? this.size.columns >= LENS_AUTO_COLUMNS;
  }

  /** The cells a view lays out on: the screen above the key line, left of the lens when shown. */
  get mainArea(): Area {
    const { columns, rows } = this.size;
    const lens = this.lensShown ? lensWidth(columns) : 0;
    return { top: 0, left: 0, width: Math.max(10, columns - lens), height: Math.max(3, rows - 1) };
  }

  /**
   * Registers a view's layout: called now and after every resize or lens toggle, with the main
   * area; the view places its elements there (absolute cells).
   */
  onLayout(fn: (main: Area) => void): void {
    this.layoutHandlers.push(fn);
    fn(this.mainArea);
    refitLabels(this.screen);
  }

  /** Lays everything out again (resize, lens toggle) and redraws it all. */
  private relayout(): void {
    this.layoutLens();
    const main = this.mainArea;
    for (const fn of this.layoutHandlers) fn(main);
    if (!this.helpBox.hidden) this.layoutHelp();
    this.modal?.layout();
    refitLabels(this.screen);
    // The views redraw for the new size: that draw must be a full one (new positions).
    this.needsFullRender = true;
    // Canvas widgets (line charts) size their canvas on attach: redo it for the new size.
    for (const fn of this.resizeHandlers) fn();
    this.drawKeyLine();
    this.updateLens();
    this.render();
  }

  private layoutLens(): void {
    const { columns, rows } = this.size;
    if (!this.lensShown) {
      this.lensBox.hide();
      return;
    }
    const w = lensWidth(columns);
    place(this.lensBox, { top: 0, left: columns - w, width: w, height: rows - 1 });
    this.lensBox.show();
  }

  /**
   * The help, sized to its lines; in two or more columns when they do not fit the height (80×24
   * shows every key).
   */
  private layoutHelp(): void {
    const { columns, rows } = this.size;
    const lines = [...COMMON_KEYS, ...this.opts.keys].map(shownText);
    const innerH = Math.max(1, rows - 1 - 2 - 1); // border, the title line
    const perColumn = Math.ceil(lines.length / Math.ceil(lines.length / innerH));
    const colW = Math.max(...lines.map((l) => l.length)) + 2;
    const ncols = Math.ceil(lines.length / perColumn);
    const out: string[] = [`{bold}${shownText(this.opts.title)}{/bold}`];
    for (let i = 0; i < perColumn; i++) {
      let line = '';
      for (let c = 0; c < ncols; c++) line += (lines[c * perColumn + i] ?? '').padEnd(c < ncols - 1 ? colW : 0);
      out.push(line.trimEnd());
    }
    const width = Math.min(columns, ncols * colW + 4);
    const height = Math.min(rows - 1, out.length + 2);
    place(this.helpBox, {
      top: Math.max(0, Math.floor((rows - 1 - height) / 2)),
      left: Math.max(0, Math.floor((columns - width) / 2)),
      width,
      height,
    });
    this.helpBox.setContent(out.join('\n'));
  }

  /**
   * Binds keys to fn, like screen.key, except while a prompt or menu has the keyboard (typing
   * "q" into a search must not quit).
   */
  key(keys: string[], fn: (ch: string, key: { name?: string; full?: string }) => void): void {
    this.screen.key(keys, (ch: string, key: { name?: string; full?: string }) => {
      if (this.modal) return;
      fn(ch, key);
    });
  }

  /** True while a prompt or menu is up. */
  get busy(): boolean {
    return this.modal !== null;
  }

  /**
   * A one-line text prompt on the key line ("Search: ..."): onChange after every key, onDone
   * with the text on Enter or null on Esc. The focused panel keeps its look; keys go here only.
   */
  prompt(
    label: string,
    initial: string,
    onChange: (text: string) => void,
    onDone: (text: string | null) => void,
  ): void {
    let text = initial;
    const show = () =>
      this.setKeyLineRaw(`{bold}${shownText(label)}:{/bold} ${shownText(text)}_  {/}(Enter: keep, Esc: cancel)`);
    const handler = (ch: string | undefined, key: { name?: string; ctrl?: boolean; full?: string }) => {
      if (key.name === 'enter' || key.name === 'return') return end(text);
      if (key.name === 'escape') return end(null);
      if (key.name === 'backspace') text = text.slice(0, -1);
      else if (ch && !key.ctrl && ch >= ' ' && ch !== '\x7f') text += ch;
      else return;
      show();
      onChange(text);
    };
    const end = (result: string | null) => {
      this.screen.removeListener('keypress', handler);
      this.modal = null;
      this.highlightFocus();
      this.drawKeyLine();
      onDone(result);
      this.render();
    };
    this.modal = { layout: () => {} };
    // Keys to the key line (not a list): the focused list must not move under the typing.
    this.keyLine.focus();
    this.screen.on('keypress', handler);
    show();
    this.render();
  }

  /**
   * A menu popup: `items` (text), the first `selected`; onPick with the index on Enter, nothing
   * on Esc.
   */
  menu(title: string, items: string[], selected: number, onPick: (index: number) => void): void {
    const { columns, rows } = this.size;
    const list = blessed.list({
      parent: this.screen,
      label: ` ${title} `,
      border: { type: 'line' },
      style: { border: { fg: 'yellow' }, selected: { bg: 'blue', fg: 'white' } },
      keys: true,
      vi: false,
      mouse: true,
      tags: false,
      items: items.map(escapeForTerminal),
      top: 0,
      left: 0,
      width: 10,
      height: 3,
    });
    const layout = () => {
      const { columns: c, rows: r } = this.size;
      const width = Math.min(c, Math.max(title.length + 6, ...items.map((i) => i.length + 4)));
      const height = Math.min(r - 1, items.length + 2);
      place(list, {
        top: Math.max(0, Math.floor((r - 1 - height) / 2)),
        left: Math.max(0, Math.floor((c - width) / 2)),
        width,
        height,
      });
    };
    void columns;
    void rows;
    layout();
    list.select(Math.max(0, Math.min(items.length - 1, selected)));
    const end = (index: number | null) => {
      this.modal = null;
      list.destroy();
      this.highlightFocus();
      if (index !== null) onPick(index);
      this.render();
    };
    list.on('select', (_item: unknown, index: number) => end(index));
    list.key(['escape', 'q'], () => end(null));
    this.modal = { layout };
    list.setFront();
    list.focus();
    this.render();
  }

  /** A bordered, labelled panel whose text may hold colour tags (placed by the view's layout). */
  textPanel(label: string): Widgets.BoxElement {
    return panel(this.screen, label, { tags: true });
  }

  /** Adds a focusable panel (focus order = order added; hidden panels are skipped). */
  add(panel: Panel): void {
    this.panels.push(panel);
    panel.element.on('focus', () => {
      if (this.modal) return;
      const i = this.panels.indexOf(panel);
      if (i >= 0 && i !== this.focusIndex) {
        this.focusIndex = i;
        this.highlightFocus();
        this.updateLens();
      }
    });
    if (this.panels.length === 1) this.highlightFocus();
  }

  get focused(): Panel | undefined {
    return this.panels[this.focusIndex];
  }

  focus(panel: Panel): void {
    const i = this.panels.indexOf(panel);
    if (i < 0) return;
    this.focusIndex = i;
    this.highlightFocus();
    this.updateLens();
  }

  private moveFocus(step: number): void {
    const n = this.panels.length;
    if (n === 0) return;
    for (let k = 1; k <= n; k++) {
      const i = (this.focusIndex + step * k + n * n) % n;
      const p = this.panels[i] as Panel;
      if (!(p.frame ?? p.element).hidden) {
        this.focusIndex = i;
        break;
      }
    }
    this.highlightFocus();
    this.updateLens();
    this.render();
  }

  private highlightFocus(): void {
    this.panels.forEach((p, i) => {
      const style = (p.frame ?? p.element).style as { border?: { fg?: string } };
      style.border = { ...(style.border ?? {}), fg: i === this.focusIndex ? 'yellow' : 'cyan' };
    });
    this.panels[this.focusIndex]?.element.focus();
  }

  /** Redraws the lens from the focused panel. */
  updateLens(): void {
    const p = this.panels[this.focusIndex];
    if (!p) return;
    // Folded, the lens is not even computed (the lessons it quotes load when it is first shown).
    if (!this.lensShown) return;
    // Only when it changed: re-wrapping the lens text every tick is most of a redraw's cost.
    const content = p.lens();
    const width = (this.lensBox.width as number) - 4; // border and padding
    if (content === this.lensContent && width === this.lensWidth) return;
    this.lensContent = content;
    this.lensWidth = width;
    const markup = lensMarkup(content, width);
    if (markup !== this.lensMarkup) {
      this.lensMarkup = markup;
      this.lensBox.setContent(markup);
      this.lensChanged = true;
    }
  }

  /** The status part of the key line (what the view is doing). */
  setKeyLine(status: string): void {
    if (status === this.status) return;
    this.status = status;
    this.drawKeyLine();
  }

  /** A message on the key line until the next key (the outcome of a command, an error). */
  notify(message: string): void {
    this.notice = message;
    this.drawKeyLine();
  }

  private drawKeyLine(): void {
    if (this.modal) return;
    const lens = this.lensShown ? 'l hide lens' : 'l lens';
    // Narrow: the status matters more than the reminder of keys that ? lists anyway.
    const keys = this.size.columns < 100 ? ` ? keys  q quit  ${lens} ` : ` ? keys  q quit  Tab panel  ${lens} `;
    const message = this.notice
      ? `{white-fg}{red-bg} ${shownText(this.notice)} {/}`
      : this.status
        ? shownText(this.status)
        : '';
    this.setKeyLineRaw(`${keys}${message ? ` │ ${message}` : ''}`);
  }

  private setKeyLineRaw(markup: string): void {
    // Cut to the terminal: blessed would wrap the key line onto nothing (it is one row).
    if (setContentIfChanged(this.keyLine, markup)) this.keyLineChanged = true;
  }

  render(): void {
    if (this.closed) return;
    this.screen.render();
    this.needsFullRender = false;
    this.lensChanged = false;
    this.keyLineChanged = false;
  }

  /**
   * Redraws only `changed` (panels whose content changed since the last render), the lens and key
   * line if they changed, then writes the cells that differ, then the lines queued on `direct`.
   * blessed's render() re-renders every element, every cell, on each call; a dashboard refreshing
   * each second mostly changes a few panels. Falls back to a full render while an overlay (help,
   * details, a menu) is up or after a resize.
   */
  renderChanged(changed: Iterable<Widgets.BlessedElement>, overlayShown = false): void {
    if (this.closed) return;
    if (this.willRenderFully(overlayShown)) {
      this.render();
      return;
    }
    const els = new Set(changed);
    if (this.lensChanged) els.add(this.lensBox);
    if (this.keyLineChanged) els.add(this.keyLine);
    this.lensChanged = false;
    this.keyLineChanged = false;
    // An element over rows written directly: only a full render draws it right.
    for (const el of els)
      if (this.direct.covers(el)) {
        this.render();
        return;
      }
    if (els.size > 0) {
      for (const el of els) el.render();
      const screen = this.screen as unknown as { draw(start: number, end: number): void; lines: unknown[] };
      screen.draw(0, screen.lines.length - 1);
    }
    this.direct.flush();
  }

  /** Runs fn before every full render (views bring lazily kept elements up to date). */
  beforeFullRender(fn: () => void): void {
    this.fullRenderHooks.push(fn);
  }

  /** Runs fn after a terminal resize or lens toggle, before the redraw (views redraw their last model). */
  onResize(fn: () => void): void {
    this.resizeHandlers.push(fn);
  }

  /** Runs fn on quit, before the terminal is restored (stop timers, kill children...). */
  onClose(fn: () => void): void {
    this.cleanups.push(fn);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const fn of this.cleanups) {
      try {
        fn();
      } catch {
        // cleanup must not stop the terminal being restored
      }
    }
    for (const sig of ['SIGTERM', 'SIGHUP'] as const) process.off(sig, this.onSignal);
    process.off('uncaughtException', this.onFatal);
    this.screen.destroy();
    // blessed leaves stdin flowing (raw mode off): let the process exit.
    process.stdin.pause();
    this.resolveClosed();
  }
}

/** A prompt or menu that has the keyboard; layout() places it again after a resize. */
interface Modal {
  layout(): void;
}

/** Lens content → blessed markup (escaped text, a little colour). */
export function lensMarkup(c: LensContent, width?: number): string {
  const lines = lensLines(c, width).map(shownText); // labels quote names: "python3 (pid 1234)"
  lines[0] = `{yellow-fg}${lines[0]}{/yellow-fg}`;
  lines[1] = `{bold}${lines[1]}{/bold}`;
  return lines.join('\n');
}
