/**
 * Resource limits and usage, priorities and scheduling as strace 6 prints them: struct rlimit
 * (`8192*1024`, RLIM64_INFINITY), struct rusage, RUSAGE_*, PRIO_*, CPU masks (`[0 1]`),
 * SCHED_* policies, struct sched_param and struct sched_attr, ioprio values.
 */
import * as F from '../../flags.js';
import { Cap } from '../../records.js';
import { hex, i32, pack, type ArgCtx, type ArgType, type RetPrinter } from '../types.js';
import { timevalText } from './time.js';

/** strace's sprint_rlim64: RLIM64_INFINITY, `N*1024` for multiples of 1024 above it, else N. */
export function rlimText(v: bigint): string {
  if (v === 0xffffffffffffffffn) return 'RLIM64_INFINITY';
  if (v > 1024n && v % 1024n === 0n) return `${v / 1024n}*1024`;
  return String(v);
}

function rlimitText(a: ArgCtx): string {
  const d = a.c!.data;
  if (d.length < 16) return hex(a.v);
  return `{rlim_cur=${rlimText(d.readBigUInt64LE(0))}, rlim_max=${rlimText(d.readBigUInt64LE(8))}}`;
}

const RUSAGE_WHO: F.FlagTable = [
  [0, 'RUSAGE_SELF'],
  [-1, 'RUSAGE_CHILDREN'],
  [-2, 'RUSAGE_BOTH'],
  [1, 'RUSAGE_THREAD'],
];

/** struct rusage as strace prints it without -v: the two times, then `...`. */
function rusageText(a: ArgCtx): string {
  const d = a.c!.data;
  if (d.length < 32) return hex(a.v);
  return `{ru_utime=${timevalText(d, 0)}, ru_stime=${timevalText(d, 16)}, ...}`;
}

const PRIO_WHICH: F.FlagTable = [
  [0, 'PRIO_PROCESS'],
  [1, 'PRIO_PGRP'],
  [2, 'PRIO_USER'],
];

export const SCHED_POLICIES: F.FlagTable = [
  [0, 'SCHED_OTHER'],
  [1, 'SCHED_FIFO'],
  [2, 'SCHED_RR'],
  [3, 'SCHED_BATCH'],
  [4, 'SCHED_ISO'],
  [5, 'SCHED_IDLE'],
  [6, 'SCHED_DEADLINE'],
];

const SCHED_FLAGS: F.FlagTable = [
  [1, 'SCHED_FLAG_RESET_ON_FORK'],
  [2, 'SCHED_FLAG_RECLAIM'],
  [4, 'SCHED_FLAG_DL_OVERRUN'],
  [8, 'SCHED_FLAG_KEEP_POLICY'],
  [0x10, 'SCHED_FLAG_KEEP_PARAMS'],
  [0x20, 'SCHED_FLAG_UTIL_CLAMP_MIN'],
  [0x40, 'SCHED_FLAG_UTIL_CLAMP_MAX'],
];

/** A CPU mask: the set bits' numbers, `[0 1 5]`. */
export function cpuMaskText(d: Buffer): string {
  const cpus: number[] = [];
  for (let i = 0; i < d.length; i++) for (let b = 0; b < 8; b++) if (d[i]! & (1 << b)) cpus.push(8 * i + b);
  return `[${cpus.join(' ')}]`;
}

/** struct sched_attr: the fields its size covers (48 bytes without the utilisation clamps). */
function schedAttrText(d: Buffer, v: bigint, size: number): string {
  if (d.length < 48 || size < 48) return hex(v);
  const parts = [
    `size=${d.readUInt32LE(0)}`,
    `sched_policy=${F.renderXlat(d.readUInt32LE(4), SCHED_POLICIES, 'SCHED_???')}`,
    `sched_flags=${F.renderFlagsX(d.readBigUInt64LE(8), SCHED_FLAGS, 'SCHED_FLAG_???')}`,
    `sched_nice=${d.readInt32LE(16)}`,
    `sched_priority=${d.readUInt32LE(20)}`,
    `sched_runtime=${d.readBigUInt64LE(24)}`,
    `sched_deadline=${d.readBigUInt64LE(32)}`,
    `sched_period=${d.readBigUInt64LE(40)}`,
  ];
  if (size >= 56 && d.length >= 56)
    parts.push(`sched_util_min=${d.readUInt32LE(48)}`, `sched_util_max=${d.readUInt32LE(52)}`);
  return `{${parts.join(', ')}}`;
}

