/**
 * ELF reading, pure: headers, sections, program headers (segments), symbols (.symtab, .dynsym),
 * notes (the GNU build-id) and .gnu_debuglink. Little-endian ELF32/ELF64 (the machines oslens
 * runs on). Input is a ByteSource (a Buffer in tests, a file descriptor in production) so a
 * 100 MB binary is read section by section, never whole.
 *
 * Why not an npm ELF library: the ones there (elfy and a few smaller) are unmaintained or parse
 * only headers; none reads symbols, notes and debuglinks from an open file descriptor.
 */

/** Reads `length` bytes at `offset`; may return fewer at the end of the source. */
export interface ByteSource {
  readonly size: number;
  read(offset: number, length: number): Buffer;
}

/** The source over a Buffer (tests, in-memory images such as the vDSO or MiniDebugInfo). */
export function bufferSource(buf: Buffer): ByteSource {
  return { size: buf.length, read: (offset, length) => buf.subarray(offset, Math.min(buf.length, offset + length)) };
}

/** Not an ELF file, or one whose headers point outside it. */
export class ElfError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ElfError';
  }
}

export const ET_EXEC = 2;
export const ET_DYN = 3;
export const PT_LOAD = 1;
export const PT_NOTE = 4;
export const PF_X = 1;
export const SHT_SYMTAB = 2;
export const SHT_STRTAB = 3;
export const SHT_NOTE = 7;
export const SHT_NOBITS = 8;
export const SHT_DYNSYM = 11;
export const SHF_EXECINSTR = 4;
export const STT_NOTYPE = 0;
export const STT_OBJECT = 1;
export const STT_FUNC = 2;
export const STT_SECTION = 3;
export const STT_FILE = 4;
export const STT_GNU_IFUNC = 10;
export const STB_LOCAL = 0;
export const STB_GLOBAL = 1;
export const STB_WEAK = 2;
const NT_GNU_BUILD_ID = 3;

export interface ElfSection {
  index: number;
  name: string;
  type: number;
  flags: number;
  /** Virtual address when loaded (0 for sections that are not). */
  addr: number;
  offset: number;
  size: number;
  link: number;
  entsize: number;
}

export interface ElfSegment {
  type: number;
  /** PF_X | PF_W | PF_R. */
  flags: number;
  offset: number;
  vaddr: number;
  filesz: number;
  memsz: number;
}

export interface ElfSymbol {
  name: string;
  /** st_value: the link-time virtual address (of the function, for STT_FUNC). */
  value: number;
  /** st_size in bytes; 0 when the assembler did not say (then the extent is unknown). */
  size: number;
  /** STT_* (FUNC 2, OBJECT 1, NOTYPE 0, GNU_IFUNC 10...). */
  type: number;
  /** STB_* (LOCAL 0, GLOBAL 1, WEAK 2). */
  bind: number;
  /** Section index; 0 = undefined (an import), 0xfff1 = absolute. */
  shndx: number;
  /** '.symtab' or '.dynsym'. */
  table: '.symtab' | '.dynsym';
}

export interface ElfFile {
  is64: boolean;
  /** ET_EXEC (2, fixed addresses) or ET_DYN (3, PIE or shared library), ... */
  type: number;
  machine: number;
  entry: number;
  sections: ElfSection[];
  segments: ElfSegment[];
  /** NT_GNU_BUILD_ID as lowercase hex, or null. */
  buildId: string | null;
  /** .gnu_debuglink: the separate debug file's name and its CRC32, or null. */
  debuglink: { file: string; crc: number } | null;
}

const need = (buf: Buffer, length: number, what: string) => {
  if (buf.length < length) throw new ElfError(`${what}: truncated (${buf.length} of ${length} bytes)`);
};

/** Offsets and sizes are u64 in ELF64; past 2^53 they cannot be in a real file. */
function u64(buf: Buffer, at: number): number {
  const hi = buf.readUInt32LE(at + 4);
  return hi >= 0x200000 ? Number.MAX_SAFE_INTEGER : hi * 0x100000000 + buf.readUInt32LE(at);
}

/** A NUL-terminated string at `at` in a string table (bounded by the table). */
function cstring(table: Buffer, at: number): string {
  if (at >= table.length) return '';
  const end = table.indexOf(0, at);
  return table.toString('latin1', at, end < 0 ? table.length : end);
}

