/** Virtual memory: mremap, msync, mlock, mincore's vector, membarrier. */
import { errnoName } from '../../errno.js';
import { renderFlags } from '../../flags.js';
import * as FS from '../../flags-fs.js';
import { Cap } from '../../records.js';
import { hex, pack, ptr as ptrText, type ArgCtx, type ArgType, type RetPrinter } from '../types.js';

const u32 = (v: bigint) => Number(v & 0xffffffffn);

/** Longs of a node mask the capture reads (strace prints at most 32, then `...`). */
const NODEMASK_LONGS = 32;

/**
 * strace's print_nodemask: (maxnode + 62) / 64 longs as %#016lx (0 as 16 zeros), at most 32 of
 * them; an impossible count prints the address.
 */
function nodemaskText(a: ArgCtx): string {
  const maxnode = a.raw[a.param ?? 0] ?? 0n;
  const nmemb = (maxnode + 62n) / 64n;
  if (BigInt.asUintN(64, maxnode + 62n) < maxnode || (maxnode !== 0n && nmemb === 0n)) return hex(a.v);
  if (nmemb === 0n) return '[]';
  const d = a.c!.data;
  const shown = Number(nmemb < BigInt(NODEMASK_LONGS) ? nmemb : BigInt(NODEMASK_LONGS));
  if (d.length < shown * 8) return hex(a.v);
  const items: string[] = [];
  for (let i = 0; i < shown; i++) {
    const v = d.readBigUInt64LE(8 * i);
    items.push(v === 0n ? '0'.repeat(16) : `0x${v.toString(16).padStart(14, '0')}`);
  }
  if (nmemb > BigInt(NODEMASK_LONGS)) items.push('...');
  return `[${items.join(', ')}]`;
}

/** At most this many elements of an array print before `...` (strace's -s default). */
const ARRAY_SHOWN = 32;

/**
 * move_pages' arrays of `count` (argument 1) elements: pages (addresses), nodes (ints) and the
 * status the kernel wrote (a node, or -EFAULT...). More than 32 elements: the address (the cut
 * depends on -s, which the printers do not see).
 */
function pagesArray(a: ArgCtx, size: 4 | 8, item: (d: Buffer, at: number) => string): string {
  const count = a.raw[1] ?? 0n;
  if (count === 0n) return '[]';
  const d = a.c!.data;
  if (count > BigInt(ARRAY_SHOWN) || d.length < Number(count) * size) return hex(a.v);
  const items: string[] = [];
  for (let i = 0; i < Number(count); i++) items.push(item(d, i * size));
  return `[${items.join(', ')}]`;
}

const statusText = (d: Buffer, at: number): string => {
  const v = d.readInt32LE(at);
  const name = v < 0 ? errnoName(-v) : '';
  return v < 0 && !name.startsWith('errno=') ? `-${name}` : String(v);
};

/** A memory policy mode with its MPOL_F_* flags (strace's print_mode). */
function mpolModeText(v: bigint): string {
  const flagsMask = 0xe000n;
  const flags = v & flagsMask;
  const mode = v & ~flagsMask;
  if (!flags) return FS.renderEnumDflt(Number(mode & 0xffffffffn), FS.MPOL_MODES, 'MPOL_???');
  const name = FS.MPOL_MODES.find(([m]) => BigInt(m) === mode)?.[1];
  if (!name) return FS.renderFlagsDflt(v, FS.MPOL_MODE_FLAGS, 'MPOL_F_???');
  return `${name}|${FS.renderFlagsDflt(flags, FS.MPOL_MODE_FLAGS, 'MPOL_F_???')}`;
}

