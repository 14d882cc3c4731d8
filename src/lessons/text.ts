/** Plain-text layout helpers shared by learn, explain, demo and quiz. */

/**
 * The width text is laid out for: the terminal's columns (stdout, else stderr), else $COLUMNS,
 * else 100. Never below 40 or above 120 (long lines are hard to read on a projector too).
 */
export function terminalWidth(stream: NodeJS.WriteStream = process.stdout): number {
  const cols =
    (stream.isTTY ? stream.columns : undefined) ??
    (process.stderr.isTTY ? process.stderr.columns : undefined) ??
    Number(process.env.COLUMNS);
  const w = Number.isFinite(cols) && cols > 0 ? cols - 1 : 100;
  return Math.max(40, Math.min(120, w));
}

/**
 * Re-wraps prose to `width`: lines of one paragraph are joined and wrapped again; blank lines,
 * list items ("- "), headings (a line followed by ---) and indented blocks keep their breaks.
 */
export function reflow(text: string, width: number): string {
  const lines = text.split('\n');
  const out: string[] = [];
  let para: string[] = [];
  let paraIndent = '';
  const flush = (): void => {
    if (para.length) out.push(wrap(para.join(' '), width, paraIndent));
    para = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    const next = lines[i + 1] ?? '';
    if (l.trim() === '' || /^-+$/.test(l) || /^-+$/.test(next)) {
      flush();
      out.push(l);
      continue;
    }
    const item = /^(\s*)([-*]|\d+\.)\s+/.exec(l);
    if (item) {
      flush();
      // An item's continuation lines are joined to it and wrapped aligned after its marker.
      const rest = [l.slice(item[0].length)];
      while (i + 1 < lines.length && lines[i + 1]!.trim() !== '' && !/^\s*([-*]|\d+\.)\s+/.test(lines[i + 1]!))
        rest.push(lines[++i]!.trim());
      const hang = ' '.repeat(item[0].length);
      out.push(item[0] + wrap(rest.join(' '), width, hang).slice(hang.length));
      continue;
    }
    if (para.length === 0) paraIndent = /^\s*/.exec(l)![0];
    para.push(l.trim());
  }
  flush();
  return out.join('\n');
}

/**
 * Wraps `text` to `width` columns, every line prefixed with `indent`. A word longer than a line
 * stays whole (a terminal soft-wraps it, and a copied command keeps working) unless `split`: a
 * box that would cut it anywhere (the dashboards' lens) gets it in pieces cut at sensible places.
 */
export function wrap(text: string, width = terminalWidth(), indent = '', split = false): string {
  const out: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (const whole of para.split(/\s+/).filter(Boolean)) {
      // A word longer than a line: its pieces on lines of their own, the last one continued.
      const pieces = split ? splitLong(whole, width - indent.length) : [whole];
      const word = pieces.pop()!;
      if (pieces.length > 0) {
        if (line) out.push(indent + line);
        for (const piece of pieces) out.push(indent + piece);
        line = word;
        continue;
      }
      if (line && indent.length + line.length + 1 + word.length > width) {
        out.push(indent + line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    out.push(indent + line);
  }
  return out.join('\n');
}

/**
 * A word longer than a line, in pieces that fit: each cut after the last | , / or - that leaves a
 * piece of at least half the line (CLONE_VM|CLONE_FS|... breaks between flags), else at the width.
 */
function splitLong(word: string, max: number): string[] {
  if (max < 2 || word.length <= max) return [word];
  const pieces: string[] = [];
  let rest = word;
  while (rest.length > max) {
    let cut = max;
    for (let i = max; i >= Math.ceil(max / 2); i--)
      if ('|,/-'.includes(rest[i - 1]!)) {
        cut = i;
        break;
      }
    pieces.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  pieces.push(rest);
  return pieces;
}

/** Markdown lesson body to terminal text: headings underlined, inline marks dropped. */
export function markdownToText(md: string): string {
  return md
    .split('\n')
    .map((l) => {
      const h = /^#{1,6}\s+(.*)$/.exec(l);
      if (h) return `\n${h[1]}\n${'-'.repeat((h[1] ?? '').length)}`;
      return l
        .replace(/\*\*(.+?)\*\*/g, '$1')
        .replace(/`([^`]+)`/g, '$1')
        .replace(/\*([^*]+)\*/g, '$1');
    })
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Levenshtein distance, for "did you mean". */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

/** The candidates closest to `query` (substring matches first, then small edit distances). */
export function closestMatches(query: string, candidates: readonly string[], max = 5): string[] {
  const q = query.toLowerCase();
  const scored = candidates.map((c) => {
    const l = c.toLowerCase();
    const d = editDistance(q, l);
    const score =
      l === q ? -2 : l.startsWith(q) || (l.length > 2 && q.startsWith(l)) ? -1 + d / 100 : l.includes(q) ? d / 100 : d;
    return { c, score };
  });
  const limit = Math.max(2, Math.floor(q.length / 3));
  return [
    ...new Set(
      scored
        .filter((s) => s.score <= limit)
        .sort((a, b) => a.score - b.score)
        .map((s) => s.c),
    ),
  ].slice(0, max);
}
