/**
 * Processes and threads as strace 6 prints them: clone's flags and its exit-time fields, clone3's
 * struct clone_args, wait statuses and options, waitid's id types, futex operations (only the
 * arguments an operation uses), pidfd flags, personality.
 */
import * as F from '../../flags.js';
import { Cap, type Capture } from '../../records.js';
import { hex, i32, i64, pack, ptr, type ArgCtx, type ArgType, type RetPrinter } from '../types.js';
import { signalText } from './signal.js';
import { timespecText } from './time.js';

export function wstatusText(v: number): string {
  const sig = v & 0x7f;
  if (v === 0xffff) return '[{WIFCONTINUED(s)}]';
  if (sig === 0) return `[{WIFEXITED(s) && WEXITSTATUS(s) == ${(v >> 8) & 0xff}}]`;
  if (sig === 0x7f) {
    const event = (v >> 16) & 0xff;
    const stop = `WIFSTOPPED(s) && WSTOPSIG(s) == ${signalText((v >> 8) & 0xff)}`;
    return event ? `[{${stop}}|${F.renderXlat(event, PTRACE_EVENTS, 'PTRACE_EVENT_???')}<<16]` : `[{${stop}}]`;
  }
  return `[{WIFSIGNALED(s) && WTERMSIG(s) == ${signalText(sig)}${v & 0x80 ? ' && WCOREDUMP(s)' : ''}}]`;
}

const PTRACE_EVENTS: F.FlagTable = [
  [1, 'PTRACE_EVENT_FORK'],
  [2, 'PTRACE_EVENT_VFORK'],
  [3, 'PTRACE_EVENT_CLONE'],
  [4, 'PTRACE_EVENT_EXEC'],
  [5, 'PTRACE_EVENT_VFORK_DONE'],
  [6, 'PTRACE_EVENT_EXIT'],
  [7, 'PTRACE_EVENT_SECCOMP'],
  [0x80, 'PTRACE_EVENT_STOP'],
];

/** wait4/waitid options in strace's order (WUNTRACED is WSTOPPED's value and prints so). */
const WAIT_OPTIONS: F.FlagTable = [
  [1, 'WNOHANG'],
  [4, 'WEXITED'],
  [2, 'WSTOPPED'],
  [8, 'WCONTINUED'],
  [0x1000000, 'WNOWAIT'],
  [0x80000000, '__WCLONE'],
  [0x40000000, '__WALL'],
  [0x20000000, '__WNOTHREAD'],
];

const ID_TYPES: F.FlagTable = [
  [0, 'P_ALL'],
  [1, 'P_PID'],
  [2, 'P_PGID'],
  [3, 'P_PIDFD'],
];

/** CLONE_* of clone3's 64-bit flags (strace's order: numeric). */
const CLONE3_FLAGS: F.FlagTable = [
  ...F.CLONE_FLAGS,
  [0x100000000, 'CLONE_CLEAR_SIGHAND'],
  [0x200000000, 'CLONE_INTO_CGROUP'],
  [0x400000000, 'CLONE_NEWTIME'],
];

const CLONE_PIDFD = 0x1000n;
const CLONE_PARENT_SETTID = 0x100000n;
const CLONE_CHILD_CLEARTID = 0x200000n;
const CLONE_CHILD_SETTID = 0x1000000n;
const CLONE_SETTLS = 0x80000n;
const CLONE_INTO_CGROUP = 0x200000000n;

/** C's %#x: 0 stays 0. */
const x = (v: bigint) => (v === 0n ? '0' : hex(v));

const intAt = (c: Capture | undefined) => (c && !c.fault && c.data.length >= 4 ? c.data.readInt32LE(0) : undefined);

/**
 * clone(flags, stack, parent_tid, child_tid, tls) as strace prints it: `child_stack=`, `flags=`
 * at entry, then at exit only the fields the flags use: `parent_tid=[N]` (or `pidfd=[N]`),
 * `tls=`, `child_tidptr=`.
 */
