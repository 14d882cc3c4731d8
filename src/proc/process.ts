/**
 * Readers that assemble records for one process from its /proc files. They throw
 * ProcessGoneError when the process vanishes; optional parts come back as Field<T>.
 */
import { readFileSync } from 'node:fs';
import { clockTicksPerSecond, pageSize } from '../native/libc.js';
import { ExitCode, UserError } from '../util/errors.js';
import { classifyFdTarget, parseFdInfo, type OpenFd } from './fds.js';
import { parseLimits, type ResourceLimit } from './limits.js';
import {
  classifyRegions,
  parseSmaps,
  parseSmapsRollup,
  type MemoryRollup,
  type PageCounts,
  type Region,
} from './maps.js';
import {
  parseCgroup,
  parseIo,
  parseNamespaceLink,
  parseSchedstat,
  parseWchan,
  type CgroupEntry,
  type ProcessIo,
  type SchedStat,
} from './misc.js';
import { parseInetSockets, parseUnixSockets, type SocketInfo, type SocketProtocol } from './net.js';
import { countRegionPages } from './pagemap.js';
import { mappedBss } from './elf.js';
import {
  EntryGoneError,
  ProcPermissionError,
  ProcessGoneError,
  isFieldError,
  closeSync,
  listProcDir,
  openProc,
  readField,
  readProcLink,
  readProcText,
  readSync,
  type Field,
  type Pid,
} from './read.js';
import {
  parseCmdline,
  parseStat,
  parseSyscall,
  type KernelUnits,
  type ProcessStat,
  type SyscallState,
} from './stat.js';
import { parseStatus, type ProcessStatus } from './status.js';

let units: KernelUnits | undefined;

/** Clock ticks and page size of this machine (asked once from libc). */
export function kernelUnits(): KernelUnits {
  units ??= { clockTicks: clockTicksPerSecond(), pageSize: pageSize() };
  return units;
}

export function readProcessStat(pid: Pid, tid?: number): ProcessStat {
  return parseStat(readProcText(pid, tid === undefined ? 'stat' : `task/${tid}/stat`), kernelUnits());
}

export function readProcessStatus(pid: Pid, tid?: number): ProcessStatus {
  return parseStatus(readProcText(pid, tid === undefined ? 'status' : `task/${tid}/status`));
}

export function readCmdline(pid: Pid): string[] {
  return parseCmdline(readProcText(pid, 'cmdline'));
}

export function readSyscallState(pid: Pid, tid?: number): SyscallState {
  return parseSyscall(readProcText(pid, tid === undefined ? 'syscall' : `task/${tid}/syscall`));
}

export function readWchan(pid: Pid): string {
  return parseWchan(readProcText(pid, 'wchan'));
}

export function readLimits(pid: Pid): ResourceLimit[] {
  return parseLimits(readProcText(pid, 'limits'));
}

export function readCgroups(pid: Pid): CgroupEntry[] {
  return parseCgroup(readProcText(pid, 'cgroup'));
}

export function readIo(pid: Pid): ProcessIo {
  return parseIo(readProcText(pid, 'io'));
}

export function readSchedstat(pid: Pid): SchedStat {
  return parseSchedstat(readProcText(pid, 'schedstat'));
}

export function readRollup(pid: Pid): MemoryRollup {
  return parseSmapsRollup(readProcText(pid, 'smaps_rollup'));
}

export function readTids(pid: Pid): number[] {
  return listProcDir(pid, 'task')
    .map(Number)
    .filter((n) => Number.isInteger(n))
    .sort((a, b) => a - b);
}

/** Namespace type → inode (net, pid, mnt, uts, ipc, user, cgroup, time...). */
export function readNamespaces(pid: Pid): Record<string, number> {
  const out: Record<string, number> = {};
  let denied = false;
  for (const name of listProcDir(pid, 'ns')) {
    const link = readField(() => readProcLink(pid, `ns/${name}`));
    if (typeof link === 'string') {
      const ns = parseNamespaceLink(link);
      if (ns) out[name] = ns.inode;
    } else if (link.error === 'permission denied') denied = true;
  }
  // Every link refused (the ptrace access check): say so, not an empty list.
  if (denied && Object.keys(out).length === 0) throw new ProcPermissionError(pid, 'ns');
  return out;
}

export interface ThreadInfo {
  tid: number;
  comm: string;
  state: string;
  utime: number;
  stime: number;
  processor: number;
  voluntaryCtxt: number;
  nonvoluntaryCtxt: number;
}

/** The threads of a process; a thread that exits while we read is dropped. */
export function readThreads(pid: Pid): ThreadInfo[] {
  const out: ThreadInfo[] = [];
  for (const tid of readTids(pid)) {
    try {
      const st = readProcessStat(pid, tid);
      const status = readProcessStatus(pid, tid);
      out.push({
        tid,
        comm: st.comm,
        state: st.state,
        utime: st.utime,
        stime: st.stime,
        processor: st.processor,
        voluntaryCtxt: status.voluntaryCtxt,
        nonvoluntaryCtxt: status.nonvoluntaryCtxt,
      });
    } catch (err) {
      if (err instanceof ProcessGoneError || err instanceof EntryGoneError) continue; // the thread exited
      throw err;
    }
  }
  return out;
}

/** Kernel threads have no user address space (no maps, no cmdline). */
export function isKernelThread(stat: ProcessStat, status?: ProcessStatus): boolean {
  return status?.kthread ?? stat.kernelThread;
}

export interface AddressSpace {
  regions: Region[];
  rollup: Field<MemoryRollup>;
  /** Whether pagemap could be read (it needs ptrace access to the process). */
  pagemap: boolean;
}

