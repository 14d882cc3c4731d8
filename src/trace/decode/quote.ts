/** strace's quoting of strings and buffers. */

/** strace -x (1): a string with a byte that is neither printable nor \t\n\v\f\r goes all hex; -xx (2): every string. */
let hexStyle: 0 | 1 | 2 = 0;

/** Sets -x / -xx for the strings printed from now on (the trace command, once, from its flags). */
export function setHexStyle(style: number): void {
  hexStyle = style >= 2 ? 2 : style === 1 ? 1 : 0;
}

const needsHex = (c: number) => c > 0x7e || (c < 0x20 && (c < 9 || c > 13));

/**
 * strace's string_quote(): printable ASCII as is, C escapes, octal for the rest (`\0`, `\33`,
 * three digits when an octal digit follows). `hex`: QUOTE_FORCE_HEX, every byte as `\xNN`, as
 * strace prints buffers that are bytes, not text (getrandom's).
 */
export function quote(data: Buffer, truncated: boolean, hex = false): string {
  const allHex = hex || hexStyle === 2 || (hexStyle === 1 && data.some(needsHex));
  let s = '"';
  for (let i = 0; i < data.length; i++) {
    const c = data[i]!;
    if (allHex) {
      s += `\\x${c.toString(16).padStart(2, '0')}`;
      continue;
    }
    const next = data[i + 1];
    if (c === 0x22) s += '\\"';
    else if (c === 0x5c) s += '\\\\';
    else if (c === 0x0a) s += '\\n';
    else if (c === 0x09) s += '\\t';
    else if (c === 0x0d) s += '\\r';
    else if (c === 0x0b) s += '\\v';
    else if (c === 0x0c) s += '\\f';
    else if (c >= 0x20 && c < 0x7f) s += String.fromCharCode(c);
    else {
      const octal = c.toString(8);
      s += next !== undefined && next >= 0x30 && next <= 0x37 ? `\\${octal.padStart(3, '0')}` : `\\${octal}`;
    }
  }
  return s + (truncated ? '"...' : '"');
}