function cloneExitItems(a: ArgCtx): string[] {
  const flags = (a.raw[0] ?? 0n) & ~0xffn;
  const items: string[] = [];
  if (flags & (CLONE_PARENT_SETTID | CLONE_PIDFD)) {
    const v = intAt(a.captures.find((c) => c.arg === 2 && c.phase === 1));
    const name = flags & CLONE_PARENT_SETTID ? 'parent_tid' : 'pidfd';
    items.push(`${name}=${v === undefined || a.failed ? ptr(a.raw[2] ?? 0n) : `[${v >>> 0}]`}`);
  }
  if (flags & CLONE_SETTLS) items.push(`tls=${ptr(a.raw[4] ?? 0n)}`);
  if (flags & (CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID)) items.push(`child_tidptr=${ptr(a.raw[3] ?? 0n)}`);
  return items;
}

function cloneFlagsText(v: bigint): string {
  const flags = Number(v & 0xffffff00n);
  const sig = Number(v & 0xffn);
  const names = flags ? F.renderFlagsX(flags, F.CLONE_FLAGS, 'CLONE_???') : '';
  if (names && sig) return `${names}|${signalText(sig)}`;
  return names || (sig ? signalText(sig) : '0');
}

/** The pointer-valued fields of struct clone_args that clone3 reports at exit. */
const CLONE3_PIDFD_FIELD = 1;
const CLONE3_PARENT_TID_FIELD = 3;
/** strace's minimum: up to and including tls (64 bytes, CLONE_ARGS_SIZE_VER0). */
const CLONE3_MIN = 64;
/** The struct as this kernel knows it (CLONE_ARGS_SIZE_VER2: set_tid, set_tid_size, cgroup). */
const CLONE3_SIZE = 88;

function clone3Text(a: ArgCtx): string {
  const d = a.c!.data;
  const size = Number(a.raw[1] ?? 0n);
  const n = Math.min(size, CLONE3_SIZE);
  if (n < CLONE3_MIN || d.length < n) return hex(a.v);
  const u64 = (i: number) => d.readBigUInt64LE(8 * i);
  const flags = u64(0);
  const parts = [`flags=${F.renderFlagsX(flags, CLONE3_FLAGS, 'CLONE_???')}`];
  if (flags & CLONE_PIDFD) parts.push(`pidfd=${ptr(u64(1))}`);
  if (flags & (CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID)) parts.push(`child_tid=${ptr(u64(2))}`);
  if (flags & CLONE_PARENT_SETTID) parts.push(`parent_tid=${ptr(u64(3))}`);
  const sig = u64(4);
  parts.push(`exit_signal=${sig < 0x7fffffffn ? signalText(Number(sig)) : String(sig)}`);
  parts.push(`stack=${ptr(u64(5))}`, `stack_size=${x(u64(6))}`);
  if (flags & CLONE_SETTLS) parts.push(`tls=${ptr(u64(7))}`);
  if (n >= 80) {
    const setTid = u64(8);
    const setTidSize = u64(9);
    // The set_tid array itself is not read: its address, as strace prints an unreadable one.
    if (setTid || setTidSize) parts.push(`set_tid=${ptr(setTid)}`, `set_tid_size=${setTidSize}`);
  }
  if (n >= 88 && (u64(10) || flags & CLONE_INTO_CGROUP)) parts.push(`cgroup=${u64(10)}`);
  return `{${parts.join(', ')}}`;
}

/** clone3's struct as the engine read it at entry, when strace would decode it. */
function clone3Struct(raw: bigint[], captures: Capture[]): Buffer | undefined {
  const d = captures.find((c) => c.arg === 0 && c.kind === Cap.rawIn && c.phase === 0 && !c.fault)?.data;
  const size = Number(raw[1] ?? 0n);
  return d && size >= CLONE3_MIN && d.length >= Math.min(size, CLONE3_SIZE) ? d : undefined;
}

/** clone3's exit half: ` => {pidfd=[3], parent_tid=[1234]}` when those flags are set. */
function clone3Exit(a: ArgCtx): string {
  const d = clone3Struct(a.raw, a.captures);
  if (!d || a.failed || a.ret === null) return '';
  const flags = d.readBigUInt64LE(0);
  if (!(flags & (CLONE_PIDFD | CLONE_PARENT_SETTID))) return '';
  const parts: string[] = [];
  const field = (slot: number) => intAt(a.captures.find((c) => c.arg === slot && c.kind === Cap.ptrFieldOut));
  if (flags & CLONE_PIDFD) {
    const v = field(2);
    parts.push(`pidfd=${v === undefined ? ptr(d.readBigUInt64LE(8)) : `[${v}]`}`);
  }
  if (flags & CLONE_PARENT_SETTID) {
    const v = field(3);
    parts.push(`parent_tid=${v === undefined ? ptr(d.readBigUInt64LE(24)) : `[${v}]`}`);
  }
  return ` => {${parts.join(', ')}}`;
}

