/**
 * Signals: numbers, sets (sigset_t), struct sigaction, siginfo_t, stack_t, sigprocmask's how and
 * rt_sigreturn's frame, as strace 6 prints them (its signal.c and printsiginfo.c).
 */
import * as F from '../../flags.js';
import { errnoName } from '../../errno.js';
import { Cap } from '../../records.js';
import { signalName } from '../../signals.js';
import { clockTicksText } from './time.js';
import { hex, i32, pack, ptr, type ArgCtx, type ArgType, type RetPrinter } from '../types.js';

/** The kernel's sigset_t on x86_64: 64 signals, 8 bytes. */
const NSIG_BYTES = 8;

/** A signal's name without `SIG`, as sets print them (`RTMIN`, `RT_1`). */
const setName = (s: number) => signalName(s).replace(/^SIG/, '');

/**
 * strace's sprintsigmask_n: the signals of a mask of `bytes` bytes (rounded up to 32-bit words);
 * when 2/3 or more of the bits are set, `~[...]` with the signals that are NOT in the set.
 */
export function sigsetText(data: Buffer, bytes = NSIG_BYTES): string {
  const words = Math.min(Math.ceil(bytes / 4), NSIG_BYTES / 4, Math.floor(data.length / 4));
  let mask = 0n;
  for (let w = 0; w < words; w++) mask |= BigInt(data.readUInt32LE(4 * w)) << BigInt(32 * w);
  const bits = words * 32;
  let count = 0;
  for (let b = 0; b < bits; b++) if (mask & (1n << BigInt(b))) count++;
  const inverted = count >= Math.floor((bits * 2) / 3);
  const names: string[] = [];
  for (let b = 0; b < bits; b++) if (((mask >> BigInt(b)) & 1n) === (inverted ? 0n : 1n)) names.push(setName(b + 1));
  return `${inverted ? '~' : ''}[${names.join(' ')}]`;
}

/**
 * A sigset_t argument whose size is argument `param` (rt_sigprocmask's sigsetsize): strace
 * prints only the address when that size is not the kernel's 8 bytes.
 */
function sigsetArg(a: ArgCtx): string {
  const size = a.param === undefined ? BigInt(NSIG_BYTES) : (a.raw[a.param] ?? 0n);
  if (size !== BigInt(NSIG_BYTES) || a.c!.data.length < NSIG_BYTES) return hex(a.v);
  return sigsetText(a.c!.data);
}

function handlerText(h: bigint): string {
  if (h === 0n) return 'SIG_DFL';
  if (h === 1n) return 'SIG_IGN';
  if (h === 0xffffffffffffffffn) return 'SIG_ERR';
  return hex(h);
}

/** struct kernel_sigaction: handler, flags (unsigned long: all 64 bits), restorer, mask. */
export function sigactionText(d: Buffer, v: bigint): string {
  if (d.length < 32) return hex(v);
  const flags = d.readBigUInt64LE(8);
  const restorer = flags & 0x04000000n ? `, sa_restorer=${ptr(d.readBigUInt64LE(16))}` : '';
  return `{sa_handler=${handlerText(d.readBigUInt64LE(0))}, sa_mask=${sigsetText(d.subarray(24, 32))}, sa_flags=${F.renderFlagsX(flags, F.SA_FLAGS, 'SA_???')}${restorer}}`;
}

/** The fields of a siginfo_t that strace prints (x86_64 layout). */
export interface Siginfo {
  signo: number;
  errno: number;
  code: number;
  pid: number;
  uid: number;
  /** SIGCHLD: exit code or signal. */
  status: number;
  /** SIGCHLD: clock ticks. */
  utime: bigint;
  stime: bigint;
  /** Faults: the address. */
  addr: bigint;
  /** sigval (SI_QUEUE, SI_TIMER, ...): si_int and si_ptr overlap. */
  int: number;
  ptr: bigint;
  /** SI_TIMER. */
  timerid: number;
  overrun: number;
  /** SIGPOLL. */
  band: bigint;
  /** SIGSYS (SYS_SECCOMP). */
  callAddr: bigint;
  syscall: number;
  arch: number;
}

export const SIGINFO_SIZE = 128;

