/** Virtual memory: mappings, protections, the heap. */
import { S, type Spec } from '../types.js';

export const MEMORY_SPECS: Record<string, Spec> = {
  mmap: S('ptr uint prot mapflags fd hex', 'hex'),
  mprotect: S('ptr uint prot'),
  munmap: S('ptr uint'),
  brk: S('ptr', 'hex'),
  madvise: S('ptr uint madvise'),
};
