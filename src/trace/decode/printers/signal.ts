/** Signals: numbers, sets (sigset_t), sigaction, sigprocmask's how. */
import * as F from '../../flags.js';
import { Cap } from '../../records.js';
import { signalName } from '../../signals.js';
import { hex, i32, pack, type ArgType } from '../types.js';

export function sigsetText(data: Buffer): string {
  const mask = data.readBigUInt64LE(0);
  const names: string[] = [];
  let count = 0;
  for (let s = 1; s <= 64; s++) if (mask & (1n << BigInt(s - 1))) count++;
  const inverse = count > 32;
  for (let s = 1; s <= 64; s++) {
    const set = (mask & (1n << BigInt(s - 1))) !== 0n;
    if (set !== inverse) {
      if ((s === 9 || s === 19) && inverse) continue;
      names.push(signalName(s).replace(/^SIG/, ''));
    }
  }
  return `${inverse ? '~' : ''}[${names.join(' ')}]`;
}

function sigactionText(d: Buffer, v: bigint): string {
  if (d.length < 32) return hex(v);
  const h = d.readBigUInt64LE(0);
  const handler = h === 0n ? 'SIG_DFL' : h === 1n ? 'SIG_IGN' : hex(h);
  const flags = Number(d.readBigUInt64LE(8) & 0xffffffffn);
  const restorer = flags & 0x04000000 ? `, sa_restorer=${hex(d.readBigUInt64LE(16))}` : '';
  return `{sa_handler=${handler}, sa_mask=${sigsetText(d.subarray(24, 32))}, sa_flags=${F.renderFlags(flags, F.SA_FLAGS)}${restorer}}`;
}

const sigset = (a: { c?: { data: Buffer }; v: bigint }) => (a.c!.data.length >= 8 ? sigsetText(a.c!.data) : hex(a.v));

export const SIGNAL_TYPES: Record<string, ArgType> = {
  signal: { render: (a) => (i32(a.v) > 0 && i32(a.v) <= 64 ? signalName(i32(a.v)) : String(i32(a.v))) },
  sighow: { render: (a) => F.renderEnum(Number(a.v), F.SIGPROCMASK_HOW) },
  sigset: { capture: () => pack(Cap.structIn, 0, 8), memory: true, render: sigset },
  sigset_out: { capture: () => pack(Cap.structOut, 0, 8), output: true, memory: true, render: sigset },
  sigaction: { capture: () => pack(Cap.structIn, 0, 32), memory: true, render: (a) => sigactionText(a.c!.data, a.v) },
  sigaction_out: {
    capture: () => pack(Cap.structOut, 0, 32),
    output: true,
    memory: true,
    render: (a) => sigactionText(a.c!.data, a.v),
  },
};
