/** Clocks and time structs. */
import * as F from '../../flags.js';
import { Cap } from '../../records.js';
import { hex, pack, type ArgType } from '../types.js';

export function timespecText(d: Buffer): string {
  return `{tv_sec=${d.readBigInt64LE(0)}, tv_nsec=${d.readBigInt64LE(8)}}`;
}

const timespec: ArgType['render'] = (a) => (a.c!.data.length >= 16 ? timespecText(a.c!.data) : hex(a.v));

export const TIME_TYPES: Record<string, ArgType> = {
  clockid: { render: (a) => F.renderEnum(Number(a.v), F.CLOCKS) },
  timespec: { capture: () => pack(Cap.structIn, 0, 16), memory: true, render: timespec },
  timespec_out: { capture: () => pack(Cap.structOut, 0, 16), output: true, memory: true, render: timespec },
};
