/**
 * Thin libc calls through koffi, for what Node does not expose. Loaded lazily: a command that
 * never needs libc never loads it. Not for hot loops (each call costs ~0.1 µs of marshalling).
 */
import koffi from 'koffi';

interface Libc {
  sysconf: (name: number) => number;
  sched_getcpu: () => number;
}

let libc: Libc | undefined;

function load(): Libc {
  if (libc) return libc;
  const lib = koffi.load('libc.so.6');
  libc = {
    sysconf: lib.func('long sysconf(int name)') as Libc['sysconf'],
    sched_getcpu: lib.func('int sched_getcpu()') as Libc['sched_getcpu'],
  };
  return libc;
}

// From <bits/confname.h> (x86_64 glibc).
const SC_CLK_TCK = 2;
const SC_PAGESIZE = 30;
const SC_NPROCESSORS_ONLN = 84;

/** Clock ticks per second: the unit of utime/stime in /proc/PID/stat. */
export function clockTicksPerSecond(): number {
  return load().sysconf(SC_CLK_TCK);
}

/** Page size in bytes: the unit of statm and the pagemap's granularity. */
export function pageSize(): number {
  return load().sysconf(SC_PAGESIZE);
}

export function onlineCpus(): number {
  return load().sysconf(SC_NPROCESSORS_ONLN);
}

/** The CPU the calling thread runs on now. */
export function currentCpu(): number {
  return load().sched_getcpu();
}
