/**
 * Symbols: addresses → function names, shared by `oslens profile` and `oslens trace --lib`.
 *
 * API (stable; add, do not change):
 *
 * ELF files (elf.ts, pure; a ByteSource is a Buffer via bufferSource() or an fd via fileSource()):
 *   parseElf(src) → ElfFile { is64, type (ET_EXEC/ET_DYN), machine, entry, sections[], segments[],
 *                              buildId (hex | null), debuglink ({file, crc} | null) }
 *   readSymbols(src, elf) → ElfSymbol[] { name, value, size, type (STT_*), bind (STB_*), shndx,
 *                                          table ('.symtab' | '.dynsym') }
 *   fileOffsetToVaddr(elf, off) / vaddrToFileOffset(elf, vaddr): through the PT_LOAD segments
 *   findSection(elf, name), sectionData(src, section), parseNotes(data); ElfError when not ELF.
 *
 * Modules (module.ts; cached per build-id for the whole run):
 *   loadModule(path, { root?: '/proc/PID/root', debugDirs? }) → ElfModule | null
 *     { path, elf, buildId, symbols (every ElfSymbol of .symtab, .dynsym, .gnu_debugdata and a
 *       separate debug file found by build-id or debuglink), functions (SymbolTable),
 *       sources (where symbols came from), debugFile }
 *   symbolAtFileOffset(mod, fileOffset) → SymbolHit { name, offset, start, size } | null
 *   symbolFileOffset(mod, sym) → file offset of a symbol (what a uprobe attaches at) | null
 *   SymbolTable.lookup(vaddr): an address in a gap between sized symbols finds nothing.
 *
 * Processes (process.ts): new ProcessSymbols(pid) reads /proc/PID/maps and opens the modules
 *   through /proc/PID/root; .snapshot() re-reads (call it while the process lives: resolution
 *   after its exit uses what was kept); .resolve(addr) → UserFrame { address, name | null,
 *   offset, module, buildId, mapping }; .regionAt(addr); .openedModules().
 *
 * Kernel (kallsyms.ts): kernelSymbols().lookup(addr: bigint) → { name, offset, module } | null.
 * JIT (perfmap.ts): parsePerfMap(text) for /tmp/perf-PID.map (used by ProcessSymbols).
 *
 * demangleAll(names) → Map mangled → demangled (c++filt, one process per batch; {} without it).
 *
 * Display: frameLabel(frame) is the name, or `[unknown]` followed by the module in parentheses;
 * never a guessed name.
 */
export * from './elf.js';
export { SymbolTable, functionRanges, rangesFromStarts, type SymbolRange, type SymbolHit } from './table.js';
export {
  loadModule,
  moduleFromBuffer,
  fileSource,
  clearModuleCache,
  symbolAtFileOffset,
  symbolFileOffset,
  type ElfModule,
  type SymbolSource,
  type LoadOptions,
} from './module.js';
export { ProcessSymbols, type UserFrame } from './process.js';
export { KernelSymbols, kernelSymbols, parseKallsyms, type KernelSymbol, type KernelHit } from './kallsyms.js';
export { parsePerfMap, perfMapTable } from './perfmap.js';
export { xzDecompress } from './xz.js';
export { demangleAll } from './demangle.js';

import { basename } from 'node:path';

/** A frame's display name: the function, or `[unknown] (module)` when no symbol covers it. */
export function frameLabel(frame: { name: string | null; module: string }): string {
  return frame.name ?? `[unknown] (${frame.module === '' ? '[unknown]' : basename(frame.module)})`;
}