/** Parses the ELF header, section headers with names, program headers, build-id and debuglink. */
export function parseElf(src: ByteSource): ElfFile {
  const ident = src.read(0, 64);
  if (ident.length < 16 || ident.readUInt32BE(0) !== 0x7f454c46) throw new ElfError('not an ELF file');
  const is64 = ident[4] === 2;
  if (ident[4] !== 1 && ident[4] !== 2) throw new ElfError(`unknown ELF class ${ident[4]}`);
  if (ident[5] !== 1) throw new ElfError('big-endian ELF is not supported');
  need(ident, is64 ? 64 : 52, 'ELF header');
  const type = ident.readUInt16LE(16);
  const machine = ident.readUInt16LE(18);
  const entry = is64 ? u64(ident, 24) : ident.readUInt32LE(24);
  const phoff = is64 ? u64(ident, 32) : ident.readUInt32LE(28);
  const shoff = is64 ? u64(ident, 40) : ident.readUInt32LE(32);
  const phentsize = ident.readUInt16LE(is64 ? 54 : 42);
  const phnum = ident.readUInt16LE(is64 ? 56 : 44);
  const shentsize = ident.readUInt16LE(is64 ? 58 : 46);
  let shnum = ident.readUInt16LE(is64 ? 60 : 48);
  let shstrndx = ident.readUInt16LE(is64 ? 62 : 50);

  const segments: ElfSegment[] = [];
  if (phnum > 0) {
    if (phentsize < (is64 ? 56 : 32)) throw new ElfError(`program header entry size ${phentsize} too small`);
    const ph = src.read(phoff, phnum * phentsize);
    need(ph, phnum * phentsize, 'program headers');
    for (let i = 0; i < phnum; i++) {
      const at = i * phentsize;
      segments.push(
        is64
          ? {
              type: ph.readUInt32LE(at),
              flags: ph.readUInt32LE(at + 4),
              offset: u64(ph, at + 8),
              vaddr: u64(ph, at + 16),
              filesz: u64(ph, at + 32),
              memsz: u64(ph, at + 40),
            }
          : {
              type: ph.readUInt32LE(at),
              offset: ph.readUInt32LE(at + 4),
              vaddr: ph.readUInt32LE(at + 8),
              filesz: ph.readUInt32LE(at + 16),
              memsz: ph.readUInt32LE(at + 20),
              flags: ph.readUInt32LE(at + 24),
            },
      );
    }
  }

  const sections: ElfSection[] = [];
  if (shoff !== 0 && shentsize !== 0) {
    if (shentsize < (is64 ? 64 : 40)) throw new ElfError(`section header entry size ${shentsize} too small`);
    // With 0xff00+ sections the real count and string-table index live in section 0.
    if (shnum === 0 || shstrndx === 0xffff) {
      const first = src.read(shoff, shentsize);
      need(first, shentsize, 'section header 0');
      if (shnum === 0) shnum = is64 ? u64(first, 32) : first.readUInt32LE(20);
      if (shstrndx === 0xffff) shstrndx = first.readUInt32LE(is64 ? 44 : 28);
    }
    if (shnum > 1_000_000) throw new ElfError(`implausible section count ${shnum}`);
    const sh = src.read(shoff, shnum * shentsize);
    need(sh, shnum * shentsize, 'section headers');
    for (let i = 0; i < shnum; i++) {
      const at = i * shentsize;
      sections.push({
        index: i,
        name: '',
        type: sh.readUInt32LE(at + 4),
        flags: is64 ? u64(sh, at + 8) : sh.readUInt32LE(at + 8),
        addr: is64 ? u64(sh, at + 16) : sh.readUInt32LE(at + 12),
        offset: is64 ? u64(sh, at + 24) : sh.readUInt32LE(at + 16),
        size: is64 ? u64(sh, at + 32) : sh.readUInt32LE(at + 20),
        link: sh.readUInt32LE(at + (is64 ? 40 : 24)),
        entsize: is64 ? u64(sh, at + 56) : sh.readUInt32LE(at + 36),
      });
      (sections[i] as ElfSection & { nameOff: number }).nameOff = sh.readUInt32LE(at);
    }
    const strtab = sections[shstrndx];
    const names = strtab && strtab.type !== SHT_NOBITS ? src.read(strtab.offset, strtab.size) : Buffer.alloc(0);
    for (const s of sections) {
      const withOff = s as ElfSection & { nameOff?: number };
      s.name = cstring(names, withOff.nameOff ?? 0);
      delete withOff.nameOff;
    }
  }

  const elf: ElfFile = { is64, type, machine, entry, sections, segments, buildId: null, debuglink: null };
  elf.buildId = readBuildId(src, elf);
  elf.debuglink = readDebuglink(src, elf);
  return elf;
}

/** The bytes of a section (empty for NOBITS: its bytes are not in this file). */
export function sectionData(src: ByteSource, s: ElfSection): Buffer {
  if (s.type === SHT_NOBITS || s.size === 0) return Buffer.alloc(0);
  const data = src.read(s.offset, s.size);
  need(data, s.size, `section ${s.name || s.index}`);
  return data;
}

export function findSection(elf: ElfFile, name: string): ElfSection | undefined {
  return elf.sections.find((s) => s.name === name);
}

