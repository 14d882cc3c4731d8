/**
 * fcntl: the command, its third argument (whose type the command decides: an fd number, FD_ or
 * O_ flags, struct flock, struct f_owner_ex, a signal, a lease, DN_ or F_SEAL_ flags) and the
 * return value (`0x8002 (flags O_RDWR|O_LARGEFILE)` for F_GETFL). Checked against strace 6.
 */
import * as F from '../../flags.js';
import { Cap, type Capture } from '../../records.js';
import { signalName } from '../../signals.js';
import { hex, i32, pack, type ArgCtx, type ArgType, type RetPrinter } from '../types.js';
import { flags, xval } from '../xlat.js';
import { fdText } from './fd.js';

export const FCNTL_CMDS: F.FlagTable = [
  [0, 'F_DUPFD'],
  [1, 'F_GETFD'],
  [2, 'F_SETFD'],
  [3, 'F_GETFL'],
  [4, 'F_SETFL'],
  [5, 'F_GETLK'],
  [6, 'F_SETLK'],
  [7, 'F_SETLKW'],
  [8, 'F_SETOWN'],
  [9, 'F_GETOWN'],
  [10, 'F_SETSIG'],
  [11, 'F_GETSIG'],
  [12, 'F_GETLK64'],
  [13, 'F_SETLK64'],
  [14, 'F_SETLKW64'],
  [15, 'F_SETOWN_EX'],
  [16, 'F_GETOWN_EX'],
  [17, 'F_GETOWNER_UIDS'],
  [36, 'F_OFD_GETLK'],
  [37, 'F_OFD_SETLK'],
  [38, 'F_OFD_SETLKW'],
  [1024, 'F_SETLEASE'],
  [1025, 'F_GETLEASE'],
  [1026, 'F_NOTIFY'],
  [1029, 'F_CANCELLK'],
  [1030, 'F_DUPFD_CLOEXEC'],
  [1031, 'F_SETPIPE_SZ'],
  [1032, 'F_GETPIPE_SZ'],
  [1033, 'F_ADD_SEALS'],
  [1034, 'F_GET_SEALS'],
];

const FD_FLAGS: F.FlagTable = [[1, 'FD_CLOEXEC']];
const LOCK_TYPES: F.FlagTable = [
  [0, 'F_RDLCK'],
  [1, 'F_WRLCK'],
  [2, 'F_UNLCK'],
];
const OWNER_TYPES: F.FlagTable = [
  [0, 'F_OWNER_TID'],
  [1, 'F_OWNER_PID'],
  [2, 'F_OWNER_PGRP'],
];
const DN_FLAGS: F.FlagTable = [
  [0x1, 'DN_ACCESS'],
  [0x2, 'DN_MODIFY'],
  [0x4, 'DN_CREATE'],
  [0x8, 'DN_DELETE'],
  [0x10, 'DN_RENAME'],
  [0x20, 'DN_ATTRIB'],
  [0x80000000, 'DN_MULTISHOT'],
];
const SEALS: F.FlagTable = [
  [0x1, 'F_SEAL_SEAL'],
  [0x2, 'F_SEAL_SHRINK'],
  [0x4, 'F_SEAL_GROW'],
  [0x8, 'F_SEAL_WRITE'],
  [0x10, 'F_SEAL_FUTURE_WRITE'],
];

/** Commands whose only arguments are the fd and the command. */
const NO_ARG = new Set([1, 3, 9, 11, 1025, 1032, 1034]);
const SETLK = new Set([6, 7, 37, 38]);
const GETLK = new Set([5, 36]);

/** The command as the kernel reads it (an unsigned int). */
const cmdOf = (raw: bigint[]): number => Number((raw[1] ?? 0n) & 0xffffffffn);

export const fcntlShown = (raw: bigint[]): number => (NO_ARG.has(cmdOf(raw)) ? 2 : 3);

/** struct flock (x86_64: short l_type, short l_whence, off_t l_start, off_t l_len, pid_t l_pid). */
function flockText(d: Buffer, withPid: boolean): string {
  const type = xval(d.readInt16LE(0) & 0xffff, LOCK_TYPES, 'F_???');
  const whence = xval(d.readInt16LE(2) & 0xffff, F.SEEK_WHENCE, 'SEEK_???');
  const pid = withPid ? `, l_pid=${d.readInt32LE(24)}` : '';
  return `{l_type=${type}, l_whence=${whence}, l_start=${d.readBigInt64LE(8)}, l_len=${d.readBigInt64LE(16)}${pid}}`;
}

