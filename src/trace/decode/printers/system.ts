/** The system as a whole: struct utsname (uname), struct sysinfo. */
import { Cap } from '../../records.js';
import { quote } from '../quote.js';
import { hex, pack, type ArgCtx, type ArgType } from '../types.js';

const UTS_FIELD = 65;

/** strace without -v: `{sysname="Linux", nodename="vm", ...}`. */
function utsnameText(a: ArgCtx): string {
  const d = a.c!.data;
  if (d.length < 2 * UTS_FIELD) return hex(a.v);
  const field = (i: number) => {
    const f = d.subarray(i * UTS_FIELD, (i + 1) * UTS_FIELD);
    const nul = f.indexOf(0);
    return quote(nul >= 0 ? f.subarray(0, nul) : f, false);
  };
  return `{sysname=${field(0)}, nodename=${field(1)}, ...}`;
}

/** struct sysinfo: every field, loads as an array. */
function sysinfoText(a: ArgCtx): string {
  const d = a.c!.data;
  if (d.length < 112) return hex(a.v);
  const u = (at: number) => d.readBigUInt64LE(at);
  return (
    `{uptime=${d.readBigInt64LE(0)}, loads=[${u(8)}, ${u(16)}, ${u(24)}], totalram=${u(32)}, freeram=${u(40)}, ` +
    `sharedram=${u(48)}, bufferram=${u(56)}, totalswap=${u(64)}, freeswap=${u(72)}, procs=${d.readUInt16LE(80)}, ` +
    `totalhigh=${u(88)}, freehigh=${u(96)}, mem_unit=${d.readUInt32LE(104)}}`
  );
}

export const SYSTEM_TYPES: Record<string, ArgType> = {
  utsname_out: { capture: () => pack(Cap.structOut, 0, 390), output: true, memory: true, render: utsnameText },
  sysinfo_out: { capture: () => pack(Cap.structOut, 0, 112), output: true, memory: true, render: sysinfoText },
};