/** Notes in a SHT_NOTE section or PT_NOTE segment: name, type, descriptor (4-byte aligned). */
export function parseNotes(data: Buffer): Array<{ name: string; type: number; desc: Buffer }> {
  const out: Array<{ name: string; type: number; desc: Buffer }> = [];
  let at = 0;
  while (at + 12 <= data.length) {
    const namesz = data.readUInt32LE(at);
    const descsz = data.readUInt32LE(at + 4);
    const type = data.readUInt32LE(at + 8);
    const nameAt = at + 12;
    const descAt = nameAt + Math.ceil(namesz / 4) * 4;
    const next = descAt + Math.ceil(descsz / 4) * 4;
    if (descAt + descsz > data.length) break;
    const name = data.toString('latin1', nameAt, nameAt + Math.max(0, namesz - 1));
    out.push({ name, type, desc: data.subarray(descAt, descAt + descsz) });
    at = next;
  }
  return out;
}

function readBuildId(src: ByteSource, elf: ElfFile): string | null {
  const blobs: Buffer[] = [];
  for (const s of elf.sections) if (s.type === SHT_NOTE) blobs.push(sectionData(src, s));
  if (blobs.length === 0)
    for (const p of elf.segments)
      if (p.type === PT_NOTE && p.filesz < 1 << 20) blobs.push(src.read(p.offset, p.filesz));
  for (const blob of blobs)
    for (const n of parseNotes(blob))
      if (n.name === 'GNU' && n.type === NT_GNU_BUILD_ID && n.desc.length > 0) return n.desc.toString('hex');
  return null;
}

function readDebuglink(src: ByteSource, elf: ElfFile): ElfFile['debuglink'] {
  const s = findSection(elf, '.gnu_debuglink');
  if (!s) return null;
  const data = sectionData(src, s);
  const end = data.indexOf(0);
  if (end <= 0) return null;
  const crcAt = Math.ceil((end + 1) / 4) * 4;
  if (crcAt + 4 > data.length) return null;
  return { file: data.toString('latin1', 0, end), crc: data.readUInt32LE(crcAt) };
}

/** The symbols of one symbol table section (SHT_SYMTAB or SHT_DYNSYM), entry 0 left out. */
export function readSymbolTable(src: ByteSource, elf: ElfFile, table: ElfSection): ElfSymbol[] {
  const entsize = table.entsize || (elf.is64 ? 24 : 16);
  if (entsize < (elf.is64 ? 24 : 16)) throw new ElfError(`symbol entry size ${entsize} too small`);
  const data = sectionData(src, table);
  const strings = elf.sections[table.link];
  // The string table as one JS string: slicing it is much cheaper than a Buffer decode per name.
  const names = (strings ? sectionData(src, strings) : Buffer.alloc(0)).toString('latin1');
  const tableName = table.type === SHT_DYNSYM ? '.dynsym' : '.symtab';
  const out: ElfSymbol[] = [];
  for (let at = entsize; at + entsize <= data.length; at += entsize) {
    const nameOff = data.readUInt32LE(at);
    let info: number, shndx: number, value: number, size: number;
    if (elf.is64) {
      info = data[at + 4] ?? 0;
      shndx = data.readUInt16LE(at + 6);
      value = u64(data, at + 8);
      size = u64(data, at + 16);
    } else {
      value = data.readUInt32LE(at + 4);
      size = data.readUInt32LE(at + 8);
      info = data[at + 12] ?? 0;
      shndx = data.readUInt16LE(at + 14);
    }
    let name = '';
    if (nameOff < names.length) {
      const end = names.indexOf('\0', nameOff);
      name = names.slice(nameOff, end < 0 ? names.length : end);
      // latin1 keeps byte offsets; a name with UTF-8 in it (Rust, C++ identifiers) is re-read as such.
      if (/[\u0080-\u00ff]/.test(name)) name = Buffer.from(name, 'latin1').toString('utf8');
    }
    out.push({
      name,
      value,
      size,
      type: info & 0xf,
      bind: info >> 4,
      shndx,
      table: tableName,
    });
  }
  return out;
}

/** Every symbol of .symtab and .dynsym (either may be missing: a stripped file keeps .dynsym). */
export function readSymbols(src: ByteSource, elf: ElfFile): ElfSymbol[] {
  const out: ElfSymbol[] = [];
  for (const s of elf.sections)
    if (s.type === SHT_SYMTAB || s.type === SHT_DYNSYM) for (const sym of readSymbolTable(src, elf, s)) out.push(sym);
  return out;
}

/**
 * The link-time virtual address of a file offset, through the PT_LOAD segment holding it; null
 * when no segment maps that byte. A process address becomes a file offset through its mapping
 * (addr - start + offset in /proc/PID/maps); this turns it into the address symbols use.
 */
export function fileOffsetToVaddr(elf: ElfFile, offset: number): number | null {
  for (const p of elf.segments)
    if (p.type === PT_LOAD && offset >= p.offset && offset < p.offset + p.filesz) return offset - p.offset + p.vaddr;
  return null;
}

/** The file offset of a link-time virtual address (what a uprobe is attached at); null if unmapped. */
export function vaddrToFileOffset(elf: ElfFile, vaddr: number): number | null {
  for (const p of elf.segments)
    if (p.type === PT_LOAD && vaddr >= p.vaddr && vaddr < p.vaddr + p.filesz) return vaddr - p.vaddr + p.offset;
  return null;
}
