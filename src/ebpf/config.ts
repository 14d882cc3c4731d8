/**
 * The filter every oslens BPF program reads from .rodata (native/bpf/common.h, struct
 * oslens_cfg): keep the layout in step with the C struct.
 */
export interface BpfFilter {
  /** Only processes in the followed set (see BpfSession.follow). */
  filterPids: boolean;
  followChildren: boolean;
  /** cgroup v2 id (the inode number of its directory), 0 for any. */
  cgroupId: bigint;
  comm: string;
  /** Tool-specific bits. */
  flags: number;
  /** trace: bytes of a buffer worth copying in kernel (-s). */
  strsize?: number;
}

export const CFG_SIZE = 48;
const COMM_LEN = 16;

export function encodeConfig(f: BpfFilter): Buffer {
  const b = Buffer.alloc(CFG_SIZE);
  b.writeUInt32LE(f.filterPids ? 1 : 0, 0);
  b.writeUInt32LE(f.followChildren ? 1 : 0, 4);
  b.writeBigUInt64LE(f.cgroupId, 8);
  // The kernel's comm is at most 15 bytes: compare like it does.
  Buffer.from(f.comm, 'utf8')
    .subarray(0, COMM_LEN - 1)
    .copy(b, 16);
  b.writeUInt32LE(f.flags >>> 0, 32);
  // oslens itself: a tool does not report what oslens does to the command it runs.
  b.writeUInt32LE(process.pid, 36);
  b.writeUInt32LE(Math.min(f.strsize ?? 0, 0xffffffff), 40);
  return b;
}

export const NO_FILTER: BpfFilter = { filterPids: false, followChildren: false, cgroupId: 0n, comm: '', flags: 0 };