/** Which futex arguments an operation uses (strace's futex.c), after uaddr and op. */
function futexItems(a: ArgCtx): string[] {
  const op = Number((a.raw[1] ?? 0n) & 0xffffffffn);
  const cmd = op & 0x7f;
  const val = String(Number((a.raw[2] ?? 0n) & 0xffffffffn));
  const timeout = () => {
    const v = a.raw[3] ?? 0n;
    if (v === 0n) return 'NULL';
    const c = a.captures.find((x) => x.arg === 3 && x.phase === 0 && !x.fault);
    return c && c.data.length >= 16 ? timespecText(c.data) : hex(v);
  };
  const val2 = String(Number((a.raw[3] ?? 0n) & 0xffffffffn));
  const uaddr2 = ptr(a.raw[4] ?? 0n);
  const val3 = Number((a.raw[5] ?? 0n) & 0xffffffffn);
  const bitset = val3 === 0xffffffff ? 'FUTEX_BITSET_MATCH_ANY' : hex(BigInt(val3));
  switch (cmd) {
    case 0: // FUTEX_WAIT
      return [val, timeout()];
    case 6: // FUTEX_LOCK_PI
    case 13: // FUTEX_LOCK_PI2
      return [timeout()];
    case 9: // FUTEX_WAIT_BITSET
      return [val, timeout(), bitset];
    case 10: // FUTEX_WAKE_BITSET
      return [val, bitset];
    case 3: // FUTEX_REQUEUE
      return [val, val2, uaddr2];
    case 4: // FUTEX_CMP_REQUEUE
    case 12: // FUTEX_CMP_REQUEUE_PI
      return [val, val2, uaddr2, String(val3)];
    case 5: // FUTEX_WAKE_OP
      return [val, val2, uaddr2, wakeOpText(val3)];
    case 11: // FUTEX_WAIT_REQUEUE_PI
      return [val, timeout(), uaddr2];
    case 1: // FUTEX_WAKE
    case 2: // FUTEX_FD
      return [val];
    case 7: // FUTEX_UNLOCK_PI
    case 8: // FUTEX_TRYLOCK_PI
      return [];
    default:
      return [val, hex(a.raw[3] ?? 0n), hex(a.raw[4] ?? 0n), hex(BigInt(val3))];
  }
}

const WAKE_OPS: F.FlagTable = [
  [0, 'FUTEX_OP_SET'],
  [1, 'FUTEX_OP_ADD'],
  [2, 'FUTEX_OP_OR'],
  [3, 'FUTEX_OP_ANDN'],
  [4, 'FUTEX_OP_XOR'],
];

const WAKE_CMPS: F.FlagTable = [
  [0, 'FUTEX_OP_CMP_EQ'],
  [1, 'FUTEX_OP_CMP_NE'],
  [2, 'FUTEX_OP_CMP_LT'],
  [3, 'FUTEX_OP_CMP_LE'],
  [4, 'FUTEX_OP_CMP_GT'],
  [5, 'FUTEX_OP_CMP_GE'],
];

/** FUTEX_WAKE_OP's encoded operation: `FUTEX_OP_SET<<28|0<<12|FUTEX_OP_CMP_GT<<24|0x1`. */
export function wakeOpText(v: number): string {
  const x = (n: number) => (n === 0 ? '0' : hex(BigInt(n)));
  const op = (v >>> 28) & 0xf;
  let s = op & 8 ? 'FUTEX_OP_OPARG_SHIFT<<28|' : '';
  s += `${F.renderXlat(op & 7, WAKE_OPS, 'FUTEX_OP_???').replace(/ \/\*/, '<<28 /*')}`;
  if (!s.includes('<<28 /*')) s += '<<28';
  s += `|${x((v >>> 12) & 0xfff)}<<12|`;
  const cmp = F.renderXlat((v >>> 24) & 0xf, WAKE_CMPS, 'FUTEX_OP_CMP_???');
  s += cmp.includes(' /*') ? cmp.replace(/ \/\*/, '<<24 /*') : `${cmp}<<24`;
  return `${s}|${x(v & 0xfff)}`;
}

