/**
 * Text from a process or the file system (names, command lines, paths, environment) made safe to
 * print on a terminal. Any local user chooses such text: a process named "\e]0;x\a\e[2J" would
 * retitle and clear root's terminal, one with a newline would forge a row of `ps`. Every
 * human-readable output passes such strings through `escapeForTerminal`; JSON stays exact.
 */

/**
 * What is escaped: C0 controls (newline and tab included), DEL, C1 controls (U+0080–U+009F, which
 * some terminals obey as ESC sequences), the Unicode line/paragraph separators and the bidi
 * controls (which reorder what is shown). Printable Unicode is kept as is, and so is the
 * backslash: as with ps, a name may look like an escape, but no control byte reaches the
 * terminal, and text already escaped (strace-style, by the trace decoders) passes unchanged.
 * The readers decode /proc text as UTF-8: an invalid byte arrives here as U+FFFD (printable).
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff\ufff9-\ufffb]/gu;

const NAMED: Record<string, string> = { '\n': '\\n', '\t': '\\t', '\r': '\\r' };

function escapeChar(c: string): string {
  const named = NAMED[c];
  if (named) return named;
  const code = c.codePointAt(0) ?? 0;
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
}

/** `s` with every control character written as an escape (\n, \t, \x1b, \u{202e}). */
export function escapeForTerminal(s: string): string {
  return s.replace(UNSAFE, escapeChar);
}

/**
 * A record with every string in it (object keys too) escaped for a terminal, for the text
 * renderers: the record's JSON is printed from the original, exact.
 */
export function escapeStrings<T>(x: T): T {
  if (typeof x === 'string') return escapeForTerminal(x) as T;
  if (Array.isArray(x)) return x.map(escapeStrings) as T;
  if (x !== null && typeof x === 'object' && Object.getPrototypeOf(x) === Object.prototype) {
    return Object.fromEntries(Object.entries(x).map(([k, v]) => [escapeForTerminal(k), escapeStrings(v)])) as T;
  }
  return x;
}
