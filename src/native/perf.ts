/**
 * perf_event_open(2) through koffi (glibc has no wrapper): the cpu-clock software event that
 * `oslens profile` attaches its BPF program to, one per CPU. This VM has no hardware counters;
 * cpu-clock is a hrtimer, which fires wherever the CPU is (user, kernel, interrupts off excepted).
 */
import koffi from 'koffi';

const NR_PERF_EVENT_OPEN = 298; // x86_64
const PERF_TYPE_SOFTWARE = 1;
const PERF_COUNT_SW_CPU_CLOCK = 0;
const PERF_FLAG_FD_CLOEXEC = 8;
/** PERF_ATTR_SIZE_VER7: every kernel since 5.4 knows this size. */
const ATTR_SIZE = 128;
const FLAG_FREQ = 1n << 10n;

type Syscall = (nr: number, ...args: unknown[]) => number;
let syscall: Syscall | undefined;

function load(): Syscall {
  if (!syscall) syscall = koffi.load('libc.so.6').func('long syscall(long number, ...)') as Syscall;
  return syscall;
}

/** struct perf_event_attr for cpu-clock sampling at `hz` samples per second (pure). */
export function cpuClockAttr(hz: number): Buffer {
  const attr = Buffer.alloc(ATTR_SIZE);
  attr.writeUInt32LE(PERF_TYPE_SOFTWARE, 0);
  attr.writeUInt32LE(ATTR_SIZE, 4);
  attr.writeBigUInt64LE(BigInt(PERF_COUNT_SW_CPU_CLOCK), 8);
  attr.writeBigUInt64LE(BigInt(hz), 16); // sample_freq (with the freq bit)
  attr.writeBigUInt64LE(FLAG_FREQ, 40);
  return attr;
}

/** Opens cpu-clock sampling on one CPU for every task; returns the fd, or -errno. */
export function openCpuClock(cpu: number, hz: number): number {
  const fd = load()(
    NR_PERF_EVENT_OPEN,
    'void *',
    cpuClockAttr(hz),
    'int',
    -1,
    'int',
    cpu,
    'int',
    -1,
    'unsigned long',
    PERF_FLAG_FD_CLOEXEC,
  );
  return fd >= 0 ? fd : -koffi.errno();
}
