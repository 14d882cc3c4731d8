/**
 * Syscalls per second per process (and per syscall for one process), from src/ebpf's syscount
 * when it is present and the machine allows BPF; otherwise a reason the view shows instead.
 * src/ebpf is loaded lazily so top/watch start (and work) without it.
 */
import type { Pid } from '../../proc/read.js';

export interface SyscallTotals {
  /** Syscalls since the previous take(), by pid. */
  byPid: Map<Pid, number>;
  /** Syscalls since the previous take(), by name (only the followed pid when one was given). */
  byName: Map<string, number>;
}

export interface SyscallRateSource {
  available: boolean;
  /** Why the syscalls/s figures are missing (when !available). */
  reason: string;
  /**
   * Counts since the previous take(). System-wide sources count only `pids` when given (the
   * processes alive now: a lookup each, instead of walking every pid seen since attach).
   * `idle`: processes known not to have run since the previous take (no lookup; they count 0).
   */
  take(pids?: Iterable<Pid>, idle?: Iterable<Pid>): SyscallTotals | null;
  close(): void;
}

interface SyscountLike {
  session: { follow(pid: number): void; mapFd(name: string): number; possibleCpus: number };
  snapshot(): { syscalls: { name: string; count: number }[]; processes: { pid: number; count: number }[] };
  close(): void;
}
interface SyscountModule {
  Syscount: new (
    filter: {
      filterPids: boolean;
      followChildren: boolean;
      cgroupId: bigint;
      comm: string;
      flags: number;
    },
    opts: { keepExited: boolean },
  ) => SyscountLike;
}

export function unavailable(reason: string): SyscallRateSource {
  return { available: false, reason, take: () => null, close: () => {} };
}

/** Counter deltas between cumulative snapshots (pure). */
export function deltaCounts(now: ReadonlyMap<string | number, number>, before: ReadonlyMap<string | number, number>) {
  const out = new Map<string | number, number>();
  for (const [k, v] of now) {
    const d = v - (before.get(k) ?? 0);
    if (d > 0) out.set(k, d);
  }
  return out;
}

interface LookupLib {
  bpf_map_lookup_elem(fd: number, key: Buffer, value: Buffer): number;
  bpf_map_get_next_key(fd: number, key: Buffer | null, next: Buffer): number;
}

/**
 * Cumulative syscalls by pid from syscount's procs map (struct proc_stat: count first, of a
 * live process): one lookup per pid in `pids`, or a walk of the whole map. Buffers are reused.
 */
function procCounter(sc: SyscountLike, lib: LookupLib): (pids?: Iterable<Pid>) => Map<string | number, number> {
  const fd = sc.session.mapFd('procs');
  const key = Buffer.alloc(4);
  const next = Buffer.alloc(4);
  const value = Buffer.alloc(32);
  const sum = () => Number(value.readBigUInt64LE(0));
  return (pids) => {
    const out = new Map<string | number, number>();
    if (pids) {
      for (const pid of pids) {
        key.writeUInt32LE(pid);
        if (lib.bpf_map_lookup_elem(fd, key, value) === 0) out.set(pid, sum());
      }
      return out;
    }
    let prev: Buffer | null = null;
    while (lib.bpf_map_get_next_key(fd, prev, next) === 0) {
      next.copy(key);
      if (lib.bpf_map_lookup_elem(fd, key, value) === 0) out.set(key.readUInt32LE(0), sum());
      prev = key;
    }
    return out;
  };
}

/**
 * Attaches syscount (system-wide, or only `pid` when given). Never throws: a missing src/ebpf, no
 * CAP_BPF, no BTF... become the reason shown in the syscalls/s column.
 */
export async function openSyscallRates(opts: { enabled: boolean; pid?: Pid }): Promise<SyscallRateSource> {
  if (!opts.enabled) return unavailable('syscalls/s off (--no-ebpf)');
  let mod: SyscountModule;
  try {
    // A computed specifier: the dashboards build and run without src/ebpf.
    const spec = ['..', '..', 'ebpf', 'syscount.js'].join('/');
    mod = (await import(spec)) as SyscountModule;
  } catch {
    return unavailable('syscalls/s needs eBPF (oslens syscount), not in this build');
  }
  let sc: SyscountLike;
  try {
    // Rates of live processes only: the rows of exited ones are not kept (no growth over hours).
    sc = new mod.Syscount(
      { filterPids: opts.pid !== undefined, followChildren: false, cgroupId: 0n, comm: '', flags: 0 },
      { keepExited: false },
    );
    if (opts.pid !== undefined) sc.session.follow(opts.pid);
  } catch (err) {
    const msg = err instanceof Error ? err.message.split('\n')[0] : String(err);
    return unavailable(`syscalls/s needs eBPF: ${msg}`);
  }
  let procCounts: ReturnType<typeof procCounter> | undefined;
  if (opts.pid === undefined) {
    try {
      const lib = ['..', '..', 'native', 'libbpf.js'].join('/');
      procCounts = procCounter(sc, ((await import(lib)) as { libbpf(): LookupLib }).libbpf());
    } catch {
      // fall back to the snapshot below
    }
  }
  let prevPid = new Map<string | number, number>();
  let prevName = new Map<string | number, number>();
  return {
    available: true,
    reason: '',
    take(pids, idle) {
      if (procCounts) {
        // top needs counts by pid only: reading just the procs map skips the per-syscall array
        // (hundreds of map lookups through FFI every tick).
        const pidNow = procCounts(pids);
        const byPid = deltaCounts(pidNow, prevPid) as Map<Pid, number>;
        if (pids && idle)
          for (const pid of idle) {
            const v = prevPid.get(pid);
            if (v !== undefined) pidNow.set(pid, v);
          }
        prevPid = pidNow;
        return { byPid, byName: new Map() };
      }
      const snap = sc.snapshot();
      const pidNow = new Map<string | number, number>(snap.processes.map((p) => [p.pid, p.count]));
      const nameNow = new Map<string | number, number>(snap.syscalls.map((s) => [s.name, s.count]));
      const byPid = deltaCounts(pidNow, prevPid) as Map<Pid, number>;
      const byName = deltaCounts(nameNow, prevName) as Map<string, number>;
      prevPid = pidNow;
      prevName = nameNow;
      return { byPid, byName };
    },
    close() {
      sc.close();
    },
  };
}
