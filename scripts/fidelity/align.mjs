/**
 * The aligner of `npm run bench:fidelity` (pure): a longest common subsequence of two line
 * sequences, then the differing lines paired by syscall and sorted into kinds of difference.
 */
import { lineKind, splitStrings } from './normalise.mjs';

/** Largest n*m gap solved by dynamic programming; bigger gaps are first cut at unique lines. */
const DP_CELLS = 2.5e7;

/** LCS by dynamic programming: the matched index pairs, in order. */
function lcsDp(a, b, ai, bi, out, eq) {
  const n = a.length;
  const m = b.length;
  if (n === 0 || m === 0) return;
  const dir = new Uint8Array(n * m); // 1 match, 2 up (skip a), 3 left (skip b)
  let prev = new Int32Array(m + 1);
  let cur = new Int32Array(m + 1);
  for (let i = 1; i <= n; i++) {
    for (let j = 1; j <= m; j++) {
      const k = (i - 1) * m + (j - 1);
      if (eq(a[i - 1], b[j - 1])) {
        cur[j] = prev[j - 1] + 1;
        dir[k] = 1;
      } else if (prev[j] >= cur[j - 1]) {
        cur[j] = prev[j];
        dir[k] = 2;
      } else {
        cur[j] = cur[j - 1];
        dir[k] = 3;
      }
    }
    [prev, cur] = [cur, prev];
  }
  const pairs = [];
  for (let i = n, j = m; i > 0 && j > 0;) {
    const d = dir[(i - 1) * m + (j - 1)];
    if (d === 1) {
      pairs.push([ai + i - 1, bi + j - 1]);
      i--;
      j--;
    } else if (d === 2) i--;
    else j--;
  }
  for (let k = pairs.length - 1; k >= 0; k--) out.push(pairs[k]);
}

/** Lines that occur exactly once in both a and b, as increasing index pairs (patience diff). */
function uniqueAnchors(a, b) {
  const count = new Map();
  a.forEach((x, i) => {
    const c = count.get(x) ?? { a: 0, b: 0, ai: i, bi: -1 };
    c.a++;
    count.set(x, c);
  });
  b.forEach((x, j) => {
    const c = count.get(x);
    if (c) {
      c.b++;
      c.bi = j;
    }
  });
  const cand = [...count.values()].filter((c) => c.a === 1 && c.b === 1).sort((p, q) => p.ai - q.ai);
  // Longest increasing subsequence of bi (patience sorting).
  const tails = [];
  const back = new Array(cand.length);
  cand.forEach((c, k) => {
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cand[tails[mid]].bi < c.bi) lo = mid + 1;
      else hi = mid;
    }
    back[k] = lo > 0 ? tails[lo - 1] : -1;
    tails[lo] = k;
  });
  const out = [];
  for (let k = tails.length ? tails[tails.length - 1] : -1; k >= 0; k = back[k]) out.push([cand[k].ai, cand[k].bi]);
  return out.reverse();
}

function alignInto(a, b, ai, bi, out, eq) {
  let s = 0;
  while (s < a.length && s < b.length && eq(a[s], b[s])) out.push([ai + s, bi + s++]);
  let e = 0;
  while (e < a.length - s && e < b.length - s && eq(a[a.length - 1 - e], b[b.length - 1 - e])) e++;
  const ma = a.slice(s, a.length - e);
  const mb = b.slice(s, b.length - e);
  if (ma.length * mb.length <= DP_CELLS) lcsDp(ma, mb, ai + s, bi + s, out, eq);
  else {
    const anchors = uniqueAnchors(ma, mb);
    if (anchors.length === 0) {
      // No unique line to cut at: a greedy in-order match keeps the run bounded.
      let j = 0;
      for (let i = 0; i < ma.length && j < mb.length; i++) {
        const k = mb.indexOf(ma[i], j);
        if (k >= 0 && k - j < 64) {
          out.push([ai + s + i, bi + s + k]);
          j = k + 1;
        }
      }
    } else {
      let pa = 0;
      let pb = 0;
      for (const [x, y] of anchors) {
        alignInto(ma.slice(pa, x), mb.slice(pb, y), ai + s + pa, bi + s + pb, out, eq);
        out.push([ai + s + x, bi + s + y]);
        pa = x + 1;
        pb = y + 1;
      }
      alignInto(ma.slice(pa), mb.slice(pb), ai + s + pa, bi + s + pb, out, eq);
    }
  }
  for (let k = e; k > 0; k--) out.push([ai + a.length - k, bi + b.length - k]);
}

/** The index pairs [i, j] with a[i] equal to b[j] of a longest common subsequence, in order. */
export function align(a, b, eq = (x, y) => x === y) {
  const out = [];
  alignInto(a, b, 0, 0, out, eq);
  return out;
}