/** Stack pointers of the non-main threads, to tell their stacks apart (best effort). */
function threadStackPointers(pid: Pid): number[] {
  const sps: number[] = [];
  let tids: number[] = [];
  try {
    tids = readTids(pid).filter((t) => t !== pid);
  } catch {
    return sps;
  }
  for (const tid of tids.slice(0, 256)) {
    const s = readField(() => readSyscallState(pid, tid));
    if (typeof s === 'object' && 'kind' in s && s.sp) sps.push(Number(BigInt(s.sp)));
  }
  return sps;
}

/**
 * The page counts of a region that cannot hold a page, without scanning it: a never-accessible
 * (PROT_NONE) reservation with nothing resident or swapped (smaps) gets no page until it is
 * mprotect()ed. Scanning 8 such regions of 63 GiB took 3.9 s. pagemap marks its holes soft-dirty
 * when the region is (VmFlags "sd"); nothing else. Null: the region must be scanned.
 */
function cannotHoldPages(r: Region, pageSize: number): PageCounts | null {
  if (!r.perms.startsWith('---') || r.rss !== 0 || r.swap !== 0) return null;
  const softDirty = r.vmFlags.includes('sd') ? Math.round(r.size / pageSize) : 0;
  return { present: 0, swapped: 0, fileOrShared: 0, softDirty, exclusive: 0 };
}

/**
 * The address space: smaps regions (classified), pagemap counts per region where readable, and
 * the kernel's own rollup to check the totals against. A kernel thread is a clear UserError.
 */
export function readAddressSpace(pid: Pid, opts: { pagemap?: boolean } = {}): AddressSpace {
  const stat = readProcessStat(pid);
  if (stat.kernelThread) {
    throw new UserError(
      `process ${pid} (${stat.comm}) is a kernel thread: it has no user address space, so no maps`,
      ExitCode.usage,
    );
  }
  const regions = parseSmaps(readProcText(pid, 'smaps'));
  if (regions.length === 0 && stat.state === 'Z') {
    throw new UserError(
      `process ${pid} (${stat.comm}) has exited (a zombie): its memory is already freed, so no maps`,
      ExitCode.noSuchProcess,
    );
  }
  const { pageSize: page } = kernelUnits();
  classifyRegions(regions, {
    threadStackPointers: threadStackPointers(pid),
    pageSize: page,
    bss: mappedBss(pid, regions, page),
  });
  const rollup = readField(() => readRollup(pid));
  let pagemap = false;
  if (opts.pagemap !== false) {
    const fd = readField(() => openProc(pid, 'pagemap'));
    if (typeof fd === 'number') {
      try {
        for (const r of regions) {
          if (r.kind === 'vsyscall') continue;
          r.pages = cannotHoldPages(r, page) ?? countRegionPages(fd, r.start, r.end, page, readSync);
        }
        pagemap = true;
      } finally {
        closeSync(fd);
      }
    }
  }
  return { regions, rollup, pagemap };
}

/** Sockets of the network namespace PID is in, by inode (read once per command). */
export function readSockets(pid: Pid): Map<number, SocketInfo> {
  const byInode = new Map<number, SocketInfo>();
  const inet: SocketProtocol[] = ['tcp', 'tcp6', 'udp', 'udp6'];
  for (const proto of inet) {
    const text = readField(() => readProcText(pid, `net/${proto}`));
    if (typeof text === 'string') for (const s of parseInetSockets(text, proto)) byInode.set(s.inode, s);
  }
  const unix = readField(() => readProcText(pid, 'net/unix'));
  if (typeof unix === 'string') for (const s of parseUnixSockets(unix)) byInode.set(s.inode, s);
  return byInode;
}

/** Open fds with what each is; an fd closed while we read is dropped. */
export function readFds(pid: Pid): OpenFd[] {
  const names = listProcDir(pid, 'fd')
    .map(Number)
    .filter((n) => Number.isInteger(n))
    .sort((a, b) => a - b);
  let sockets: Map<number, SocketInfo> | undefined;
  const out: OpenFd[] = [];
  for (const fd of names) {
    const target = readField(() => readProcLink(pid, `fd/${fd}`));
    // Listing /proc/PID/fd needs only read access to the directory; readlink of each entry
    // passes the ptrace access check (PTRACE_MODE_READ): the fd is there, what it is is not ours.
    if (isFieldError(target) && target.error === 'permission denied') {
      out.push({ fd, kind: 'unknown', target: null, error: 'permission denied' });
      continue;
    }
    if (typeof target !== 'string') continue;
    const { kind, inode } = classifyFdTarget(target);
    const rec: OpenFd = { fd, kind, target };
    if (inode !== undefined) rec.inode = inode;
    if (kind === 'socket' && inode !== undefined) {
      sockets ??= readSockets(pid);
      const s = sockets.get(inode);
      if (s) rec.socket = s;
    }
    const info = readField(() => parseFdInfo(readProcText(pid, `fdinfo/${fd}`)));
    if (typeof info === 'object' && 'pos' in info) rec.info = info;
    if (kind === 'file' && target.endsWith('/')) rec.kind = 'directory';
    out.push(rec);
  }
  return out;
}

let users: Map<number, string> | undefined;

/** uid → user name from /etc/passwd (no NSS: good enough for local users; falls back to the number). */
export function userName(uid: number): string {
  if (!users) {
    users = new Map();
    try {
      for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
        const [name, , id] = line.split(':');
        if (name && id !== undefined && !users.has(Number(id))) users.set(Number(id), name);
      }
    } catch {
      // No passwd file: numbers it is.
    }
  }
  return users.get(uid) ?? String(uid);
}

export function uidOf(name: string): number | undefined {
  if (/^\d+$/.test(name)) return Number(name);
  userName(0);
  for (const [uid, n] of users ?? []) if (n === name) return uid;
  return undefined;
}
