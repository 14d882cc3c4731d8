/** Virtual memory: mremap, msync, mlock, mincore's vector, membarrier. */
import * as FS from '../../flags-fs.js';
import { Cap } from '../../records.js';
import { hex, pack, type ArgType } from '../types.js';

const u32 = (v: bigint) => Number(v & 0xffffffffn);

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
  membarrier_cmd: { render: (a) => FS.renderEnumDflt(u32(a.v), FS.MEMBARRIER_CMDS, 'MEMBARRIER_CMD_???') },
  membarrier_flags: { render: (a) => FS.renderFlagsDflt(u32(a.v), FS.MEMBARRIER_FLAGS, 'MEMBARRIER_CMD_FLAG_???') },
};
