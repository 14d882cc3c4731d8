/** The `{si_signo=..., ...}` of a `--- SIG... ---` line, as strace's printsiginfo() writes it. */
import type { SignalRecord } from './records.js';
import { errnoName } from './errno.js';
import { signalName } from './signals.js';

/** USER_HZ: the unit of siginfo's si_utime/si_stime (100 on every Linux ABI). */
const CLOCK_TICKS = 100;

const SI_CODES: Record<number, string> = {
  0: 'SI_USER',
  128: 'SI_KERNEL',
  [-1]: 'SI_QUEUE',
  [-2]: 'SI_TIMER',
  [-3]: 'SI_MESGQ',
  [-4]: 'SI_ASYNCIO',
  [-5]: 'SI_SIGIO',
  [-6]: 'SI_TKILL',
  [-7]: 'SI_DETHREAD',
  [-60]: 'SI_ASYNCNL',
};
const SI_TIMER = -2;
const SIGCHLD = 17;
/** si_code values above 0 are per signal (asm-generic/siginfo.h). */
const SIGNAL_CODES: Record<number, string[]> = {
  4: ['ILL_ILLOPC', 'ILL_ILLOPN', 'ILL_ILLADR', 'ILL_ILLTRP', 'ILL_PRVOPC', 'ILL_PRVREG', 'ILL_COPROC', 'ILL_BADSTK'],
  5: ['TRAP_BRKPT', 'TRAP_TRACE', 'TRAP_BRANCH', 'TRAP_HWBKPT', 'TRAP_UNK', 'TRAP_PERF'],
  7: ['BUS_ADRALN', 'BUS_ADRERR', 'BUS_OBJERR', 'BUS_MCEERR_AR', 'BUS_MCEERR_AO'],
  8: ['FPE_INTDIV', 'FPE_INTOVF', 'FPE_FLTDIV', 'FPE_FLTOVF', 'FPE_FLTUND', 'FPE_FLTRES', 'FPE_FLTINV', 'FPE_FLTSUB'],
  11: ['SEGV_MAPERR', 'SEGV_ACCERR', 'SEGV_BNDERR', 'SEGV_PKUERR', 'SEGV_ACCADI', 'SEGV_ADIDERR', 'SEGV_ADIPERR'],
  17: ['CLD_EXITED', 'CLD_KILLED', 'CLD_DUMPED', 'CLD_TRAPPED', 'CLD_STOPPED', 'CLD_CONTINUED'],
  29: ['POLL_IN', 'POLL_OUT', 'POLL_MSG', 'POLL_ERR', 'POLL_PRI', 'POLL_HUP'],
};
const FAULT_SIGNALS = new Set([4, 7, 8, 11]);

function siCodeName(signo: number, code: number): string {
  if (SI_CODES[code]) return SI_CODES[code]!;
  return (code > 0 ? SIGNAL_CODES[signo]?.[code - 1] : undefined) ?? String(code);
}

/** strace's print_clock_t: ticks, and a comment in seconds when not zero (`12 /* 0.12 s *\/`). */
function clockTicks(v: number): string {
  return v === 0 ? '0' : `${v} /* ${(v / CLOCK_TICKS).toFixed(2)} s */`;
}

/** strace's printsiginfo(): which fields depend on who sent the signal (si_code). */
export function siginfoText(r: SignalRecord): string {
  const name = signalName(r.signo);
  let s = `{si_signo=${name}`;
  if (r.errno) s += `, si_errno=${errnoName(r.errno)}`;
  s += `, si_code=${siCodeName(r.signo, r.code)}`;
  const source = `, si_pid=${r.senderPid}, si_uid=${r.uid}`;
  if (r.code <= 0) {
    // SI_FROMUSER: kill, tgkill, sigqueue, ... (SI_TIMER's fields are not in the record).
    if (r.code !== SI_TIMER) s += source;
  } else if (r.signo === SIGCHLD) {
    const cldExited = r.code === 1;
    s += `${source}, si_status=${cldExited ? r.status : signalName(r.status)}`;
    s += `, si_utime=${clockTicks(r.utime)}, si_stime=${clockTicks(r.stime)}`;
  } else if (FAULT_SIGNALS.has(r.signo)) {
    s += `, si_addr=${r.addr === 0n ? 'NULL' : `0x${r.addr.toString(16)}`}`;
  } else if (r.senderPid || r.uid) s += source;
  return s + '}';
}