const IOPRIO_WHO: F.FlagTable = [
  [1, 'IOPRIO_WHO_PROCESS'],
  [2, 'IOPRIO_WHO_PGRP'],
  [3, 'IOPRIO_WHO_USER'],
];

const IOPRIO_CLASS: F.FlagTable = [
  [0, 'IOPRIO_CLASS_NONE'],
  [1, 'IOPRIO_CLASS_RT'],
  [2, 'IOPRIO_CLASS_BE'],
  [3, 'IOPRIO_CLASS_IDLE'],
];

/** `IOPRIO_PRIO_VALUE(IOPRIO_CLASS_BE, 4)`. */
export function ioprioText(v: number): string {
  const cls = F.renderXlat(v >>> 13, IOPRIO_CLASS, 'IOPRIO_CLASS_???');
  return `IOPRIO_PRIO_VALUE(${cls}, ${v & 0x1fff})`;
}

const intParam = (a: ArgCtx) => (a.c!.data.length >= 4 ? `[${a.c!.data.readInt32LE(0)}]` : hex(a.v));

export const RESOURCE_TYPES: Record<string, ArgType> = {
  rlimit_res: { render: (a) => F.renderXlat(Number(a.v & 0xffffffffn), F.RLIMITS, 'RLIMIT_???') },
  rlimit: { capture: () => pack(Cap.structIn, 0, 16), memory: true, render: rlimitText },
  rlimit_out: { capture: () => pack(Cap.structOut, 0, 16), output: true, memory: true, render: rlimitText },
  rusage_who: { render: (a) => F.renderXlat(i32(a.v), RUSAGE_WHO, 'RUSAGE_???') },
  rusage_out: { capture: () => pack(Cap.structOut, 0, 144), output: true, memory: true, render: rusageText },
  prio_which: { render: (a) => F.renderXlat(i32(a.v), PRIO_WHICH, 'PRIO_???') },
  /** sched_setaffinity's mask: argument `param` bytes (at most 512: 4096 CPUs). */
  cpumask: { capture: (p) => pack(Cap.rawIn, p ?? 1, 512), memory: true, render: (a) => cpuMaskText(a.c!.data) },
  /** sched_getaffinity's mask: the kernel returns how many bytes it wrote. */
  cpumask_out: {
    capture: () => pack(Cap.arrayOutRet, 0, 1),
    output: true,
    memory: true,
    render: (a) => cpuMaskText(a.c!.data),
  },
  sched_policy: { render: (a) => F.renderXlat(i32(a.v), SCHED_POLICIES, 'SCHED_???') },
  /** struct sched_param: `[0]` (its one field, the priority). */
  sched_param: { capture: () => pack(Cap.structIn, 0, 4), memory: true, render: intParam },
  sched_param_out: { capture: () => pack(Cap.structOut, 0, 4), output: true, memory: true, render: intParam },
  /** sched_setattr: the struct's own size field says how much of it there is. */
  sched_attr: {
    capture: () => pack(Cap.structIn, 0, 56),
    memory: true,
    render: (a) => schedAttrText(a.c!.data, a.v, a.c!.data.length >= 4 ? a.c!.data.readUInt32LE(0) || 48 : 0),
  },
  /** sched_getattr: the kernel writes min(its size, argument `param`) bytes. */
  sched_attr_out: {
    capture: () => pack(Cap.structOut, 0, 56),
    output: true,
    memory: true,
    render: (a) => schedAttrText(a.c!.data, a.v, a.c!.data.length >= 4 ? a.c!.data.readUInt32LE(0) : 0),
  },
  ioprio_who: { render: (a) => F.renderXlat(i32(a.v), IOPRIO_WHO, 'IOPRIO_WHO_???') },
  ioprio: { render: (a) => ioprioText(Number(a.v & 0xffffffffn)) },
};

export const RESOURCE_RET: Record<string, RetPrinter> = {
  /** sched_getscheduler: `0 (SCHED_OTHER)`. */
  sched_policy: (ret) => {
    const name = SCHED_POLICIES.find(([v]) => BigInt(v) === ret)?.[1];
    return name ? `${ret} (${name})` : String(ret);
  },
  /** ioprio_get: `0 (IOPRIO_PRIO_VALUE(IOPRIO_CLASS_NONE, 0))`. */
  ioprio: (ret) => (ret >= 0n ? `${ret} (${ioprioText(Number(ret))})` : String(ret)),
};
