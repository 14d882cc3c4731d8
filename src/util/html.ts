/**
 * Text that reaches an HTML page (the bench report, the exporter's index): the five characters
 * HTML gives meaning to become entities, so a hostname or a note cannot open a tag or end an
 * attribute. `htmlText` also makes control and bidi characters visible (as the terminal views
 * do): a hostname with U+202E would otherwise reverse the rest of its line on the page.
 */
import { escapeForTerminal } from './terminal.js';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** `s` safe inside element text and quoted attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/** Text from a host or a run file, for a page: control characters escaped, then HTML. */
export function htmlText(s: unknown): string {
  return escapeHtml(escapeForTerminal(String(s)));
}