export const MEMORY_TYPES: Record<string, ArgType> = {
  mremapflags: { render: (a) => FS.renderFlagsDflt(u32(a.v), FS.MREMAP_FLAGS, 'MREMAP_???') },
  msyncflags: { render: (a) => FS.renderFlagsDflt(u32(a.v), FS.MSYNC_FLAGS, 'MS_???') },
  mlock2flags: { render: (a) => FS.renderFlagsDflt(u32(a.v), FS.MLOCK_FLAGS, 'MLOCK_???') },
  mlockallflags: { render: (a) => FS.renderFlagsDflt(u32(a.v), FS.MLOCKALL_FLAGS, 'MCL_???') },
  /** mincore's vector: one 0/1 per page, at most -s of them. */
  mincore_vec: {
    capture: (p) => pack(Cap.pagesOut, p ?? 1, 0),
    output: true,
    memory: true,
    render: (a) => {
      if (a.failed) return hex(a.v);
      const items = [...a.c!.data].map((b) => String(b & 1));
      if (a.c!.truncated) items.push('...');
      return `[${items.join(', ')}]`;
    },
  },
  pkey_access: { render: (a) => FS.renderFlagsDflt(u32(a.v), FS.PKEY_ACCESS, 'PKEY_???') },
  /** A node mask whose bit count is argument `param`. */
  nodemask: { capture: () => pack(Cap.structIn, 0, 8 * NODEMASK_LONGS), memory: true, render: nodemaskText },
  nodemask_out: {
    capture: () => pack(Cap.structOut, 0, 8 * NODEMASK_LONGS),
    output: true,
    memory: true,
    render: nodemaskText,
  },
  mpol_mode: { render: (a) => mpolModeText(a.name === 'set_mempolicy' ? a.v & 0xffffffffn : a.v) },
  /** get_mempolicy's int *mode, a plain MPOL_* value. */
  mpol_mode_out: {
    capture: () => pack(Cap.structOut, 0, 4),
    output: true,
    memory: true,
    render: (a) =>
      a.c!.data.length < 4 ? hex(a.v) : `[${FS.renderEnumDflt(a.c!.data.readInt32LE(0), FS.MPOL_MODES, 'MPOL_???')}]`,
  },
  mbind_flags: { render: (a) => FS.renderFlagsDflt(u32(a.v), FS.MBIND_FLAGS, 'MPOL_MF_???') },
  get_mempolicy_flags: { render: (a) => FS.renderFlagsDflt(a.v, FS.GET_MEMPOLICY_FLAGS, 'MPOL_F_???') },
  move_pages_pages: {
    capture: () => pack(Cap.arrayIn, 1, 8),
    memory: true,
    render: (a) => pagesArray(a, 8, (d, at) => ptrText(d.readBigUInt64LE(at))),
  },
  move_pages_nodes: {
    capture: () => pack(Cap.arrayIn, 1, 4),
    memory: true,
    render: (a) => pagesArray(a, 4, (d, at) => String(d.readInt32LE(at))),
  },
  move_pages_status: {
    capture: () => pack(Cap.arrayOutArg, 1, 4),
    output: true,
    memory: true,
    render: (a) => (a.failed ? hex(a.v) : pagesArray(a, 4, statusText)),
  },
  /** move_pages' flags, printed at exit after the status array. */
  move_pages_flags: {
    output: true,
    render: (a) => FS.renderFlagsDflt(u32(a.v), FS.MBIND_FLAGS.slice(1), 'MPOL_???'),
  },
  /** Also recorded at exit: the return printer decodes MEMBARRIER_CMD_QUERY's bit set. */
  membarrier_cmd: {
    capture: () => pack(Cap.argExit, 0, 0),
    render: (a) => FS.renderEnumDflt(u32(a.v), FS.MEMBARRIER_CMDS, 'MEMBARRIER_CMD_???'),
  },
  membarrier_flags: { render: (a) => FS.renderFlagsDflt(u32(a.v), FS.MEMBARRIER_FLAGS, 'MEMBARRIER_CMD_FLAG_???') },
};

export const MEMORY_RET: Record<string, RetPrinter> = {
  /** MEMBARRIER_CMD_QUERY returns the supported commands: `0x3ff (MEMBARRIER_CMD_GLOBAL|...)`. */
  membarrier: (ret, a) => {
    const c = a.captures.find((c) => c.kind === Cap.argExit && c.arg === 0 && c.data.length >= 8);
    if (!c || a.failed || ret <= 0n || c.data.readBigUInt64LE(0) !== 0n) return String(ret);
    return `${hex(ret)} (${renderFlags(ret, FS.MEMBARRIER_CMDS)})`;
  },
};
