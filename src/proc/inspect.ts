/**
 * Everything about one process, decoded (the record behind `oslens inspect`). Only stat and
 * status are required; every other part is a Field that may say "permission denied".
 */
import { decodeCapabilities, isFullCapabilitySet } from './caps.js';
import type { OpenFd } from './fds.js';
import type { ResourceLimit } from './limits.js';
import type { CgroupEntry, ProcessIo, SchedStat } from './misc.js';
import {
  readCgroups,
  readCmdline,
  readFds,
  readIo,
  readLimits,
  readNamespaces,
  readProcessStat,
  readProcessStatus,
  readRollup,
  readSchedstat,
  readSyscallState,
  readThreads,
  readWchan,
  userName,
  type ThreadInfo,
} from './process.js';
import { readField, readProcLink, readProcText, type Field, type Pid } from './read.js';
import { decodeSignalMask } from './signals.js';
import { parseEnviron, stateName, type SyscallState } from './stat.js';
import type { MemoryRollup } from './maps.js';
import { syscallLabel } from './why.js';

export interface ProcessInspection {
  identity: {
    pid: number;
    tgid: number;
    ppid: number;
    pgrp: number;
    session: number;
    /** PIDs in nested PID namespaces, outermost first. */
    nspid: number[];
    comm: string;
    cmdline: Field<string[]>;
    exe: Field<string>;
    cwd: Field<string>;
    uid: { real: number; effective: number; saved: number; filesystem: number; name: string };
    gid: { real: number; effective: number; saved: number; filesystem: number };
    groups: number[];
    namespaces: Field<Record<string, number>>;
    cgroup: Field<CgroupEntry[]>;
    kernelThread: boolean;
  };
  capabilities: {
    effective: string[];
    permitted: string[];
    inheritable: string[];
    bounding: string[];
    ambient: string[];
    /** True when the effective set is every capability (root-like). */
    fullEffective: boolean;
    noNewPrivs: boolean | null;
    seccomp: number | null;
  };
  state: {
    state: string;
    stateName: string;
    wchan: Field<string>;
    syscall: Field<SyscallState>;
    syscallName: string | null;
    tracerPid: number;
    /** Seconds of CPU in user and kernel mode. */
    utime: number;
    stime: number;
    nice: number;
    priority: number;
    processor: number;
    voluntaryCtxt: number;
    nonvoluntaryCtxt: number;
    schedstat: Field<SchedStat>;
    /** Seconds since boot at start. */
    startTime: number;
  };
  memory: {
    /** Bytes. */
    vmSize: number | null;
    vmRSS: number | null;
    vmHWM: number | null;
    rssAnon: number | null;
    rssFile: number | null;
    rssShmem: number | null;
    vmData: number | null;
    vmStk: number | null;
    vmExe: number | null;
    vmLib: number | null;
    vmPTE: number | null;
    vmSwap: number | null;
    minflt: number;
    majflt: number;
    rollup: Field<MemoryRollup>;
  };
  signals: {
    pending: string[];
    sharedPending: string[];
    blocked: string[];
    ignored: string[];
    caught: string[];
  };
  limits: Field<ResourceLimit[]>;
  fds: Field<OpenFd[]>;
  io: Field<ProcessIo>;
  threads: Field<ThreadInfo[]>;
  environ?: Field<Record<string, string>>;
}

export function inspectProcess(pid: Pid, opts: { env?: boolean } = {}): ProcessInspection {
  const stat = readProcessStat(pid);
  const st = readProcessStatus(pid);
  const syscall = readField(() => readSyscallState(pid));
  const kthread = st.kthread ?? stat.kernelThread;
  const out: ProcessInspection = {
    identity: {
      pid,
      tgid: st.tgid,
      ppid: stat.ppid,
      pgrp: stat.pgrp,
      session: stat.session,
      nspid: st.nspid,
      comm: stat.comm,
      cmdline: readField(() => readCmdline(pid)),
      exe: readField(() => readProcLink(pid, 'exe')),
      cwd: readField(() => readProcLink(pid, 'cwd')),
      uid: { ...st.uid, name: userName(st.uid.real) },
      gid: st.gid,
      groups: st.groups,
      namespaces: readField(() => readNamespaces(pid)),
      cgroup: readField(() => readCgroups(pid)),
      kernelThread: kthread,
    },
    capabilities: {
      effective: decodeCapabilities(st.capEff),
      permitted: decodeCapabilities(st.capPrm),
      inheritable: decodeCapabilities(st.capInh),
      bounding: decodeCapabilities(st.capBnd),
      ambient: decodeCapabilities(st.capAmb),
      fullEffective: isFullCapabilitySet(st.capEff),
      noNewPrivs: st.noNewPrivs ?? null,
      seccomp: st.seccomp ?? null,
    },
    state: {
      state: stat.state,
      stateName: stateName(stat.state),
      wchan: readField(() => readWchan(pid)),
      syscall,
      // A kernel thread's /proc/PID/syscall reads "0 0x0 ...": not a read(2), no syscall at all.
      syscallName: kthread ? null : syscallLabel(syscall),
      tracerPid: st.tracerPid,
      utime: stat.utime,
      stime: stat.stime,
      nice: stat.nice,
      priority: stat.priority,
      processor: stat.processor,
      voluntaryCtxt: st.voluntaryCtxt,
      nonvoluntaryCtxt: st.nonvoluntaryCtxt,
      schedstat: readField(() => readSchedstat(pid)),
      startTime: stat.startTime,
    },
    memory: {
      vmSize: st.vmSize ?? null,
      vmRSS: st.vmRSS ?? null,
      vmHWM: st.vmHWM ?? null,
      rssAnon: st.rssAnon ?? null,
      rssFile: st.rssFile ?? null,
      rssShmem: st.rssShmem ?? null,
      vmData: st.vmData ?? null,
      vmStk: st.vmStk ?? null,
      vmExe: st.vmExe ?? null,
      vmLib: st.vmLib ?? null,
      vmPTE: st.vmPTE ?? null,
      vmSwap: st.vmSwap ?? null,
      minflt: stat.minflt,
      majflt: stat.majflt,
      rollup: kthread ? { error: 'unavailable' } : readField(() => readRollup(pid)),
    },
    signals: {
      pending: decodeSignalMask(st.sigPnd),
      sharedPending: decodeSignalMask(st.shdPnd),
      blocked: decodeSignalMask(st.sigBlk),
      ignored: decodeSignalMask(st.sigIgn),
      caught: decodeSignalMask(st.sigCgt),
    },
    limits: readField(() => readLimits(pid)),
    fds: readField(() => readFds(pid)),
    io: readField(() => readIo(pid)),
    threads: readField(() => readThreads(pid)),
  };
  if (opts.env) out.environ = readField(() => parseEnviron(readProcText(pid, 'environ')));
  return out;
}