const ownerText = (d: Buffer): string =>
  `{type=${xval(d.readUInt32LE(0), OWNER_TYPES, 'F_OWNER_???')}, pid=${d.readInt32LE(4)}}`;

/** The capture of argument 2 in one phase (entry 0, exit 1), if it was read whole. */
function struct(a: ArgCtx, phase: 0 | 1, size: number): Buffer | undefined {
  const c = a.captures.find((c: Capture) => c.arg === a.i && c.phase === phase && c.kind === Cap.structInOut);
  return c && !c.fault && c.data.length >= size ? c.data : undefined;
}

/** A pointer argument: its struct, else NULL or the address (a fault, a failed getter). */
function pointed(a: ArgCtx, phase: 0 | 1, size: number, text: (d: Buffer) => string): string {
  if (a.v === 0n) return 'NULL';
  if (phase === 1 && (a.ret === null || a.failed)) return hex(a.v);
  const d = struct(a, phase, size);
  return d ? text(d) : hex(a.v);
}

function fcntlArg(a: ArgCtx): string {
  const cmd = cmdOf(a.raw);
  const u32 = Number(a.v & 0xffffffffn);
  switch (cmd) {
    case 0:
    case 1030:
      return String(BigInt.asIntN(64, a.v));
    case 2:
      return flags(u32, FD_FLAGS, 'FD_???');
    case 4:
      return F.renderOpenFlags(u32);
    case 8:
    case 1031:
      return String(i32(a.v));
    case 10:
      return u32 > 0 && u32 <= 64 ? signalName(u32) : String(u32);
    case 1024:
      return xval(u32, LOCK_TYPES, 'F_???');
    case 1026:
      return flags(u32, DN_FLAGS, 'DN_???');
    case 1033:
      return flags(u32, SEALS, 'F_SEAL_???');
    case 15:
      return pointed(a, 0, 8, ownerText);
    case 16:
      return pointed(a, 1, 8, ownerText);
    default:
      if (SETLK.has(cmd)) return pointed(a, 0, 32, (d) => flockText(d, false));
      if (GETLK.has(cmd)) return pointed(a, 1, 32, (d) => flockText(d, true));
      return a.v === 0n ? '0' : hex(a.v);
  }
}

export const FCNTL_TYPES: Record<string, ArgType> = {
  /** Also recorded at exit: the return printer needs it. */
  fcntlcmd: { capture: () => pack(Cap.argExit, 0, 0), render: (a) => xval(cmdOf(a.raw), FCNTL_CMDS, 'F_???') },
  /** Captured whole at entry and exit (harmless when it is a number): the command decides. */
  fcntlarg: { capture: () => pack(Cap.structInOut, 0, 32), render: fcntlArg },
};

/** `0x1 (flags FD_CLOEXEC)`, `10 (SIGUSR1)`, an fd for F_DUPFD: by the command, from its capture. */
export const FCNTL_RET: Record<string, RetPrinter> = {
  fcntl: (ret, a) => {
    const c = a.captures.find((c) => c.kind === Cap.argExit && c.arg === 1 && c.data.length >= 8);
    if (!c || a.failed) return String(ret);
    const cmd = Number(c.data.readBigUInt64LE(0) & 0xffffffffn);
    const r = Number(ret);
    switch (cmd) {
      case 0:
      case 1030:
        return fdText(
          r,
          a.ctx.pid,
          a.ctx.showPaths,
          a.captures.find((c) => c.kind === Cap.fdPathRet),
        );
      case 1:
        return r === 0 ? '0' : `${hex(ret)} (flags ${flags(r, FD_FLAGS, 'FD_???')})`;
      case 3:
        return `${r === 0 ? '0' : hex(ret)} (flags ${F.renderOpenFlags(r)})`;
      case 11:
        return r > 0 && r <= 64 ? `${r} (${signalName(r)})` : String(ret);
      case 1025:
        return `${r === 0 ? '0' : hex(ret)} (${xval(r, LOCK_TYPES, 'F_???')})`;
      case 1034:
        return r === 0 ? '0' : `${hex(ret)} (seals ${flags(r, SEALS, 'F_SEAL_???')})`;
      default:
        return String(ret);
    }
  },
};
