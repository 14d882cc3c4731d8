/**
 * io_uring: io_uring_setup's struct io_uring_params (what the caller asked for at entry, what
 * the kernel filled in at exit), io_uring_enter's flags and signal mask, io_uring_register's
 * opcode and, for the fd-array opcodes, its fds. As strace 6.1 prints them (orders: every bit set).
 */
import type { FlagTable } from '../../flags.js';
import { Cap } from '../../records.js';
import { hex, pack, type ArgCtx, type ArgType } from '../types.js';
import { flags, xval } from '../xlat.js';
import { sigsetText } from './signal.js';

const names = (prefix: string, list: string): FlagTable => list.split(' ').map((n, i) => [1 << i, `${prefix}${n}`]);
const SETUP_FLAGS = names(
  'IORING_SETUP_',
  'IOPOLL SQPOLL SQ_AFF CQSIZE CLAMP ATTACH_WQ R_DISABLED SUBMIT_ALL COOP_TASKRUN TASKRUN_FLAG SQE128 CQE32',
);
const FEATURES = names(
  'IORING_FEAT_',
  'SINGLE_MMAP NODROP SUBMIT_STABLE RW_CUR_POS CUR_PERSONALITY FAST_POLL POLL_32BITS SQPOLL_NONFIXED EXT_ARG NATIVE_WORKERS RSRC_TAGS CQE_SKIP LINKED_FILE',
);
const ENTER_FLAGS = names('IORING_ENTER_', 'GETEVENTS SQ_WAKEUP SQ_WAIT EXT_ARG REGISTERED_RING');
const REGISTER_OPS: FlagTable = (
  'REGISTER_BUFFERS UNREGISTER_BUFFERS REGISTER_FILES UNREGISTER_FILES REGISTER_EVENTFD UNREGISTER_EVENTFD ' +
  'REGISTER_FILES_UPDATE REGISTER_EVENTFD_ASYNC REGISTER_PROBE REGISTER_PERSONALITY UNREGISTER_PERSONALITY ' +
  'REGISTER_RESTRICTIONS REGISTER_ENABLE_RINGS REGISTER_FILES2 REGISTER_FILES_UPDATE2 REGISTER_BUFFERS2 ' +
  'REGISTER_BUFFERS_UPDATE REGISTER_IOWQ_AFF UNREGISTER_IOWQ_AFF REGISTER_IOWQ_MAX_WORKERS REGISTER_RING_FDS ' +
  'UNREGISTER_RING_FDS REGISTER_PBUF_RING UNREGISTER_PBUF_RING'
)
  .split(' ')
  .map((n, i) => [i, `IORING_${n}`]);
/** Opcodes whose argument is an array of nr_args fds. */
const FD_ARRAY_OPS = new Set([2, 4, 7]);
const ATTACH_WQ = 0x20;
const EXT_ARG = 0x8;

const u32 = (v: bigint): number => Number(v & 0xffffffffn);
const h = (v: number): string => (v === 0 ? '0' : `0x${v.toString(16)}`);

/** struct io_uring_params (120 bytes): the caller's part, then the kernel's once it succeeded. */
function paramsText(a: ArgCtx): string {
  const at = (phase: 0 | 1) =>
    a.captures.find((c) => c.arg === a.i && c.phase === phase && c.kind === Cap.structInOut && c.data.length >= 120);
  const entry = at(0);
  if (!entry) return hex(a.v);
  const d = entry.data;
  const f = d.readUInt32LE(8);
  let s = `{flags=${flags(f, SETUP_FLAGS, 'IORING_SETUP_???')}, sq_thread_cpu=${h(d.readUInt32LE(12))}, sq_thread_idle=${d.readUInt32LE(16)}`;
  if (f & ATTACH_WQ) s += `, wq_fd=${d.readInt32LE(24)}`;
  const resv = [28, 32, 36].map((o) => d.readUInt32LE(o));
  if (resv.some(Boolean)) s += `, resv=[${resv.map(h).join(', ')}]`;
  const exit = a.failed ? undefined : at(1);
  if (exit) {
    const x = exit.data;
    const w = (o: number) => x.readUInt32LE(o);
    s += `, sq_entries=${w(0)}, cq_entries=${w(4)}, features=${flags(w(20), FEATURES, 'IORING_FEAT_???')}`;
    s += `, sq_off={head=${w(40)}, tail=${w(44)}, ring_mask=${w(48)}, ring_entries=${w(52)}, flags=${w(56)}, dropped=${w(60)}, array=${w(64)}}`;
    s += `, cq_off={head=${w(80)}, tail=${w(84)}, ring_mask=${w(88)}, ring_entries=${w(92)}, overflow=${w(96)}, cqes=${w(100)}, flags=${w(104)}}`;
  }
  return `${s}}`;
}

function registerArg(a: ArgCtx): string {
  const op = u32(a.raw[1] ?? 0n);
  if (a.v === 0n) return 'NULL';
  if (FD_ARRAY_OPS.has(op)) {
    const c = a.captures.find((c) => c.arg === a.i && c.phase === 0 && c.kind === Cap.arrayIn);
    if (!c) return hex(a.v);
    const fds: string[] = [];
    for (let at = 0; at + 4 <= c.data.length; at += 4) fds.push(String(c.data.readInt32LE(at)));
    if (c.truncated) fds.push('...');
    return `[${fds.join(', ')}]`;
  }
  // Other opcodes' structs are not decoded yet: the address, as strace prints the undecoded ones.
  return hex(a.v);
}

export const IO_URING_TYPES: Record<string, ArgType> = {
  uring_params: { capture: () => pack(Cap.structInOut, 0, 120), memory: true, render: paramsText },
  uring_enter_flags: { render: (a) => flags(u32(a.v), ENTER_FLAGS, 'IORING_ENTER_???') },
  /** The signal mask, or with IORING_ENTER_EXT_ARG a struct io_uring_getevents_arg (not decoded). */
  uring_sig: {
    capture: () => pack(Cap.structIn, 0, 8),
    memory: true,
    render: (a) =>
      u32(a.raw[3] ?? 0n) & EXT_ARG || a.raw[5] !== 8n || a.c!.data.length < 8 ? hex(a.v) : sigsetText(a.c!.data),
  },
  uring_register_op: { render: (a) => xval(u32(a.v), REGISTER_OPS, 'IORING_REGISTER_???') },
  /** Read as an fd array (harmless for the other opcodes): the opcode decides. */
  uring_register_arg: { capture: () => pack(Cap.arrayIn, 3, 4), render: registerArg },
};
