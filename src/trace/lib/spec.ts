/**
 * `trace --lib SPEC`: which functions of which libraries. Pure.
 *
 *   SPEC    := ITEM (';' ITEM)*          (--lib may also be given several times)
 *   ITEM    := LIBRARY ':' PATTERN (',' PATTERN)*
 *   LIBRARY := a path (with a '/'), a file name (libc.so.6), or a short name: `libc` and `c`
 *              both name libc.so.6, `m` libm.so.6; the program's own file name names it
 *   PATTERN := a function name, or a glob (`*` any run of characters, `?` one)
 */

export interface LibSpecItem {
  library: string;
  patterns: string[];
}

export class LibSpecError extends Error {}

const NAME = /^[A-Za-z0-9_.@$*?]+$/;

export function parseLibSpec(specs: readonly string[]): LibSpecItem[] {
  const items: LibSpecItem[] = [];
  for (const spec of specs) {
    for (const raw of spec.split(';')) {
      const text = raw.trim();
      if (text === '') continue;
      const colon = text.lastIndexOf(':');
      if (colon <= 0)
        throw new LibSpecError(`"${text}": expected LIBRARY:FUNCTION[,FUNCTION...] (e.g. libc:malloc,free)`);
      const library = text.slice(0, colon).trim();
      const patterns = text
        .slice(colon + 1)
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean);
      if (patterns.length === 0) throw new LibSpecError(`"${text}": no function after "${library}:"`);
      for (const p of patterns) if (!NAME.test(p)) throw new LibSpecError(`"${p}": not a function name or glob`);
      const same = items.find((i) => i.library === library);
      if (same) same.patterns.push(...patterns.filter((p) => !same.patterns.includes(p)));
      else items.push({ library, patterns: [...new Set(patterns)] });
    }
  }
  if (items.length === 0) throw new LibSpecError('give LIBRARY:FUNCTION[,FUNCTION...] (e.g. libc:malloc,free)');
  return items;
}

export const isGlob = (pattern: string) => /[*?]/.test(pattern);

/** A glob as a whole-name regular expression. */
export function globRegExp(pattern: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

/**
 * Whether a loaded object's file (its path) is the one a SPEC's LIBRARY names: the same path
 * (LIBRARY has a '/'), the same file name, or the short forms `libc` / `c` of `libc.so.6`.
 */
export function libraryMatches(library: string, path: string): boolean {
  if (library.includes('/')) return path === library;
  const base = path.slice(path.lastIndexOf('/') + 1);
  if (base === library) return true;
  const stem = library.startsWith('lib') ? library : `lib${library}`;
  return base.startsWith(`${stem}.so`) || (base.startsWith(`${stem}-`) && base.includes('.so'));
}