/** Splits `name(a, b, {c, d}) = ret` into its top-level arguments and the return text. */
export function splitCall(body) {
  let depth = 0;
  const args = [];
  let cur = '';
  let ret = '';
  let open = false;
  let done = false;
  for (const p of splitStrings(body)) {
    if (p.str || done) {
      if (done) ret += p.text;
      else cur += p.text;
      continue;
    }
    for (let i = 0; i < p.text.length; i++) {
      const c = p.text[i];
      if (done) {
        ret += c;
        continue;
      }
      if (!open) {
        if (c === '(' || c === '>') open = true;
        continue;
      }
      if (c === '(' || c === '{' || c === '[') depth++;
      if (c === ')' || c === '}' || c === ']') {
        if (depth === 0) {
          args.push(cur.trim());
          done = true;
          continue;
        }
        depth--;
      }
      if (c === ',' && depth === 0) {
        args.push(cur.trim());
        cur = '';
      } else cur += c;
    }
  }
  return { args: args.filter((x, i) => x !== '' || i > 0), ret: ret.trim() };
}

const RAW = /^(?:0x[0-9a-fA-F]+|0xADDR|-?\d+)$/;

/** The kind of difference between strace's line s and oslens' line o (both normalised). */
export function classify(s, o) {
  if (s.startsWith('!prefix') || o.startsWith('!prefix')) return 'pid prefix';
  if (s.startsWith('!pad') || o.startsWith('!pad')) return 'alignment/spacing';
  const ks = lineKind(s);
  const ko = lineKind(o);
  if (ks.kind === 'exit' || ko.kind === 'exit') return 'exit lines';
  if (ks.kind === 'signal' || ko.kind === 'signal') return 'signal lines';
  if (s.replace(/ +/g, ' ') === o.replace(/ +/g, ' ')) return 'alignment/spacing';
  if (
    ks.kind !== ko.kind &&
    (ks.kind === 'unfinished' || ks.kind === 'resumed' || ko.kind === 'unfinished' || ko.kind === 'resumed')
  )
    return 'unfinished/resumed';
  const cs = splitCall(s);
  const co = splitCall(o);
  if (cs.args.join(', ') === co.args.join(', ')) return 'return value';
  if (cs.args.some((x, i) => co.args[i] !== undefined && co.args[i] !== x && RAW.test(co.args[i]) && !RAW.test(x)))
    return 'raw value where strace decodes';
  if (cs.args.length !== co.args.length) return 'argument count';
  return 'argument decoded differently';
}

/**
 * Compares strace's tasks with another trace's (both from normaliseTrace): per task, the LCS of
 * the normalised lines; the unmatched lines of each gap paired by syscall name and classified.
 * Returns the totals, the counts per kind and per syscall, and example pairs.
 */
export function compareTraces(strace, other) {
  const res = { straceLines: 0, otherLines: 0, identical: 0, kinds: {}, syscalls: {}, examples: [] };
  const note = (kind, name, s, o) => {
    res.kinds[kind] = (res.kinds[kind] ?? 0) + 1;
    const entry = (res.syscalls[name] ??= { count: 0, kinds: {}, example: null });
    entry.count++;
    entry.kinds[kind] = (entry.kinds[kind] ?? 0) + 1;
    const ex = { kind, name, strace: s?.raw ?? null, other: o?.raw ?? null };
    entry.example ??= ex;
    res.examples.push(ex);
  };
  const nameOf = (l) => lineKind(l.norm.replace(/^(?:!\w+ )+/, '')).name;
  for (const task of new Set([...strace.keys(), ...other.keys()])) {
    const a = strace.get(task) ?? [];
    const b = other.get(task) ?? [];
    res.straceLines += a.length;
    res.otherLines += b.length;
    const pairs = align(
      a.map((l) => l.norm),
      b.map((l) => l.norm),
    );
    res.identical += pairs.length;
    let pi = 0;
    let pj = 0;
    for (const [i, j] of [...pairs, [a.length, b.length]]) {
      const dels = a.slice(pi, i);
      const ins = b.slice(pj, j);
      const byName = align(dels.map(nameOf), ins.map(nameOf));
      const pairedA = new Set(byName.map(([x]) => x));
      const pairedB = new Set(byName.map(([, y]) => y));
      for (const [x, y] of byName) {
        const kind = classify(dels[x].norm, ins[y].norm);
        // Joined lines that differ only in spacing were split differently.
        const split = dels[x].merged || ins[y].merged;
        note(split && kind === 'alignment/spacing' ? 'unfinished/resumed' : kind, nameOf(dels[x]), dels[x], ins[y]);
      }
      dels.forEach((l, x) => pairedA.has(x) || note('missing line', nameOf(l), l, null));
      ins.forEach((l, y) => pairedB.has(y) || note('extra line', nameOf(l), null, l));
      pi = i + 1;
      pj = j + 1;
    }
  }
  return res;
}

/** Adds comparison b into a (totals, kinds, syscalls; examples up to `keep`). */
export function addComparison(a, b, keep = 200) {
  a.straceLines += b.straceLines;
  a.otherLines += b.otherLines;
  a.identical += b.identical;
  for (const [k, n] of Object.entries(b.kinds)) a.kinds[k] = (a.kinds[k] ?? 0) + n;
  for (const [name, e] of Object.entries(b.syscalls)) {
    const t = (a.syscalls[name] ??= { count: 0, kinds: {}, example: e.example });
    t.count += e.count;
    for (const [k, n] of Object.entries(e.kinds)) t.kinds[k] = (t.kinds[k] ?? 0) + n;
  }
  for (const ex of b.examples) if (a.examples.length < keep) a.examples.push(ex);
  return a;
}
