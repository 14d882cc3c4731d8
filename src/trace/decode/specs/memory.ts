/** Virtual memory: mappings, protections, the heap. */
import { S, type Spec } from '../types.js';

export const MEMORY_SPECS: Record<string, Spec> = {
  mmap: S('ptr uint prot mapflags fd hex', 'hex'),
  mprotect: S('ptr uint prot'),
  munmap: S('ptr uint'),
  brk: S('ptr', 'hex'),
  madvise: S('ptr uint madvise'),
  pkey_mprotect: S('ptr uint prot int'),
  mremap: S('ptr uint uint mremapflags ptr', 'hex', (raw) => (((raw[3] ?? 0n) & 3n) === 3n ? 5 : 4)),
  msync: S('ptr uint msyncflags'),
  pkey_alloc: S('hex pkey_access'),
  pkey_free: S('int'),
  mlock: S('ptr uint'),
  munlock: S('ptr uint'),
  mlock2: S('ptr uint mlock2flags'),
  mlockall: S('mlockallflags'),
  munlockall: S(''),
  mincore: S('ptr uint mincore_vec:1'),
  remap_file_pages: S('ptr uint prot uint mapflags'),
  membarrier: S('membarrier_cmd membarrier_flags int', undefined, (raw) => ((raw[1] ?? 0n) & 1n ? 3 : 2)),
};
