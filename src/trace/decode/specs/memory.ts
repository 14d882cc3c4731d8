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
  mbind: S('ptr uint mpol_mode nodemask:4 uint mbind_flags'),
  set_mempolicy: S('mpol_mode nodemask:2 uint'),
  get_mempolicy: S('mpol_mode_out nodemask_out:2 uint ptr get_mempolicy_flags'),
  migrate_pages: S('int uint nodemask:1 nodemask:1'),
  userfaultfd: S('userfaultfd_flags', 'fd'),
  memfd_secret: S('cloexec_flags', 'fd'),
  membarrier: S('membarrier_cmd membarrier_flags int', undefined, (raw) => ((raw[1] ?? 0n) & 1n ? 3 : 2)),
};
