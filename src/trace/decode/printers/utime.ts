/** File timestamps: utimensat's timespec[2] (UTIME_NOW/UTIME_OMIT), utimes' timeval[2], utimbuf. */
import { Cap } from '../../records.js';
import { hex, pack, type ArgType } from '../types.js';

const UTIME_NOW = (1n << 30n) - 1n;
const UTIME_OMIT = (1n << 30n) - 2n;

/**
 * strace's ` /* 2020-09-13T12:26:40.000000005+0000 *\/` comment: local time, the fraction only
 * when not 0, none for the epoch itself or an out-of-range fraction.
 */
export function timeComment(sec: bigint, part: bigint, max: bigint, width: number): string {
  if ((sec === 0n && part === 0n) || part > max || part < 0n) return '';
  const ms = Number(sec) * 1000;
  const d = new Date(ms);
  if (!Number.isFinite(ms) || Number.isNaN(d.getTime())) return '';
  const off = -d.getTimezoneOffset();
  const p2 = (v: number) => String(v).padStart(2, '0');
  const date = `${String(d.getFullYear()).padStart(4, '0')}-${p2(d.getMonth() + 1)}-${p2(d.getDate())}`;
  const time = `${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}`;
  const frac = part > 0n ? `.${part.toString().padStart(width, '0')}` : '';
  const zone = `${off < 0 ? '-' : '+'}${p2(Math.floor(Math.abs(off) / 60))}${p2(Math.abs(off) % 60)}`;
  return ` /* ${date}T${time}${frac}${zone} */`;
}

function timespecUtime(d: Buffer, at: number): string {
  const sec = d.readBigInt64LE(at);
  const nsec = d.readBigInt64LE(at + 8);
  if (nsec === UTIME_NOW) return 'UTIME_NOW';
  if (nsec === UTIME_OMIT) return 'UTIME_OMIT';
  return `{tv_sec=${sec}, tv_nsec=${BigInt.asUintN(64, nsec)}}${timeComment(sec, nsec, 999999999n, 9)}`;
}

function timeval(d: Buffer, at: number): string {
  const sec = d.readBigInt64LE(at);
  const usec = d.readBigInt64LE(at + 8);
  return `{tv_sec=${sec}, tv_usec=${BigInt.asUintN(64, usec)}}${timeComment(sec, usec, 999999n, 6)}`;
}

const pair = (item: (d: Buffer, at: number) => string): ArgType => ({
  capture: () => pack(Cap.structIn, 0, 32),
  memory: true,
  render: (a) => (a.c!.data.length >= 32 ? `[${item(a.c!.data, 0)}, ${item(a.c!.data, 16)}]` : hex(a.v)),
});

export const UTIME_TYPES: Record<string, ArgType> = {
  /** utimensat's times. */
  timespec_utime: pair(timespecUtime),
  /** utimes' and futimesat's times. */
  timeval_pair: pair(timeval),
  /** utime's struct utimbuf. */
  utimbuf: {
    capture: () => pack(Cap.structIn, 0, 16),
    memory: true,
    render: (a) => {
      const d = a.c!.data;
      if (d.length < 16) return hex(a.v);
      const t = (v: bigint) => `${v}${timeComment(v, 0n, 0n, 0)}`;
      return `{actime=${t(d.readBigInt64LE(0))}, modtime=${t(d.readBigInt64LE(8))}}`;
    },
  },
};
