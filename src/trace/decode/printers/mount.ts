/** mount(2) and friends: which of mount's pointers strace reads depends on its flags. */
import * as FS from '../../flags-fs.js';
import { Cap } from '../../records.js';
import { quote } from '../quote.js';
import { hex, pack, type ArgCtx, type ArgType } from '../types.js';

const MS_MGC_MSK = 0xffff0000n;
const MS_MGC_VAL = 0xc0ed0000n;
const MS_REMOUNT = 32n;
/** MS_BIND | MS_MOVE | MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE. */
const MS_NO_TYPE_NO_DATA = 4096n | 8192n | (1n << 20n) | (1n << 18n) | (1n << 19n) | (1n << 17n);

function mountFlags(raw: bigint[]): bigint {
  const f = raw[3] ?? 0n;
  return (f & MS_MGC_MSK) === MS_MGC_VAL ? f & ~MS_MGC_MSK : f;
}

/** A string strace prints unless `ignored` says it prints the pointer. */
const maybeStr = (ignored: (f: bigint) => boolean): ArgType => ({
  capture: () => pack(Cap.str, 0, 0),
  render: (a: ArgCtx) => {
    if (a.v === 0n) return 'NULL';
    if (ignored(mountFlags(a.raw)) || !a.c) return hex(a.v);
    return quote(a.c.data, a.c.truncated);
  },
});

export const MOUNT_TYPES: Record<string, ArgType> = {
  mount_fstype: maybeStr((f) => (f & MS_REMOUNT) !== 0n || (f & MS_NO_TYPE_NO_DATA) !== 0n),
  mount_data: maybeStr((f) => (f & MS_REMOUNT) === 0n && (f & MS_NO_TYPE_NO_DATA) !== 0n),
  mount_flags: {
    render: (a) => {
      const magic = (a.v & MS_MGC_MSK) === MS_MGC_VAL;
      const f = magic ? a.v & ~MS_MGC_MSK : a.v;
      if (!magic) return FS.renderFlagsDflt(f, FS.MOUNT_FLAGS, 'MS_???');
      return f ? `MS_MGC_VAL|${FS.renderFlagsDflt(f, FS.MOUNT_FLAGS, 'MS_???')}` : 'MS_MGC_VAL';
    },
  },
  umount_flags: { render: (a) => FS.renderFlagsDflt(Number(a.v & 0xffffffffn), FS.UMOUNT_FLAGS, 'MNT_???') },
  /** swapon's flags: the flag bits, then the priority. */
  swap_flags: {
    render: (a) => {
      const v = Number(a.v & 0xffffffffn);
      const prio = v & 0x7fff;
      const flags = v & ~0x7fff;
      return flags ? `${FS.renderFlagsDflt(flags >>> 0, FS.SWAP_FLAGS, 'SWAP_FLAG_???')}|${prio}` : String(prio);
    },
  },
  userfaultfd_flags: {
    render: (a) => FS.renderFlagsDflt(Number(a.v & 0xffffffffn), FS.USERFAULTFD_FLAGS, 'UFFD_???'),
  },
  /** memfd_secret's flags (O_CLOEXEC). */
  cloexec_flags: { render: (a) => FS.renderFlagsDflt(Number(a.v & 0xffffffffn), [[0o2000000, 'O_CLOEXEC']], 'O_???') },
};
