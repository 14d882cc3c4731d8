/**
 * The argument types that carry netlink decoding: sendto's and recvfrom's buffers, and the
 * argument slots that hold the engine's netlink capture (CAP_NL_IN/OUT): sendto's and
 * recvfrom's length, sendmsg's and recvmsg's flags (their own values print as usual).
 * msghdr.ts decodes msg_iov with the same capture.
 */
import * as N from '../../net-flags.js';
import { Cap } from '../../records.js';
import { quote } from '../quote.js';
import { pack, type ArgCtx, type ArgType } from '../types.js';
import { netlinkData, netlinkText } from './netlink.js';
import './rtnetlink.js';
import './sock-diag.js';
import './netlink-audit.js';

/** strace's decode_sockbuf: netlink messages on a netlink socket, else the bytes. */
function sockbufText(a: ArgCtx): string {
  const nl = netlinkData(a.captures, false);
  const buf = nl?.buffers[0];
  const text = buf && netlinkText(buf, nl.proto);
  return text ?? quote(a.c!.data, a.c!.truncated);
}

const msgflags = (a: ArgCtx) => N.xflags(Number(a.v & 0xffffffffn), N.MSG_FLAGS, 'MSG_???');

export const NETLINK_ARG_TYPES: Record<string, ArgType> = {
  /** sendto's buffer; its length is argument `param`. */
  sockbuf_in: { capture: (p) => pack(Cap.bufIn, p ?? 0, 0), memory: true, render: sockbufText },
  /** recvfrom's buffer, filled with `ret` bytes. */
  sockbuf_out: { capture: () => pack(Cap.bufOutRet, 0, 0), output: true, memory: true, render: sockbufText },
  /** sendto's length; its slot reads the buffer at argument `param` if the fd is a netlink socket. */
  len_nl_in: { capture: (p) => pack(Cap.nlIn, p ?? 1, 0), render: (a) => String(a.v) },
  /** recvfrom's length; the netlink view of the buffer at argument `param`, read at exit. */
  len_nl_out: { capture: (p) => pack(Cap.nlOut, p ?? 1, 0), render: (a) => String(a.v) },
  /** sendmsg's flags; the slot reads the msghdr's iovecs at argument `param` on a netlink socket. */
  msgflags_nl_in: { capture: (p) => pack(Cap.nlIn, p ?? 1, 1), render: msgflags },
  /** recvmsg's flags; the same at exit. */
  msgflags_nl_out: { capture: (p) => pack(Cap.nlOut, p ?? 1, 1), render: msgflags },
};
