/**
 * profile: on-CPU stack sampling with native/bpf/profile.bpf.c on the cpu-clock event of every
 * online CPU, aggregated in kernel; here the counts and stacks are read and resolved to
 * functions (src/symbols). Processes are snapshotted while they run (their maps and modules
 * opened), so one that exits mid-profile still resolves.
 */
import { readFileSync } from 'node:fs';
import { libbpf } from '../native/libbpf.js';
import { openCpuClock } from '../native/perf.js';
import { ExitCode, UserError } from '../util/errors.js';
import { ProcessSymbols, demangleAll, kernelSymbols } from '../symbols/index.js';
import { kernelFrameModel } from '../profile/overlay.js';
import type { Profile, ProfileFrame, ProfileStack } from '../profile/model.js';
import type { BpfFilter } from './config.js';
import { BpfSession } from './loader.js';
import { cString } from './syscount.js';

export const WANT_USER = 1;
export const WANT_KERNEL = 2;
const KEY_SIZE = 28; // struct sample_key: tgid, user_stack, kernel_stack, comm[16]
const MAX_DEPTH = 127;
/** bpf_get_stackid's error when there is no stack of that kind to walk (not a loss). */
const EFAULT = 14;
/** Processes snapshotted per poll at most (a fork storm must not make a poll cost more). */
const SNAPSHOTS_PER_POLL = 64;

/** CPUs listed in /sys/devices/system/cpu/online ("0-3,6"). */
export function parseCpuList(text: string): number[] {
  const out: number[] = [];
  for (const part of text.trim().split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) continue;
    for (let c = Number(m[1]); c <= Number(m[2] ?? m[1]); c++) out.push(c);
  }
  return out;
}

interface Sample {
  tgid: number;
  comm: string;
  userStack: number;
  kernelStack: number;
  count: number;
}

export class Profiler {
  readonly session: BpfSession;
  private readonly processes = new Map<number, ProcessSymbols>();
  private readonly exited = new Set<number>();
  private readonly startedAt = process.hrtime.bigint();
  private stoppedAt: bigint | null = null;

  constructor(
    filter: BpfFilter,
    readonly hz: number,
    readonly want: number,
  ) {
    this.session = new BpfSession('profile', { filter: { ...filter, flags: want }, manual: ['oslens_profile'] });
    try {
      for (const cpu of parseCpuList(readFileSync('/sys/devices/system/cpu/online', 'utf8'))) {
        const fd = openCpuClock(cpu, hz);
        if (fd < 0) {
          const errno = -fd;
          throw new UserError(
            errno === 1 || errno === 13
              ? `profile: perf_event_open was refused (${errno === 1 ? 'EPERM' : 'EACCES'}): needs CAP_PERFMON (or root); see /proc/sys/kernel/perf_event_paranoid`
              : `profile: cannot open the cpu-clock event on CPU ${cpu} (errno ${errno})`,
            errno === 1 || errno === 13 ? ExitCode.missingCapability : ExitCode.failure,
          );
        }
        this.session.attachPerfEvent('oslens_profile', fd);
      }
    } catch (err) {
      this.session.close();
      throw err;
    }
  }

  private samples(): Sample[] {
    return this.session.entries('counts', KEY_SIZE, 8).map(({ key, value }) => ({
      tgid: key.readUInt32LE(0),
      userStack: key.readInt32LE(4),
      kernelStack: key.readInt32LE(8),
      comm: cString(key, 12, 28),
      count: Number(value.readBigUInt64LE(0)),
    }));
  }

  /** Snapshots the processes seen so far (call every few hundred ms while sampling). */
  poll(): void {
    if (!(this.want & WANT_USER)) return;
    let budget = SNAPSHOTS_PER_POLL;
    const seen = new Set(this.samples().map((s) => s.tgid));
    for (const tgid of seen) {
      if (this.exited.has(tgid) || budget-- <= 0) continue;
      const known = this.processes.get(tgid);
      if (!known) this.processes.set(tgid, new ProcessSymbols(tgid));
      else if (!known.snapshot()) this.exited.add(tgid);
    }
  }

  /** Marks the end of sampling (the links stay until close, but the duration is measured to here). */
  stop(): void {
    if (this.stoppedAt !== null) return;
    this.stoppedAt = process.hrtime.bigint();
    this.poll(); // the last look at the processes, before a `-- CMD` is ended
  }

  private stackOf(id: number): bigint[] {
    if (id < 0) return [];
    const key = Buffer.alloc(4);
    key.writeUInt32LE(id);
    const value = Buffer.alloc(MAX_DEPTH * 8);
    if (libbpf().bpf_map_lookup_elem(this.session.mapFd('stacks'), key, value) !== 0) return [];
    const out: bigint[] = [];
    for (let i = 0; i < MAX_DEPTH; i++) {
      const a = value.readBigUInt64LE(i * 8);
      if (a === 0n) break;
      out.push(a);
    }
    return out; // leaf first
  }