export function parseSiginfo(d: Buffer): Siginfo {
  const u32 = (at: number) => (d.length >= at + 4 ? d.readUInt32LE(at) : 0);
  const s32 = (at: number) => (d.length >= at + 4 ? d.readInt32LE(at) : 0);
  const u64 = (at: number) => (d.length >= at + 8 ? d.readBigUInt64LE(at) : 0n);
  return {
    signo: s32(0),
    errno: s32(4),
    code: s32(8),
    pid: s32(16),
    uid: u32(20),
    status: s32(24),
    utime: u64(32),
    stime: u64(40),
    addr: u64(16),
    int: s32(24),
    ptr: u64(24),
    timerid: s32(16),
    overrun: s32(20),
    band: u64(16),
    callAddr: u64(16),
    syscall: s32(24),
    arch: u32(28),
  };
}

const SI_CODES: F.FlagTable = [
  [0, 'SI_USER'],
  [0x80, 'SI_KERNEL'],
  [-1, 'SI_QUEUE'],
  [-2, 'SI_TIMER'],
  [-3, 'SI_MESGQ'],
  [-4, 'SI_ASYNCIO'],
  [-5, 'SI_SIGIO'],
  [-6, 'SI_TKILL'],
  [-7, 'SI_DETHREAD'],
  [-60, 'SI_ASYNCNL'],
];

/** si_code values above 0 are per signal (asm-generic/siginfo.h), numbered from 1. */
const SIGNAL_CODES: Record<number, string[]> = {
  4: [
    'ILL_ILLOPC',
    'ILL_ILLOPN',
    'ILL_ILLADR',
    'ILL_ILLTRP',
    'ILL_PRVOPC',
    'ILL_PRVREG',
    'ILL_COPROC',
    'ILL_BADSTK',
    'ILL_BADIADDR',
  ],
  5: ['TRAP_BRKPT', 'TRAP_TRACE', 'TRAP_BRANCH', 'TRAP_HWBKPT', 'TRAP_UNK', 'TRAP_PERF'],
  7: ['BUS_ADRALN', 'BUS_ADRERR', 'BUS_OBJERR', 'BUS_MCEERR_AR', 'BUS_MCEERR_AO'],
  8: ['FPE_INTDIV', 'FPE_INTOVF', 'FPE_FLTDIV', 'FPE_FLTOVF', 'FPE_FLTUND', 'FPE_FLTRES', 'FPE_FLTINV', 'FPE_FLTSUB'],
  11: [
    'SEGV_MAPERR',
    'SEGV_ACCERR',
    'SEGV_BNDERR',
    'SEGV_PKUERR',
    'SEGV_ACCADI',
    'SEGV_ADIDERR',
    'SEGV_ADIPERR',
    'SEGV_MTEAERR',
    'SEGV_MTESERR',
  ],
  17: ['CLD_EXITED', 'CLD_KILLED', 'CLD_DUMPED', 'CLD_TRAPPED', 'CLD_STOPPED', 'CLD_CONTINUED'],
  29: ['POLL_IN', 'POLL_OUT', 'POLL_MSG', 'POLL_ERR', 'POLL_PRI', 'POLL_HUP'],
  31: ['SYS_SECCOMP', 'SYS_USER_DISPATCH'],
};

/** strace's print_si_code: the generic SI_* names first, then the signal's own; else hex. */
export function siCodeText(signo: number, code: number): string {
  const generic = SI_CODES.find(([v]) => v === code)?.[1];
  if (generic) return generic;
  const own = code > 0 ? SIGNAL_CODES[signo]?.[code - 1] : undefined;
  return own ?? hex(BigInt(code >>> 0));
}

const AUDIT_ARCH: F.FlagTable = [
  [0xc000003e, 'AUDIT_ARCH_X86_64'],
  [0x40000003, 'AUDIT_ARCH_I386'],
];

/** A signal number where strace prints one: its name, or the number (`100`). */
export const signalText = (n: number): string => (n > 0 && n <= 64 ? signalName(n) : String(n));

/**
 * strace's printsiginfo(): `{si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=.., ...}`; which fields
 * follow si_code depends on who sent it (si_code <= 0: a process) and on the signal. For waitid,
 * rt_sigtimedwait, rt_sigqueueinfo and the `--- SIG... {...} ---` lines alike.
 */
