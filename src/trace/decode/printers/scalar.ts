/** Plain numbers, addresses and the return printers that need no memory. */
import { renderMode } from '../../flags.js';
import { hex, i32, i64, ptr, type ArgType, type RetPrinter } from '../types.js';

/** Syscalls whose `int` arguments are 64-bit offsets (loff_t), printed signed. */
const OFFSET_SYSCALLS = new Set(['lseek', 'pread64', 'pwrite64']);

export const SCALAR_TYPES: Record<string, ArgType> = {
  int: { render: (a) => String(OFFSET_SYSCALLS.has(a.name) ? i64(a.v) : i32(a.v)) },
  uint: { render: (a) => String(a.v) },
  hex: { render: (a) => (a.v === 0n ? '0' : hex(a.v)) },
  ptr: { render: (a) => ptr(a.v) },
};

export const SCALAR_RET: Record<string, RetPrinter> = {
  int: (ret) => String(ret),
  hex: (ret) => hex(BigInt.asUintN(64, ret)),
  /** umask's old mask, octal as strace prints it (`umask(077) = 022`). */
  mode: (ret) => renderMode(Number(ret), false),
};
