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
  take(): SyscallTotals | null;
  close(): void;
}

interface SyscountLike {
  session: { follow(pid: number): void };
  snapshot(): { syscalls: { name: string; count: number }[]; processes: { pid: number; count: number }[] };
  close(): void;
}
interface SyscountModule {
  Syscount: new (filter: {
    filterPids: boolean;
    followChildren: boolean;
    cgroupId: bigint;
    comm: string;
    flags: number;
  }) => SyscountLike;
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
    sc = new mod.Syscount({
      filterPids: opts.pid !== undefined,
      followChildren: false,
      cgroupId: 0n,
      comm: '',
      flags: 0,
    });
    if (opts.pid !== undefined) sc.session.follow(opts.pid);
  } catch (err) {
    const msg = err instanceof Error ? err.message.split('\n')[0] : String(err);
    return unavailable(`syscalls/s needs eBPF: ${msg}`);
  }
  let prevPid = new Map<string | number, number>();
  let prevName = new Map<string | number, number>();
  return {
    available: true,
    reason: '',
    take() {
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