export function siginfoText(si: Siginfo): string {
  if (si.signo === 0) return '{}';
  let s = `{si_signo=${signalText(si.signo)}, si_code=${siCodeText(si.signo, si.code)}`;
  if (si.errno) s += `, si_errno=${errnoName(si.errno)}`;
  const source = `, si_pid=${si.pid}, si_uid=${si.uid}`;
  const sigval = `, si_int=${si.int}, si_ptr=${ptr(si.ptr)}`;
  if (si.code <= 0) {
    if (si.code === -2) s += `, si_timerid=${hex(BigInt(si.timerid >>> 0))}, si_overrun=${si.overrun}${sigval}`;
    else if (si.code === 0 || si.code === -6) s += source;
    else s += source + (si.ptr ? sigval : '');
  } else if (si.signo === 17) {
    s += `${source}, si_status=${si.code === 1 ? si.status : signalText(si.status)}`;
    s += `, si_utime=${clockTicksText(si.utime)}, si_stime=${clockTicksText(si.stime)}`;
  } else if (si.signo === 4 || si.signo === 7 || si.signo === 8 || si.signo === 11) {
    s += `, si_addr=${ptr(si.addr)}`;
  } else if (si.signo === 29) {
    if (si.code >= 1 && si.code <= 3) s += `, si_band=${BigInt.asIntN(64, si.band)}`;
  } else if (si.signo === 31 && si.code === 1) {
    s += `, si_call_addr=${ptr(si.callAddr)}, si_syscall=${si.syscall}, si_arch=${F.renderXlat(si.arch, AUDIT_ARCH, 'AUDIT_ARCH_???')}`;
  } else {
    if (si.pid || si.uid) s += source;
    if (si.ptr) s += sigval;
  }
  return s + '}';
}

const siginfoArg = (a: ArgCtx) => (a.c!.data.length >= 48 ? siginfoText(parseSiginfo(a.c!.data)) : hex(a.v));

const SS_FLAGS: F.FlagTable = [
  [1, 'SS_ONSTACK'],
  [2, 'SS_DISABLE'],
  [2 ** 31, 'SS_AUTODISARM'],
];

/** stack_t: `{ss_sp=0x.., ss_flags=SS_DISABLE, ss_size=65536}`. */
function stackText(a: ArgCtx): string {
  const d = a.c!.data;
  if (d.length < 24) return hex(a.v);
  return `{ss_sp=${ptr(d.readBigUInt64LE(0))}, ss_flags=${F.renderFlags(d.readUInt32LE(8), SS_FLAGS)}, ss_size=${d.readBigUInt64LE(16)}}`;
}

/**
 * At rt_sigreturn's entry the handler has returned through the frame's pretcode, so the stack
 * pointer is at the frame's struct ucontext; its uc_sigmask (the mask to restore) follows
 * uc_flags, uc_link, uc_stack (24 bytes) and uc_mcontext (256 bytes): 296 bytes in.
 */
const UC_SIGMASK_WORDS = 296 / 8;

export const SIGNAL_TYPES: Record<string, ArgType> = {
  signal: { render: (a) => signalText(i32(a.v)) },
  sighow: { render: (a) => F.renderXlat(Number(a.v & 0xffffffffn), F.SIGPROCMASK_HOW, 'SIG_???') },
  /** `sigset:N`: argument N is the set's size. */
  sigset: { capture: () => pack(Cap.structIn, 0, NSIG_BYTES), memory: true, render: sigsetArg },
  sigset_out: { capture: () => pack(Cap.structOut, 0, NSIG_BYTES), output: true, memory: true, render: sigsetArg },
  sigaction: { capture: () => pack(Cap.structIn, 0, 32), memory: true, render: (a) => sigactionText(a.c!.data, a.v) },
  sigaction_out: {
    capture: () => pack(Cap.structOut, 0, 32),
    output: true,
    memory: true,
    render: (a) => sigactionText(a.c!.data, a.v),
  },
  siginfo: { capture: () => pack(Cap.structIn, 0, SIGINFO_SIZE), memory: true, render: siginfoArg },
  siginfo_out: {
    capture: () => pack(Cap.structOut, 0, SIGINFO_SIZE),
    output: true,
    memory: true,
    render: siginfoArg,
  },
  stack: { capture: () => pack(Cap.structIn, 0, 24), memory: true, render: stackText },
  stack_out: { capture: () => pack(Cap.structOut, 0, 24), output: true, memory: true, render: stackText },
  /** rt_sigreturn's only "argument": the mask its signal frame restores, `{mask=[...]}`. */
  sigframe: {
    capture: () => pack(Cap.stackIn, UC_SIGMASK_WORDS, NSIG_BYTES),
    render: (a) => {
      const c = a.captures.find((x) => x.kind === Cap.stackIn && !x.fault && x.data.length >= NSIG_BYTES);
      return c ? `{mask=${sigsetText(c.data)}}` : '';
    },
  },
};

export const SIGNAL_RET: Record<string, RetPrinter> = {
  /** rt_sigtimedwait: `12 (SIGUSR2)`. */
  signo: (ret) => (ret > 0n && ret <= 64n ? `${ret} (${signalName(Number(ret))})` : String(ret)),
};
