/** Signal numbers → names (x86_64 Linux), and the status masks (SigBlk, SigIgn...) decoded. */
import { maskBitNumbers } from './parse.js';

const STANDARD: Record<number, string> = {
  1: 'SIGHUP',
  2: 'SIGINT',
  3: 'SIGQUIT',
  4: 'SIGILL',
  5: 'SIGTRAP',
  6: 'SIGABRT',
  7: 'SIGBUS',
  8: 'SIGFPE',
  9: 'SIGKILL',
  10: 'SIGUSR1',
  11: 'SIGSEGV',
  12: 'SIGUSR2',
  13: 'SIGPIPE',
  14: 'SIGALRM',
  15: 'SIGTERM',
  16: 'SIGSTKFLT',
  17: 'SIGCHLD',
  18: 'SIGCONT',
  19: 'SIGSTOP',
  20: 'SIGTSTP',
  21: 'SIGTTIN',
  22: 'SIGTTOU',
  23: 'SIGURG',
  24: 'SIGXCPU',
  25: 'SIGXFSZ',
  26: 'SIGVTALRM',
  27: 'SIGPROF',
  28: 'SIGWINCH',
  29: 'SIGIO',
  30: 'SIGPWR',
  31: 'SIGSYS',
};

/**
 * The name of signal N (1..64). 32 and 33 are reserved by glibc for its threads (no name); the
 * real-time signals are named like `kill -l`: SIGRTMIN (34) … SIGRTMIN+15, SIGRTMAX-14 … SIGRTMAX (64).
 */
export function signalName(n: number): string {
  const std = STANDARD[n];
  if (std) return std;
  if (n === 32 || n === 33) return `SIG${n}`;
  if (n === 34) return 'SIGRTMIN';
  if (n === 64) return 'SIGRTMAX';
  if (n > 34 && n <= 49) return `SIGRTMIN+${n - 34}`;
  if (n > 49 && n < 64) return `SIGRTMAX-${64 - n}`;
  return `SIG${n}`;
}

export const SIGNAL_NAMES: string[] = Array.from({ length: 64 }, (_, i) => signalName(i + 1));

/** A 64-bit mask as /proc shows it (16 hex digits) → the signal numbers set in it. */
export function maskBits(hex: string): number[] {
  return maskBitNumbers(hex, 'signal mask');
}

export function decodeSignalMask(hex: string): string[] {
  return maskBits(hex).map(signalName);
}

export function maskHas(hex: string, signal: number): boolean {
  return maskBits(hex).includes(signal);
}

export const SIGINT = 2;
export const SIGKILL = 9;
export const SIGTERM = 15;
export const SIGCONT = 18;
export const SIGSTOP = 19;