/** How many futex arguments strace prints for this op (uaddr, op and the op's own). */
export const futexShown = (raw: bigint[]): number => {
  const a = { raw, captures: [] } as unknown as ArgCtx;
  return 2 + futexItems(a).length;
};

/** unshare's and setns' CLONE_NEW* (and CLONE_FILES, CLONE_FS, CLONE_SYSVSEM) flags. */
export const cloneFlagsOnly = (v: bigint): string =>
  F.renderFlagsX(Number(v & 0xffffffffn), F.CLONE_FLAGS, 'CLONE_???');

const PIDFD_FLAGS: F.FlagTable = [[0o4000, 'PIDFD_NONBLOCK']];

const PERSONALITIES: F.FlagTable = [
  [0, 'PER_LINUX'],
  [0x0800000, 'PER_LINUX_32BIT'],
  [0x8000000, 'PER_LINUX_FDPIC'],
  [0x4100001, 'PER_SVR4'],
  [0x5000002, 'PER_SVR3'],
  [0x7000003, 'PER_SCOSVR3'],
  [0x1000006, 'PER_OSR5'],
  [0x4000005, 'PER_WYSEV386'],
  [0x4000004, 'PER_ISCR4'],
  [0x0000006, 'PER_BSD'],
  [0x4000006, 'PER_SUNOS'],
  [0x5000007, 'PER_XENIX'],
  [0x0000008, 'PER_LINUX32'],
  [0x8000008, 'PER_LINUX32_3GB'],
  [0x4000009, 'PER_IRIX32'],
  [0x400000a, 'PER_IRIXN32'],
  [0x400000b, 'PER_IRIX64'],
  [0x000000c, 'PER_RISCOS'],
  [0x400000d, 'PER_SOLARIS'],
  [0x410000e, 'PER_UW7'],
  [0x000000f, 'PER_OSF4'],
  [0x0000010, 'PER_HPUX'],
];

const PERSONALITY_FLAGS: F.FlagTable = [
  [0x0200000, 'UNAME26'],
  [0x0040000, 'ADDR_NO_RANDOMIZE'],
  [0x0100000, 'FDPIC_FUNCPTRS'],
  [0x1000000, 'MMAP_PAGE_ZERO'],
  [0x8000000, 'ADDR_COMPAT_LAYOUT'],
  [0x0400000, 'READ_IMPLIES_EXEC'],
  [0x0800000, 'ADDR_LIMIT_32BIT'],
  [0x4000000, 'SHORT_INODE'],
  [0x2000000, 'WHOLE_SECONDS'],
  [0x0080000, 'STICKY_TIMEOUTS'],
  [0x8000000, 'ADDR_LIMIT_3GB'],
];

/** strace's personality: the PER_* of the low byte, then the flag bits (`PER_LINUX|ADDR_NO_RANDOMIZE`). */
export function personalityText(v: number): string {
  if (v === 0xffffffff) return '0xffffffff';
  const exact = PERSONALITIES.find(([p]) => p === v);
  if (exact) return exact[1];
  const base = F.renderXlat(v & 0xff, PERSONALITIES, 'PER_???');
  const rest = v & ~0xff;
  if (!rest) return base;
  return `${base}|${F.renderFlags(rest, PERSONALITY_FLAGS)}`;
}

