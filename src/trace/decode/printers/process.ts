/** Processes and threads: clone flags, clone3's struct, wait statuses, futex operations. */
import * as F from '../../flags.js';
import { Cap } from '../../records.js';
import { signalName } from '../../signals.js';
import { hex, i64, pack, ptr, type ArgType } from '../types.js';

export function wstatusText(v: number): string {
  const sig = v & 0x7f;
  if (sig === 0) return `[{WIFEXITED(s) && WEXITSTATUS(s) == ${(v >> 8) & 0xff}}]`;
  if (sig === 0x7f) return `[{WIFSTOPPED(s) && WSTOPSIG(s) == ${signalName((v >> 8) & 0xff)}}]`;
  return `[{WIFSIGNALED(s) && WTERMSIG(s) == ${signalName(sig)}${v & 0x80 ? ' && WCOREDUMP(s)' : ''}}]`;
}

export const PROCESS_TYPES: Record<string, ArgType> = {
  clone: {
    render: (a) => {
      const flags = Number(a.v & 0xffffffffn);
      const sig = flags & 0xff;
      const text = F.renderFlags(flags & ~0xff, F.CLONE_FLAGS, '');
      const parts = [text, sig ? signalName(sig) : ''].filter(Boolean).join('|');
      return `flags=${parts || '0'}`;
    },
  },
  clone3args: {
    capture: () => pack(Cap.structIn, 0, 64),
    memory: true,
    render: (a) => {
      const d = a.c!.data;
      if (d.length < 64) return hex(a.v);
      const flags = Number(d.readBigUInt64LE(0) & 0xffffffffn);
      const sig = Number(d.readBigUInt64LE(32));
      return `{flags=${F.renderFlags(flags, F.CLONE_FLAGS)}, exit_signal=${sig ? signalName(sig) : '0'}, stack=${ptr(d.readBigUInt64LE(40))}, stack_size=${hex(d.readBigUInt64LE(48))}}`;
    },
  },
  wstatus: {
    capture: () => pack(Cap.structOut, 0, 4),
    output: true,
    memory: true,
    render: (a) =>
      a.c!.data.length >= 4 && a.ret !== null && i64(a.ret) > 0n ? wstatusText(a.c!.data.readInt32LE(0)) : hex(a.v),
  },
  futexop: { render: (a) => F.renderFutexOp(Number(a.v)) },
};
