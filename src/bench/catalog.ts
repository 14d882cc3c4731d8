/**
 * The benchmark catalog: what each benchmark measures, the model it illustrates and the latency
 * row it is compared with. The timed loops are in native/bench/*.c under the same ids.
 */
import type { ModelId } from '../lessons/types.js';

export interface BenchSpec {
  id: string;
  title: string;
  model: ModelId;
  /** lessons/latency.yaml row id. */
  row: string;
  /**
   * 'row': compare the figure with the row's reference range.
   * 'contrast': shown against the row to make a point (e.g. a page-cache read against the NVMe
   *   row), not expected to match it.
   * 'reference-only': not measured (cross-region).
   */
  compare: 'row' | 'contrast' | 'reference-only';
  /** One line: how it is measured. */
  method: string;
  /** What one "op" is, for the unit column. */
  op: string;
}

export const BENCHMARKS: readonly BenchSpec[] = [
  {
    id: 'l1-hit',
    title: 'L1 cache hit',
    model: 'virtual-memory',
    row: 'l1-cache',
    compare: 'row',
    method: 'dependent loads chasing a random cyclic permutation in half of L1d (size from sysfs)',
    op: 'load',
  },
  {
    id: 'l2-hit',
    title: 'L2 cache hit',
    model: 'virtual-memory',
    row: 'l2-cache',
    compare: 'row',
    method: 'the same pointer chase in half of L2 (twice L1d at least): misses L1, hits L2',
    op: 'load',
  },
  {
    id: 'dram',
    title: 'Main memory',
    model: 'virtual-memory',
    row: 'main-memory',
    compare: 'row',
    method: 'the same pointer chase in 8x the last-level cache (>= 256 MiB), huge pages requested',
    op: 'load',
  },
  {
    id: 'fault-minor',
    title: 'Minor page fault',
    model: 'virtual-memory',
    row: 'minor-vs-major-fault',
    compare: 'row',
    method: 'first write to each 4 KiB page of a fresh anonymous mapping (THP off), per page',
    op: 'page',
  },
  {
    id: 'fork-large',
    title: 'fork of a process with a large heap',
    model: 'virtual-memory',
    row: 'fork-cow',
    compare: 'row',
    method: 'fork + exit + wait of a small C process holding a touched heap (default 1 GiB, 4 KiB pages)',
    op: 'fork',
  },
  {
    id: 'memcpy-large',
    title: 'Copying that heap',
    model: 'virtual-memory',
    row: 'fork-cow',
    compare: 'contrast',
    method: 'memcpy of a buffer the size of the fork-large heap: what fork would cost without COW',
    op: 'copy',
  },
  {
    id: 'branch-miss',
    title: 'Branch misprediction',
    model: 'process',
    row: 'branch-mispredict',
    compare: 'row',
    method: 'same loop over random vs grouped bits; extra time / mispredictions (half the random ones)',
    op: 'miss',
  },
  {
    id: 'fork',
    title: 'fork of a small process',
    model: 'process',
    row: 'fork-cow',
    compare: 'row',
    method: 'fork + _exit + waitpid from a ~1 MiB C helper process (not from Node)',
    op: 'fork',
  },
  {
    id: 'fork-exec',
    title: 'fork + exec /bin/true',
    model: 'process',
    row: 'fork-cow',
    compare: 'contrast',
    method: 'fork, execve("/bin/true") in the child, waitpid, from the same small helper',
    op: 'spawn',
  },
  {
    id: 'thread-create',
    title: 'Thread create + join',
    model: 'thread',
    row: 'thread-create',
    compare: 'row',
    method: 'pthread_create of an empty function, then pthread_join',
    op: 'thread',
  },
  {
    id: 'ctxsw-thread',
    title: 'Context switch, threads',
    model: 'scheduling',
    row: 'ctxsw-same-process',
    compare: 'row',
    method: 'pipe ping-pong between two threads pinned to one CPU, minus the pipe calls timed alone',
    op: 'switch',
  },
  {
    id: 'ctxsw-process',
    title: 'Context switch, processes',
    model: 'scheduling',
    row: 'ctxsw-cross-process',
    compare: 'row',
    method: 'pipe ping-pong between two processes pinned to one CPU, minus the pipe calls timed alone',
    op: 'switch',
  },
  {
    id: 'syscall-getpid',
    title: 'Empty syscall',
    model: 'syscall-boundary',
    row: 'syscall',
    compare: 'row',
    method: 'syscall(SYS_getpid) in a loop: a real kernel entry and exit',
    op: 'call',
  },
  {
    id: 'syscall-getppid',
    title: 'getppid syscall',
    model: 'syscall-boundary',
    row: 'syscall',
    compare: 'row',
    method: 'syscall(SYS_getppid) in a loop: what perf bench syscall basic times (bench:peers)',
    op: 'call',
  },
  {
    id: 'clock-vdso',
    title: 'clock_gettime via vDSO',
    model: 'syscall-boundary',
    row: 'vdso-vs-syscall',
    compare: 'row',
    method: 'clock_gettime(CLOCK_MONOTONIC) through glibc, served by the vDSO in user space',
    op: 'call',
  },
  {
    id: 'clock-syscall',
    title: 'clock_gettime via syscall',
    model: 'syscall-boundary',
    row: 'syscall',
    compare: 'row',
    method: 'syscall(SYS_clock_gettime, CLOCK_MONOTONIC): the same clock through the kernel',
    op: 'call',
  },
  {
    id: 'write-devnull',
    title: 'write() to /dev/null',
    model: 'syscall-boundary',
    row: 'syscall',
    compare: 'row',
    method: 'write(fd, buf, 1) to /dev/null: a syscall whose device does nothing',
    op: 'write',
  },
  {
    id: 'counter-inc',
    title: 'In-memory counter increment',
    model: 'syscall-boundary',
    row: 'l1-cache',
    compare: 'row',
    method: 'volatile load-add-store of a counter in memory (the compiler must keep each one)',
    op: 'increment',
  },
  {
    id: 'mutex',
    title: 'Mutex lock + unlock',
    model: 'synchronization',
    row: 'mutex',
    compare: 'row',
    method: 'pthread_mutex_lock + unlock of an uncontended mutex (futex fast path, no syscall)',
    op: 'pair',
  },
  {
    id: 'read-4k-cached',
    title: '4 KiB read, page cache',
    model: 'page-cache',
    row: 'nvme-read',
    compare: 'contrast',
    method: 'pread of a random 4 KiB block of a 1 MiB file that is in the page cache',
    op: 'read',
  },
  {
    id: 'read-4k-direct',
    title: '4 KiB read, device (O_DIRECT)',
    model: 'page-cache',
    row: 'nvme-read',
    compare: 'row',
    method: 'O_DIRECT pread of random 4 KiB blocks of a temporary file on disk, bypassing the cache',
    op: 'read',
  },
  {
    id: 'fault-major',
    title: 'Major page fault',
    model: 'page-cache',
    row: 'major-fault',
    compare: 'row',
    method: 'first read of each page of a file mapping after POSIX_FADV_DONTNEED, read-ahead off',
    op: 'page',
  },
  {
    id: 'unix-rtt',
    title: 'Unix socket round trip',
    model: 'ipc',
    row: 'local-rtt',
    compare: 'contrast',
    method: 'one byte there and back over a socketpair(AF_UNIX) to an echo thread',
    op: 'round trip',
  },
  {
    id: 'tcp-rtt',
    title: 'TCP loopback round trip',
    model: 'ipc',
    row: 'local-rtt',
    compare: 'row',
    method: 'one byte there and back over 127.0.0.1 TCP (TCP_NODELAY) to an echo thread',
    op: 'round trip',
  },
  {
    id: 'cross-region',
    title: 'Cross-region round trip',
    model: 'ipc',
    row: 'cross-region',
    compare: 'reference-only',
    method: 'not measurable from one host: shown from the reference table only',
    op: 'round trip',
  },
];

/** The named comparison pairs the output always shows as ratios when both sides ran. */
export const RATIO_ROWS = ['vdso-vs-syscall', 'minor-vs-major-fault', 'syscall-vs-counter'] as const;

export function findBench(id: string): BenchSpec | undefined {
  return BENCHMARKS.find((b) => b.id === id);
}

export const BENCH_IDS: readonly string[] = BENCHMARKS.map((b) => b.id);
