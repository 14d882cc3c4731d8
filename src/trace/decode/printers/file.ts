/** Arguments of the file and directory syscalls: ids, devices, directory entries, open_how, inotify. */
import * as F from '../../flags.js';
import * as FS from '../../flags-fs.js';
import { Cap } from '../../records.js';
import { quote } from '../quote.js';
import { hex, pack, type ArgType, type RetPrinter } from '../types.js';
import { makedevText } from './stat.js';

const u32 = (v: bigint) => Number(v & 0xffffffffn);

export const FILE_TYPES: Record<string, ArgType> = {
  /** A 64-bit file offset (loff_t), signed. */
  offset: { render: (a) => String(BigInt.asIntN(64, a.v)) },
  /** A uid or gid: unsigned, but (uid_t)-1 ("unchanged") as -1. */
  id: { render: (a) => (u32(a.v) === 0xffffffff ? '-1' : String(u32(a.v))) },
  /** getdents' buffer: its address and how many entries the kernel wrote to it. */
  dirents: {
    capture: () => pack(Cap.recordsOut, 0, 16),
    output: true,
    memory: true,
    render: (a) =>
      // A count of part of the buffer (truncated) would be wrong: the address alone then.
      a.failed || a.c!.truncated || a.c!.data.length < 4
        ? hex(a.v)
        : `${hex(a.v)} /* ${a.c!.data.readUInt32LE(0)} entries */`,
  },
  /** getcwd's buffer: the path the kernel wrote, NUL included in ret, not cut at -s. */
  cwd: {
    capture: () => pack(Cap.pathOut, 0, 0),
    output: true,
    memory: true,
    render: (a) => (a.failed ? hex(a.v) : quote(a.c!.data, a.c!.truncated)),
  },
  /** mknod's mode: the file type spelled out (S_IFCHR|0600). */
  modetype: { render: (a) => F.renderMode(u32(a.v), true) },
  /** A dev_t argument (mknod). */
  dev: { render: (a) => makedevText(a.v) },
  renameflags: { render: (a) => FS.renderFlagsDflt(u32(a.v), FS.RENAME_FLAGS, 'RENAME_??') },
  faccessflags: { render: (a) => FS.renderFlagsDflt(u32(a.v), FS.FACCESSAT_FLAGS, 'AT_???') },
  memfdflags: { render: (a) => FS.renderHugeFlags(u32(a.v), FS.MEMFD_FLAGS, 'MFD_HUGE_SHIFT') },
  inotify_init_flags: { render: (a) => FS.renderFlagsDflt(u32(a.v), FS.INOTIFY_INIT_FLAGS, 'IN_???') },
  inotify_mask: { render: (a) => FS.renderFlagsDflt(u32(a.v), FS.INOTIFY_MASK, 'IN_???') },
  /** openat2's struct open_how (read when its size, argument `param`, is at least 24). */
  open_how: {
    capture: () => pack(Cap.structIn, 0, 24),
    memory: true,
    render: (a) => {
      const d = a.c!.data;
      if (d.length < 24 || a.raw[a.param ?? 3]! < 24n) return hex(a.v);
      const flags = d.readBigUInt64LE(0);
      const mode = d.readBigUInt64LE(8);
      const withMode = (flags & 0o100n) !== 0n || (flags & 0o20200000n) === 0o20200000n || mode !== 0n;
      const flagsText = flags >> 32n ? hex(flags) : F.renderOpenFlags(Number(flags));
      const modeText = withMode ? `, mode=${mode >> 32n ? hex(mode) : F.renderMode(Number(mode), false)}` : '';
      const resolve = FS.renderFlagsDflt(d.readBigUInt64LE(16), FS.RESOLVE_FLAGS, 'RESOLVE_???');
      return `{flags=${flagsText}${modeText}, resolve=${resolve}}`;
    },
  },
};

export const FILE_RET: Record<string, RetPrinter> = {
  /** umask's previous mask, in octal like its argument. */
  octal: (ret) => (ret < 0n ? String(ret) : F.renderMode(Number(ret & 0xffffffffn), false)),
};
