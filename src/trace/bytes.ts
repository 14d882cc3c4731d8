/**
 * Bytes from a process (argv, paths) in JSON, lossless: a JSON string is text, and these are
 * bytes that are usually, not always, UTF-8. The rule (README, "trace --json"): field X is the
 * UTF-8 text (invalid bytes as U+FFFD); when that text is not the bytes exactly, field
 * `XBase64` carries the bytes (for an array: every element, so that indexes match).
 */
import { isUtf8 } from 'node:buffer';

/** The NUL-terminated strings of a /proc/PID/cmdline-style buffer. */
export function splitNul(buf: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  while (at < buf.length) {
    const nul = buf.indexOf(0, at);
    const end = nul < 0 ? buf.length : nul;
    out.push(buf.subarray(at, end));
    at = end + 1;
  }
  return out;
}

/** `{ [name]: text, [name + 'Base64']: bytes when not UTF-8 }` for one byte string. */
export function bytesField(name: string, bytes: Buffer): Record<string, string> {
  const out: Record<string, string> = { [name]: bytes.toString('utf8') };
  if (!isUtf8(bytes)) out[`${name}Base64`] = bytes.toString('base64');
  return out;
}

/** The same for an array: `XBase64` has every element when one of them is not UTF-8. */
export function bytesArrayField(name: string, items: Buffer[]): Record<string, string[]> {
  const out: Record<string, string[]> = { [name]: items.map((b) => b.toString('utf8')) };
  if (!items.every((b) => isUtf8(b))) out[`${name}Base64`] = items.map((b) => b.toString('base64'));
  return out;
}