export const PROCESS_TYPES: Record<string, ArgType> = {
  /** clone's slot 0: its second register, the stack. */
  clone_stack: { render: (a) => `child_stack=${ptr(a.raw[1] ?? 0n)}` },
  clone_flags: { render: (a) => `flags=${cloneFlagsText(a.raw[0] ?? 0n)}` },
  /** clone's slots 2..4: the exit-time fields its flags use; slot 2 reads *parent_tid. */
  clone_exit: {
    capture: (p) => (p === 2 ? pack(Cap.structOut, 0, 4) : 0),
    output: true,
    separator: { text: ', ', atExit: true },
    render: (a) => cloneExitItems(a)[a.i - 2] ?? '',
  },
  /** clone3's struct clone_args (min(size, 88) bytes read at entry). */
  clone3args: { capture: () => pack(Cap.rawIn, 1, CLONE3_SIZE), memory: true, render: clone3Text },
  /**
   * clone3's size (argument 1) in slot 1, after strace's exit half ` => {pidfd=[3],
   * parent_tid=[1234]}` when the flags ask for those: then strace prints both at exit (a split
   * line's `<... clone3 resumed> => {parent_tid=[7]}, 88)`), else the size at entry. Slots 2
   * and 3 (clone3 has two arguments) read, at exit, *pidfd and *parent_tid through the struct's
   * pointers; they are never printed.
   */
  clone3size: {
    output: ({ raw, captures }) => {
      const d = clone3Struct(raw, captures);
      return d !== undefined && (d.readBigUInt64LE(0) & (CLONE_PIDFD | CLONE_PARENT_SETTID)) !== 0n;
    },
    separator: { text: '', atExit: true },
    render: (a) => `${clone3Exit(a)}, ${a.raw[1] ?? 0n}`,
  },
  clone3pidfd: { capture: () => pack(Cap.ptrFieldOut, 0, (4 << 8) | CLONE3_PIDFD_FIELD), render: () => '' },
  clone3ptid: { capture: () => pack(Cap.ptrFieldOut, 0, (4 << 8) | CLONE3_PARENT_TID_FIELD), render: () => '' },
  wstatus: {
    capture: () => pack(Cap.structOut, 0, 4),
    output: true,
    memory: true,
    render: (a) =>
      a.c!.data.length >= 4 && a.ret !== null && i64(a.ret) > 0n ? wstatusText(a.c!.data.readInt32LE(0)) : hex(a.v),
  },
  waitoptions: { render: (a) => F.renderFlagsX(Number(a.v & 0xffffffffn), WAIT_OPTIONS, 'W???') },
  idtype: { render: (a) => F.renderXlat(i32(a.v), ID_TYPES, 'P_???') },
  futexop: { render: (a) => F.renderFutexOp(Number(a.v & 0xffffffffn)) },
  /** futex's arguments 2..5: those the operation uses, in strace's order (slot 3 reads a timeout). */
  futexarg: {
    capture: (p) => (p === 3 ? pack(Cap.structIn, 0, 16) : 0),
    render: (a) => futexItems(a)[a.i - 2] ?? '',
  },
  cloneflags: { render: (a) => cloneFlagsOnly(a.v) },
  /** get_robust_list's out pointers: the list head `[0x7f...]`, its length `[24]`. */
  ulong_ptr_out: {
    capture: () => pack(Cap.structOut, 0, 8),
    output: true,
    memory: true,
    render: (a) => (a.c!.data.length >= 8 ? `[${x(a.c!.data.readBigUInt64LE(0))}]` : hex(a.v)),
  },
  ulong_out: {
    capture: () => pack(Cap.structOut, 0, 8),
    output: true,
    memory: true,
    render: (a) => (a.c!.data.length >= 8 ? `[${a.c!.data.readBigUInt64LE(0)}]` : hex(a.v)),
  },
  pidfdflags: { render: (a) => F.renderFlagsX(Number(a.v & 0xffffffffn), PIDFD_FLAGS, 'PIDFD_???') },
  personality: { render: (a) => personalityText(Number(a.v & 0xffffffffn)) },
};

export const PROCESS_RET: Record<string, RetPrinter> = {
  /** personality returns the previous persona: `0x40000 (PER_LINUX|ADDR_NO_RANDOMIZE)`. */
  personality: (ret) => {
    const v = Number(BigInt.asUintN(32, ret));
    return `${v === 0 ? '0' : hex(BigInt(v))} (${personalityText(v)})`;
  },
};

/** clone's printed argument count: stack and flags, then the exit-time fields its flags use. */
export function cloneShown(raw: bigint[]): number {
  const flags = (raw[0] ?? 0n) & ~0xffn;
  let n = 2;
  if (flags & (CLONE_PARENT_SETTID | CLONE_PIDFD)) n++;
  if (flags & CLONE_SETTLS) n++;
  if (flags & (CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID)) n++;
  return n;
}
