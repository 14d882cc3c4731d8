/** mount(2) and friends: which of mount's pointers strace reads depends on its flags. */
import { AT_FLAGS, renderFlags } from '../../flags.js';
import * as FS from '../../flags-fs.js';
import { Cap } from '../../records.js';
import { quote } from '../quote.js';
import { fdPathText, fdText } from './fd.js';
import { hex, i32, pack, type ArgCtx, type ArgType } from '../types.js';

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
  fsopen_flags: { render: (a) => FS.renderFlagsDflt(Number(a.v & 0xffffffffn), FS.FSOPEN_FLAGS, 'FSOPEN_???') },
  fsmount_flags: { render: (a) => FS.renderFlagsDflt(Number(a.v & 0xffffffffn), FS.FSMOUNT_FLAGS, 'FSMOUNT_???') },
  fsmount_attrs: { render: (a) => FS.renderFlagsDflt(Number(a.v & 0xffffffffn), FS.FSMOUNT_ATTRS, 'MOUNT_ATTR_???') },
  fspick_flags: { render: (a) => FS.renderFlagsDflt(Number(a.v & 0xffffffffn), FS.FSPICK_FLAGS, 'FSPICK_???') },
  move_mount_flags: {
    render: (a) => FS.renderFlagsDflt(Number(a.v & 0xffffffffn), FS.MOVE_MOUNT_FLAGS, 'MOVE_MOUNT_???'),
  },
  /** open_tree's flags: OPEN_TREE_* then the AT_* ones. */
  open_tree_flags: {
    render: (a) => {
      const v = Number(a.v & 0xffffffffn);
      const own = v & (1 | 0o2000000);
      const rest = (v & ~(1 | 0o2000000)) >>> 0;
      const parts = [
        own ? renderFlags(own, FS.OPEN_TREE_FLAGS) : '',
        rest ? FS.renderFlagsDflt(rest, AT_FLAGS, 'AT_???') : '',
      ];
      return parts.filter(Boolean).join('|') || '0';
    },
  },
  fsconfig_cmd: { render: (a) => FS.renderEnumDflt(Number(a.v & 0xffffffffn), FS.FSCONFIG_CMDS, 'FSCONFIG_???') },
  /** fsconfig's key: a string for the FSCONFIG_SET_* commands, else the pointer. */
  fsconfig_key: {
    capture: () => pack(Cap.str, 0, 0),
    render: (a) => {
      if (a.v === 0n) return 'NULL';
      return fsconfigCmd(a) <= 5 && a.c ? quote(a.c.data, a.c.truncated) : hex(a.v);
    },
  },
  /**
   * fsconfig's value: a string (SET_STRING), a path (SET_PATH*: not cut at -s by strace, so a
   * truncated read prints the pointer), else the pointer (SET_BINARY's hex bytes: not read).
   */
  fsconfig_value: {
    capture: () => pack(Cap.str, 0, 0),
    render: (a) => {
      if (a.v === 0n) return 'NULL';
      const cmd = fsconfigCmd(a);
      if (!a.c || (cmd !== 1 && cmd !== 3 && cmd !== 4)) return hex(a.v);
      if (cmd !== 1 && a.c.truncated) return hex(a.v);
      return quote(a.c.data, a.c.truncated);
    },
  },
  /**
   * fsconfig's aux: a dirfd for SET_PATH*, an fd for SET_FD, else a number. Its path is read at
   * the stop (the engine's fd-path capture) even without -y: only the command says it is an fd.
   */
  fsconfig_aux: {
    capture: () => pack(Cap.fdPath, 0, 0),
    render: (a) => {
      const cmd = fsconfigCmd(a);
      const v = i32(a.v);
      if (cmd < 3 || cmd > 5) return String(v);
      if ((cmd === 3 || cmd === 4) && v === -100) {
        const c = a.c && !a.c.fault && a.ctx.showPaths ? a.c : undefined;
        return c ? `AT_FDCWD${fdPathText(c.data, c.deleted)}` : 'AT_FDCWD';
      }
      return a.c ? fdText(v, a.ctx.pid, a.ctx.showPaths, a.c) : String(v);
    },
  },
};

function fsconfigCmd(a: ArgCtx): number {
  return Number((a.raw[1] ?? 0n) & 0xffffffffn);
}
