/**
 * An interactive flame graph as one self-contained SVG (no external script, font or style: it
 * opens offline in any browser): click a frame to zoom into it, "Reset zoom" or Escape to go
 * back, "Search" (or Ctrl-F) highlights the frames matching a regular expression and prints the
 * share they cover. Kernel frames are coloured by their mental model, with a legend.
 *
 * Every name reaches the SVG XML-escaped, as text or attribute, never inside the script: a
 * function called `</script><script>alert(1)` is only text.
 */
import type { ModelId } from '../lessons/types.js';
import { frameName, type FrameKind, type ProfileStack } from './model.js';

interface Node {
  name: string;
  kind: FrameKind | 'root' | 'comm';
  model: ModelId | null;
  unknown: boolean;
  samples: number;
  children: Map<string, Node>;
}

const newNode = (name: string, kind: Node['kind'], model: ModelId | null, unknown: boolean): Node => ({
  name,
  kind,
  model,
  unknown,
  samples: 0,
  children: new Map(),
});

/** The call tree: root → process name → root-most frame → ... → leaf. */
export function callTree(stacks: readonly ProfileStack[]): Node {
  const root = newNode('all', 'root', null, false);
  for (const s of stacks) {
    root.samples += s.samples;
    let at = root;
    const path: Array<{ key: string; make: () => Node }> = [
      { key: `c\0${s.comm}`, make: () => newNode(s.comm, 'comm', null, false) },
      ...s.frames.map((f) => ({
        key: `${f.kind}\0${frameName(f)}`,
        make: () => newNode(frameName(f), f.kind, f.model, f.name === null),
      })),
    ];
    for (const step of path) {
      let child = at.children.get(step.key);
      if (!child) at.children.set(step.key, (child = step.make()));
      child.samples += s.samples;
      at = child;
    }
  }
  return root;
}

/** Kernel frames by mental model: cool colours, apart from the warm user code. */
export const MODEL_COLOURS: Record<string, string> = {
  'virtual-memory': '#6baed6',
  'page-table-tlb': '#9ecae1',
  'page-cache': '#41b6c4',
  'file-descriptor': '#f1b6da',
  synchronization: '#9e9ac8',
  scheduling: '#74c476',
  'syscall-boundary': '#c6dbef',
};
const MODEL_FALLBACK = '#c7e9c0';
const KERNEL_UNTAGGED = '#d9cbb4';
const UNKNOWN = '#bdbdbd';

/** A stable colour per name (same name, same colour, across runs), warm for user code. */
function hashHue(name: string): number {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  return (h >>> 0) / 2 ** 32;
}

function colour(n: Node): string {
  if (n.kind === 'root' || n.kind === 'comm') return '#d9d9d9';
  if (n.unknown) return UNKNOWN;
  if (n.kind === 'kernel') return n.model ? (MODEL_COLOURS[n.model] ?? MODEL_FALLBACK) : KERNEL_UNTAGGED;
  const v = hashHue(n.name);
  if (n.kind === 'jit') return `rgb(${Math.round(60 + 60 * v)},${Math.round(170 + 50 * v)},${Math.round(60 + 40 * v)})`;
  return `rgb(${Math.round(205 + 50 * v)},${Math.round(80 + 120 * v)},${Math.round(40 + 30 * v)})`;
}

