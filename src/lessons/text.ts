/** Plain-text layout helpers shared by learn, explain, demo and quiz. */

/** Wraps `text` to `width` columns, every line prefixed with `indent`. */
export function wrap(text: string, width = 96, indent = ''): string {
  const out: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (const word of para.split(/\s+/).filter(Boolean)) {
      if (line && indent.length + line.length + 1 + word.length > width) {
        out.push(indent + line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    out.push(indent + line);
  }
  return out.join('\n');
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
