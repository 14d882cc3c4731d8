/** Extended attributes: values (quoted, a trailing NUL omitted) and name lists. */
import * as FS from '../../flags-fs.js';
import { Cap, type Capture } from '../../records.js';
import { quote } from '../quote.js';
import { hex, pack, type ArgType } from '../types.js';

const XATTR_SIZE_MAX = 65536n;

/**
 * strace's print_xattr_val: the first min(size, -s) bytes, a NUL as their last byte left out (and
 * then no `...` even when the value was longer: strace's QUOTE_OMIT_TRAILING_0 quirk). In hex
 * (-x, which that NUL itself triggers, or -xx) nothing is left out.
 */
function xattrValue(c: Capture): string {
  const d = c.data;
  const whole = quote(d, c.truncated);
  if (d.length === 0 || d[d.length - 1] !== 0 || /\\x00"(\.\.\.)?$/.test(whole)) return whole;
  return quote(d.subarray(0, d.length - 1), false);
}

export const XATTR_TYPES: Record<string, ArgType> = {
  /** setxattr's value, whose size is argument `param`. */
  xattr_value: {
    capture: (p) => pack(Cap.bufIn, p ?? 0, 0),
    memory: true,
    render: (a) => (a.raw[a.param ?? 0]! > XATTR_SIZE_MAX ? hex(a.v) : xattrValue(a.c!)),
  },
  /**
   * getxattr's value buffer, as the ret bytes at its address: strace 6.1 reads them even when the
   * size argument was 0 (a size query, which writes nothing there).
   */
  xattr_value_out: {
    capture: () => pack(Cap.bufOutRet, 0, 0),
    output: true,
    memory: true,
    render: (a) => (a.failed || (a.ret ?? 0n) > XATTR_SIZE_MAX ? hex(a.v) : xattrValue(a.c!)),
  },
  /** listxattr's list of NUL-terminated names (size in argument `param`). */
  xattr_list: {
    capture: () => pack(Cap.bufOutRet, 0, 0),
    output: true,
    memory: true,
    render: (a) => (a.raw[a.param ?? 0] === 0n || a.failed ? hex(a.v) : quote(a.c!.data, a.c!.truncated)),
  },
  xattr_flags: { render: (a) => FS.renderFlagsDflt(Number(a.v & 0xffffffffn), FS.XATTR_FLAGS, 'XATTR_???') },
};