  /**
   * Reads the kernel's tables and resolves every stack: the profile so far (--interval), or the
   * whole profile after stop().
   */
  collect(): Profile {
    const kernel = kernelSymbols();
    const stackCache = new Map<number, bigint[]>();
    const stack = (id: number) => {
      let s = stackCache.get(id);
      if (!s) stackCache.set(id, (s = this.stackOf(id)));
      return s;
    };
    const withSamples = new Map<string, { hasSymbols: boolean }>();
    const stacks: ProfileStack[] = [];
    for (const s of this.samples()) {
      const frames: ProfileFrame[] = [];
      const ps = this.processes.get(s.tgid) ?? (this.want & WANT_USER ? this.lateProcess(s.tgid) : null);
      // Leaf first from the kernel; return addresses (all but the leaf) point after the call:
      // the call instruction is at addr - 1, which is what names the caller right.
      const user = stack(s.userStack);
      user.forEach((addr, i) => {
        const a = Number(i === 0 ? addr : addr - 1n);
        const f = ps?.resolve(a);
        const module = f?.module ?? '[unknown]';
        const mod = module.startsWith('/') ? ps?.openedModules().get(module) : undefined;
        if (mod) {
          // An ELF module (a stray address in a data file's mapping is no "stripped binary").
          const had = withSamples.get(module);
          withSamples.set(module, { hasSymbols: (had?.hasSymbols ?? false) || mod.functions.size > 0 });
        }
        frames.push({
          name: f?.name ?? null,
          module,
          kind: module === '[jit]' ? 'jit' : 'user',
          address: `0x${addr.toString(16)}`,
          model: null,
          buildId: f?.buildId ?? null,
          mapping: f?.mapping ?? null,
        });
      });
      const kframes: ProfileFrame[] = [];
      stack(s.kernelStack).forEach((addr, i) => {
        const hit = kernel.lookup(i === 0 ? addr : addr - 1n);
        kframes.push({
          name: hit?.name ?? null,
          module: hit ? (hit.module === '' ? '[kernel]' : `[${hit.module}]`) : '[kernel]',
          kind: 'kernel',
          address: `0x${addr.toString(16)}`,
          model: hit ? kernelFrameModel(hit.name) : null,
          buildId: null,
          mapping: null,
        });
      });
      // Root first: the user stack's outermost caller ... its leaf, then the kernel's entry ... leaf.
      const all = [...frames.reverse(), ...kframes.reverse()];
      // A half the kernel could not store is one unknown frame; a half there is none of (user
      // mode under --kernel, a kernel thread under --user) is said as such.
      const placeholder = (name: string | null, module: string, kind: ProfileFrame['kind']): ProfileFrame => ({
        name,
        module,
        kind,
        address: '0x0',
        model: null,
        buildId: null,
        mapping: null,
      });
      if (this.want & WANT_USER && s.userStack < 0 && s.userStack !== -EFAULT)
        all.unshift(placeholder(null, '[lost stack]', 'user'));
      if (this.want & WANT_KERNEL && s.kernelStack < 0 && s.kernelStack !== -EFAULT)
        all.push(placeholder(null, '[lost stack]', 'kernel'));
      if (all.length === 0)
        all.push(
          this.want & WANT_KERNEL
            ? placeholder('[user mode]', '[user]', 'user')
            : placeholder('[kernel thread]', '[kernel]', 'kernel'),
        );
      stacks.push({ pid: s.tgid, comm: s.comm, frames: all, samples: s.count });
    }
    // C++ names as perf shows them (Rust's v0 and legacy names too, where c++filt knows them).
    const demangled = demangleAll(stacks.flatMap((s) => s.frames.map((f) => f.name ?? '')));
    if (demangled.size > 0)
      for (const s of stacks) for (const f of s.frames) if (f.name !== null) f.name = demangled.get(f.name) ?? f.name;
    let lostUser = 0n,
      lostKernel = 0n,
      lostSamples = 0n,
      samples = 0n;
    for (const { values } of this.session.percpuEntries('unkept', 4, 32)) {
      for (const v of values) {
        lostUser += v.readBigUInt64LE(0);
        lostKernel += v.readBigUInt64LE(8);
        lostSamples += v.readBigUInt64LE(16);
        samples += v.readBigUInt64LE(24);
      }
    }
    const end = this.stoppedAt ?? process.hrtime.bigint();
    return {
      hz: this.hz,
      durationSeconds: Number(end - this.startedAt) / 1e9,
      mode: this.want === (WANT_USER | WANT_KERNEL) ? 'both' : this.want === WANT_USER ? 'user' : 'kernel',
      samples: Number(samples),
      stacks: stacks.sort((a, b) => b.samples - a.samples),
      lost: { userStacks: Number(lostUser), kernelStacks: Number(lostKernel), samples: Number(lostSamples) },
      modulesWithoutSymbols: [...withSamples]
        .filter(([, v]) => !v.hasSymbols)
        .map(([m]) => m)
        .sort(),
      exited: [...this.exited].sort((a, b) => a - b),
    };
  }

  /** A process first seen at the end: it may still be there (else its frames stay unknown). */
  private lateProcess(tgid: number): ProcessSymbols {
    const ps = new ProcessSymbols(tgid);
    this.processes.set(tgid, ps);
    return ps;
  }

  close(): void {
    this.session.close();
  }
}
