/**
 * All 64 Linux signals on x86_64. Names follow strace: SIGRT_0 .. SIGRT_32 for 32..64 (counted
 * from the kernel's SIGRTMIN, 32). glibc reserves 32 and 33 for itself, so its SIGRTMIN is 34:
 * each real-time signal also carries the `SIGRTMIN+n` alias a C programmer would write.
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
  SIGRTMIN: 34,
  SIGRTMAX: 64,
};

export interface SignalInfo {
  nr: number;
  /** strace's name: SIGINT, SIGRT_2. */
  name: string;
  /** glibc's name for real-time signals (`SIGRTMIN+0` = 34), else undefined. */
  alias?: string;
  description: string;
}

export const SIGNALS: readonly SignalInfo[] = [
  ...STANDARD.map(([nr, name, description]) => ({ nr, name, description })),
  ...Array.from({ length: 33 }, (_, i) => {
    const nr = 32 + i;
    const info: SignalInfo = { nr, name: `SIGRT_${i}`, description: `Real-time signal ${nr - 34}` };
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

/** Accepts `SIGINT`, `INT`, `SIGRTMIN+3`, `SIGRT_5`, `9`. */
export function signalByName(name: string): SignalInfo | undefined {
  if (/^\d+$/.test(name)) return BY_NR.get(Number(name));
  const upper = name.toUpperCase();
  return BY_NAME.get(upper) ?? BY_NAME.get(`SIG${upper}`);
}

/** The name strace prints for a signal number (`SIGINT`, `SIGRT_2`, or the number itself). */
export function signalName(nr: number): string {
  return BY_NR.get(nr)?.name ?? String(nr);
}