export function escapeXml(s: string): string {
  return s.replace(
    // Control characters are not allowed in XML 1.0 at all: they become U+FFFD.
    // eslint-disable-next-line no-control-regex
    /[&<>"'\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? '\ufffd',
  );
}

const WIDTH = 1200;
const FRAME_H = 16;
const PAD_TOP = 72;
const PAD_BOTTOM = 24;
const PAD_X = 10;
/** Frames narrower than this (px at full view) are left out; their samples stay in the parent. */
const MIN_WIDTH = 0.1;
const CHAR_W = 7;

export interface FlameGraphOptions {
  title?: string;
  subtitle?: string;
}

/** The SVG document for `stacks`. */
export function flameGraphSvg(stacks: readonly ProfileStack[], opts: FlameGraphOptions = {}): string {
  const root = callTree(stacks);
  const total = Math.max(1, root.samples);
  const scale = (WIDTH - 2 * PAD_X) / total;
  const frames: string[] = [];
  let depthMax = 0;
  const models = new Set<ModelId>();
  const walk = (n: Node, x: number, depth: number) => {
    const w = n.samples * scale;
    if (w < MIN_WIDTH) return;
    depthMax = Math.max(depthMax, depth);
    if (n.model) models.add(n.model);
    frames.push(frameSvg(n, x, depth, w, total));
    let cx = x;
    const kids = [...n.children.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const c of kids) {
      walk(c, cx, depth + 1);
      cx += c.samples * scale;
    }
  };
  walk(root, PAD_X, 0);
  const height = PAD_TOP + (depthMax + 1) * FRAME_H + PAD_BOTTOM;
  // The flame rises from the bottom: y of depth d.
  const body = frames
    .join('\n')
    .replace(/\{Y:(\d+)\}/g, (_, d: string) => String(height - PAD_BOTTOM - (Number(d) + 1) * FRAME_H));
  const swatches: Array<[string, string]> = [
    ['user code', 'rgb(230,140,55)'],
    ['kernel', KERNEL_UNTAGGED],
    ...[...models].sort().map((m): [string, string] => [`kernel: ${m}`, MODEL_COLOURS[m] ?? MODEL_FALLBACK]),
    ['[unknown]', UNKNOWN],
  ];
  let lx = PAD_X;
  const legend = swatches
    .map(([label, fill]) => {
      const out = `<rect x="${lx}" y="50" width="12" height="12" fill="${fill}"/><text x="${lx + 16}" y="60">${escapeXml(label)}</text>`;
      lx += 30 + label.length * 6.5;
      return out;
    })
    .join('');
  return `<?xml version="1.0" standalone="no"?>
<svg version="1.1" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" xmlns="http://www.w3.org/2000/svg" data-total="${total}">
<style>
text { font-family: Verdana, sans-serif; font-size: 12px; fill: #000; }
#title { font-size: 17px; text-anchor: middle; }
.f:hover rect { stroke: #000; stroke-width: 0.5; cursor: pointer; }
.f text { pointer-events: none; }
.ui { cursor: pointer; fill: #1f4e96; }
.hl rect { fill: #e052e0 !important; }
.hidden { display: none; }
</style>
<rect x="0" y="0" width="${WIDTH}" height="${height}" fill="#fbfbf6"/>
<text id="title" x="${WIDTH / 2}" y="22">${escapeXml(opts.title ?? 'oslens profile')}</text>
<text x="${PAD_X}" y="40" fill="#555">${escapeXml(opts.subtitle ?? `${total} samples`)}</text>
${legend}
<text id="reset" class="ui hidden" x="${PAD_X}" y="22">Reset zoom</text>
<text id="search" class="ui" x="${WIDTH - PAD_X - 60}" y="22">Search</text>
<text id="matched" x="${WIDTH - PAD_X - 160}" y="${height - 6}"></text>
<text id="details" x="${PAD_X}" y="${height - 6}"> </text>
<g id="frames">
${body}
</g>
<script type="text/ecmascript"><![CDATA[
${SCRIPT}
]]></script>
</svg>
`;
}

function frameSvg(n: Node, x: number, depth: number, w: number, total: number): string {
  const pct = ((100 * n.samples) / total).toFixed(2);
  const what = n.kind === 'kernel' ? ` [kernel${n.model ? `: ${n.model}` : ''}]` : n.kind === 'jit' ? ' [jit]' : '';
  const title = `${n.name}${what} (${n.samples} samples, ${pct}%)`;
  const fits = Math.floor((w - 6) / CHAR_W);
  const label = fits < 3 ? '' : n.name.length <= fits ? n.name : `${n.name.slice(0, fits - 2)}..`;
  return `<g class="f" data-x="${x.toFixed(3)}" data-w="${w.toFixed(3)}" data-d="${depth}"><title>${escapeXml(title)}</title><rect x="${x.toFixed(2)}" y="{Y:${depth}}" width="${w.toFixed(2)}" height="${FRAME_H - 1}" rx="2" fill="${colour(n)}"/><text x="${(x + 3).toFixed(2)}" y="{Y:${depth}}" dy="11.5">${escapeXml(label)}</text></g>`;
}

/**
 * The viewer: no names in here (they are read back from each frame's <title>), so nothing from a
 * profiled program is ever script.
 */
const SCRIPT = `
(function () {
  var svg = document.documentElement, W = ${WIDTH}, PAD = ${PAD_X}, CH = ${CHAR_W};
  var frames = Array.prototype.slice.call(document.querySelectorAll('.f'));
  var reset = document.getElementById('reset'), details = document.getElementById('details');
  var matched = document.getElementById('matched'), total = Number(svg.getAttribute('data-total'));
  function nameOf(g) { var t = g.querySelector('title').textContent; return t.replace(/ (\\[[^\\]]*\\] )?\\(\\d+ samples, [\\d.]+%\\)$/, ''); }
  function label(g, w) { var n = nameOf(g), fits = Math.floor((w - 6) / CH); return fits < 3 ? '' : n.length <= fits ? n : n.slice(0, fits - 2) + '..'; }
  function place(g, x, w) {
    var r = g.querySelector('rect'), t = g.querySelector('text');
    r.setAttribute('x', x.toFixed(2)); r.setAttribute('width', Math.max(0, w).toFixed(2));
    t.setAttribute('x', (x + 3).toFixed(2)); t.textContent = label(g, w);
  }
  function zoom(target) {
    var zx = Number(target.getAttribute('data-x')), zw = Number(target.getAttribute('data-w'));
    var zd = Number(target.getAttribute('data-d')), k = (W - 2 * PAD) / zw;
    frames.forEach(function (g) {
      var x = Number(g.getAttribute('data-x')), w = Number(g.getAttribute('data-w')), d = Number(g.getAttribute('data-d'));
      var inside = x >= zx - 1e-6 && x + w <= zx + zw + 1e-6 && d >= zd;
      var ancestor = d < zd && x <= zx + 1e-6 && x + w >= zx + zw - 1e-6;
      if (inside) { g.classList.remove('hidden'); place(g, PAD + (x - zx) * k, w * k); }
      else if (ancestor) { g.classList.remove('hidden'); place(g, PAD, W - 2 * PAD); }
      else g.classList.add('hidden');
    });
    reset.classList.remove('hidden');
  }
  function unzoom() {
    frames.forEach(function (g) { g.classList.remove('hidden'); place(g, Number(g.getAttribute('data-x')), Number(g.getAttribute('data-w'))); });
    reset.classList.add('hidden');
  }
  function search(re) {
    var covered = [], sum = 0;
    frames.forEach(function (g) {
      var hit = re !== null && re.test(nameOf(g));
      g.classList.toggle('hl', hit);
      if (!hit) return;
      var x = Number(g.getAttribute('data-x')), w = Number(g.getAttribute('data-w'));
      // Nested matches (a recursive function) are counted once: skip those inside a counted one.
      for (var i = 0; i < covered.length; i++) if (x >= covered[i][0] - 1e-6 && x + w <= covered[i][1] + 1e-6) return;
      covered.push([x, x + w]); sum += w;
    });
    matched.textContent = re === null ? '' : 'Matched: ' + (100 * sum / (W - 2 * PAD)).toFixed(1) + '%';
  }
  frames.forEach(function (g) {
    g.addEventListener('click', function () { zoom(g); });
    g.addEventListener('mouseover', function () { details.textContent = g.querySelector('title').textContent; });
    g.addEventListener('mouseout', function () { details.textContent = ' '; });
  });
  reset.addEventListener('click', unzoom);
  function ask() {
    var term = window.prompt('Search for (regular expression):', '');
    if (term === null || term === '') { search(null); return; }
    try { search(new RegExp(term)); } catch (e) { matched.textContent = 'bad expression'; }
  }
  document.getElementById('search').addEventListener('click', ask);
  window.addEventListener('keydown', function (e) {
    if ((e.ctrlKey || e.metaKey) && e.key === 'f') { e.preventDefault(); ask(); }
    if (e.key === 'Escape') { unzoom(); search(null); }
  });
  // For tests and links: #search=REGEX highlights on load, #zoom=N zooms into the Nth frame.
  var h = decodeURIComponent(location.hash.slice(1)), m;
  if ((m = /^search=(.*)$/.exec(h))) search(new RegExp(m[1]));
  if ((m = /^zoom=(\\d+)$/.exec(h)) && frames[Number(m[1])]) zoom(frames[Number(m[1])]);
  svg.oslens = { zoom: zoom, unzoom: unzoom, search: search, frames: frames, total: total };
})();
`;
