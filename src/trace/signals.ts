/**
 * All 64 Linux signals on x86_64. Names follow strace 6: 32 (the kernel's SIGRTMIN) is
 * `SIGRTMIN`, 33..64 are `SIGRT_1` .. `SIGRT_32` (counted from 32; strace never prints SIGRT_0).
 * glibc reserves 32 and 33 for itself, so its SIGRTMIN is 34: each real-time signal from 34 on
 * also carries the `SIGRTMIN+n` alias a C programmer would write (by name, `SIGRTMIN+0` is 34
 * while a bare `SIGRTMIN` is strace's 32, the name it prints).
 */

const STANDARD: ReadonlyArray<readonly [number, string, string]> = [
  [1, 'SIGHUP', 'Hangup'],
  [2, 'SIGINT', 'Interrupt'],
  [3, 'SIGQUIT', 'Quit'],
  [4, 'SIGILL', 'Illegal instruction'],
  [5, 'SIGTRAP', 'Trace/breakpoint trap'],
  [6, 'SIGABRT', 'Aborted'],
  [7, 'SIGBUS', 'Bus error'],
  [8, 'SIGFPE', 'Floating point exception'],
  [9, 'SIGKILL', 'Killed'],
  [10, 'SIGUSR1', 'User defined signal 1'],
  [11, 'SIGSEGV', 'Segmentation fault'],
  [12, 'SIGUSR2', 'User defined signal 2'],
  [13, 'SIGPIPE', 'Broken pipe'],
  [14, 'SIGALRM', 'Alarm clock'],
  [15, 'SIGTERM', 'Terminated'],
  [16, 'SIGSTKFLT', 'Stack fault'],
  [17, 'SIGCHLD', 'Child exited'],
  [18, 'SIGCONT', 'Continued'],
  [19, 'SIGSTOP', 'Stopped (signal)'],
  [20, 'SIGTSTP', 'Stopped'],
  [21, 'SIGTTIN', 'Stopped (tty input)'],
  [22, 'SIGTTOU', 'Stopped (tty output)'],
  [23, 'SIGURG', 'Urgent I/O condition'],
  [24, 'SIGXCPU', 'CPU time limit exceeded'],
  [25, 'SIGXFSZ', 'File size limit exceeded'],
  [26, 'SIGVTALRM', 'Virtual timer expired'],
  [27, 'SIGPROF', 'Profiling timer expired'],
  [28, 'SIGWINCH', 'Window changed'],
  [29, 'SIGIO', 'I/O possible'],
  [30, 'SIGPWR', 'Power failure'],
  [31, 'SIGSYS', 'Bad system call'],
];

/** Other names the same numbers go by. */
const ALIASES: Record<string, number> = {
  SIGIOT: 6,
  SIGPOLL: 29,
  SIGCLD: 17,
  SIGUNUSED: 31,
  SIGRTMAX: 64,
};

export interface SignalInfo {
  nr: number;
  /** strace's name: SIGINT, SIGRTMIN (32), SIGRT_2 (34). */
  name: string;
  /** glibc's name for real-time signals (`SIGRTMIN+0` = 34), else undefined. */
  alias?: string;
  description: string;
}

export const SIGNALS: readonly SignalInfo[] = [
  ...STANDARD.map(([nr, name, description]) => ({ nr, name, description })),
  ...Array.from({ length: 33 }, (_, i) => {
    const nr = 32 + i;
    const name = i === 0 ? 'SIGRTMIN' : `SIGRT_${i}`;
    const info: SignalInfo = { nr, name, description: `Real-time signal ${nr - 34}` };
    if (nr >= 34) info.alias = nr === 64 ? 'SIGRTMAX' : `SIGRTMIN+${nr - 34}`;
    if (nr < 34) info.description = `Real-time signal reserved by glibc (${nr})`;
    return info;
  }),
];

const BY_NR = new Map(SIGNALS.map((s) => [s.nr, s]));
const BY_NAME = new Map<string, SignalInfo>();
for (const s of SIGNALS) {
  BY_NAME.set(s.name, s);
  if (s.alias) BY_NAME.set(s.alias, s);
}
for (const [name, nr] of Object.entries(ALIASES)) BY_NAME.set(name, BY_NR.get(nr)!);

export function signalByNr(nr: number): SignalInfo | undefined {
  return BY_NR.get(nr);
}

/** Accepts `SIGINT`, `INT`, `SIGRTMIN+3` (glibc's: 37), `SIGRT_5` (strace's: 37), `9`. */
export function signalByName(name: string): SignalInfo | undefined {
  if (/^\d+$/.test(name)) return BY_NR.get(Number(name));
  const upper = name.toUpperCase();
  return BY_NAME.get(upper) ?? BY_NAME.get(`SIG${upper}`);
}

/** The name strace prints for a signal number (`SIGINT`, `SIGRTMIN`, `SIGRT_2`, or the number itself). */
export function signalName(nr: number): string {
  return BY_NR.get(nr)?.name ?? String(nr);
}
