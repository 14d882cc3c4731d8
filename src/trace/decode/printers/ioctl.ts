/**
 * ioctl: the request as strace names it (ioctl-names.ts, generated with strace as the oracle;
 * unknown requests as `_IOC(_IOC_READ, 0x5a, 0x1, 0x10)`) and the third argument: decoded for
 * the requests strace decodes by default that programs commonly make (terminals, FIO*, file
 * flags), else printed as strace prints it undecoded (hex, decimal, an address, or not at all).
 */
import { Cap, type Capture } from '../../records.js';
import { IOCTL_NAMES_TEXT } from '../ioctl-names.js';
import { quote } from '../quote.js';
import { hex, pack, type ArgCtx, type ArgType } from '../types.js';
import { flags, xval } from '../xlat.js';
import type { FlagTable } from '../../flags.js';
import { IFREQ_SIZE, ifreqDecoded, ifreqText } from './ifreq.js';
import { TERMIO_SIZE, termioText, TERMIOS_SIZE, termiosText, WINSIZE_SIZE, winsizeText } from './termios.js';

type ArgStyle = 'n' | 'x' | 'd' | 'p' | 'o';
const NAMES = new Map<number, { name: string; arg: ArgStyle }>();
for (const line of IOCTL_NAMES_TEXT.split('\n')) {
  const m = /^([0-9a-f]+) ([nxdpo]) (.+)$/.exec(line);
  if (m) NAMES.set(Number.parseInt(m[1]!, 16), { name: m[3]!, arg: m[2] as ArgStyle });
}

/** The request as the kernel reads it (an unsigned int). */
const reqOf = (raw: bigint[]): number => Number((raw[1] ?? 0n) & 0xffffffffn);

const DIRS = ['_IOC_NONE', '_IOC_WRITE', '_IOC_READ', '_IOC_READ|_IOC_WRITE'];
const h = (v: number): string => (v === 0 ? '0' : `0x${v.toString(16)}`);

export function ioctlRequestText(code: number): string {
  const known = NAMES.get(code);
  if (known) return known.name;
  return `_IOC(${DIRS[code >>> 30]}, ${h((code >> 8) & 0xff)}, ${h(code & 0xff)}, ${h((code >> 16) & 0x3fff)})`;
}

const FS_FLAGS: FlagTable = [
  'SECRM UNRM COMPR SYNC IMMUTABLE APPEND NODUMP NOATIME DIRTY COMPRBLK NOCOMP ENCRYPT INDEX IMAGIC',
  'JOURNAL_DATA NOTAIL DIRSYNC TOPDIR HUGE_FILE EXTENT VERITY EA_INODE EOFBLOCKS NOCOW',
]
  .join(' ')
  .split(' ')
  .map((n, i) => [1 << i, `FS_${n}_FL`] as const)
  .concat([
    [0x2000000, 'FS_DAX_FL'],
    [0x10000000, 'FS_INLINE_DATA_FL'],
    [0x20000000, 'FS_PROJINHERIT_FL'],
    [0x40000000, 'FS_CASEFOLD_FL'],
    [0x80000000, 'FS_RESERVED_FL'],
  ]);
const FLUSH_QUEUES: FlagTable = [
  [0, 'TCIFLUSH'],
  [1, 'TCOFLUSH'],
  [2, 'TCIOFLUSH'],
];
const FLOW_ACTIONS: FlagTable = [
  [0, 'TCOOFF'],
  [1, 'TCOON'],
  [2, 'TCIOFF'],
  [3, 'TCION'],
];

/** A decoded pointer argument: read at entry (`in`, printed even when the call fails) or exit. */
interface Pointed {
  phase: 0 | 1;
  size: number;
  text(d: Buffer): string;
}
const int = (d: Buffer): string => `[${d.readInt32LE(0)}]`;
/** A block range, u64 start and length: `[0, 4096]`. */
const range = (d: Buffer): string => `[${d.readBigUInt64LE(0)}, ${d.readBigUInt64LE(8)}]`;
const fsflags = (d: Buffer): string => `[${flags(d.readUInt32LE(0), FS_FLAGS, 'FS_???_FL')}]`;
/** A number of the given width the request reads or writes: `[8388608]`. */
const num = (phase: 0 | 1, size: 2 | 4 | 8, signed: boolean): Pointed => ({
  phase,
  size,
  text: (d) => {
    const v =
      size === 2
        ? signed
          ? d.readInt16LE(0)
          : d.readUInt16LE(0)
        : size === 4
          ? signed
            ? d.readInt32LE(0)
            : d.readUInt32LE(0)
          : signed
            ? d.readBigInt64LE(0)
            : d.readBigUInt64LE(0);
    return `[${v}]`;
  },
});
const inInt: Pointed = { phase: 0, size: 4, text: int };
const outInt: Pointed = { phase: 1, size: 4, text: int };
const termiosIn: Pointed = { phase: 0, size: TERMIOS_SIZE, text: termiosText };
const termiosOut: Pointed = { phase: 1, size: TERMIOS_SIZE, text: termiosText };
const termioIn: Pointed = { phase: 0, size: TERMIO_SIZE, text: termioText };

const POINTED = new Map<number, Pointed>([
  [0x5401, termiosOut], // TCGETS
  [0x5402, termiosIn], // TCSETS
  [0x5403, termiosIn], // TCSETSW
  [0x5404, termiosIn], // TCSETSF
  [0x5405, { phase: 1, size: TERMIO_SIZE, text: termioText }], // TCGETA
  [0x5406, termioIn], // TCSETA
  [0x5407, termioIn], // TCSETAW
  [0x5408, termioIn], // TCSETAF
  [0x5456, termiosOut], // TIOCGLCKTRMIOS
  [0x5457, termiosIn], // TIOCSLCKTRMIOS
  [0x5413, { phase: 1, size: WINSIZE_SIZE, text: winsizeText }], // TIOCGWINSZ
  [0x5414, { phase: 0, size: WINSIZE_SIZE, text: winsizeText }], // TIOCSWINSZ
  [0x540f, outInt], // TIOCGPGRP
  [0x5410, inInt], // TIOCSPGRP
  [0x5429, outInt], // TIOCGSID
  [0x541b, outInt], // FIONREAD (TIOCINQ)
  [0x5411, outInt], // TIOCOUTQ
  [0x5421, inInt], // FIONBIO
  [0x5452, inInt], // FIOASYNC
  [0x5420, inInt], // TIOCPKT
  [0x5424, outInt], // TIOCGETD
  [0x5423, inInt], // TIOCSETD
  [0x80045430, outInt], // TIOCGPTN
  [0x40045431, inInt], // TIOCSPTLCK
  [0x80045440, outInt], // TIOCGEXCL
  [0x80045432, outInt], // TIOCGDEV
  [0x5412, { phase: 0, size: 1, text: (d) => quote(d.subarray(0, 1), false) }], // TIOCSTI
  [0x80081272, num(1, 8, false)], // BLKGETSIZE64
  [0x1260, num(1, 8, false)], // BLKGETSIZE
  [0x1263, num(1, 8, true)], // BLKRAGET
  [0x1265, num(1, 8, true)], // BLKFRAGET
  [0x1268, outInt], // BLKSSZGET
  [0x80081270, outInt], // BLKBSZGET
  [0x127a, outInt], // BLKALIGNOFF
  [0x125e, outInt], // BLKROGET
  [0x127b, num(1, 4, false)], // BLKPBSZGET
  [0x1278, num(1, 4, false)], // BLKIOMIN
  [0x1279, num(1, 4, false)], // BLKIOOPT
  [0x127c, num(1, 4, false)], // BLKDISCARDZEROES
  [0x127e, num(1, 2, false)], // BLKROTATIONAL
  [0x1267, num(1, 2, false)], // BLKSECTGET
  [0x40081271, inInt], // BLKBSZSET
  [0x125d, inInt], // BLKROSET
  [0x1277, { phase: 0, size: 16, text: range }], // BLKDISCARD
  [0x127f, { phase: 0, size: 16, text: range }], // BLKZEROOUT
  [0x127d, { phase: 0, size: 16, text: range }], // BLKSECDISCARD
  [0x80086601, { phase: 1, size: 4, text: fsflags }], // FS_IOC_GETFLAGS
  [0x40086602, { phase: 0, size: 4, text: fsflags }], // FS_IOC_SETFLAGS
  [0x80046601, { phase: 1, size: 4, text: fsflags }], // FS_IOC32_GETFLAGS
  [0x40046602, { phase: 0, size: 4, text: fsflags }], // FS_IOC32_SETFLAGS
]);

/** Requests whose argument is a value strace names. */
const BY_VALUE = new Map<number, (v: number) => string>([
  [0x540b, (v) => xval(v, FLUSH_QUEUES, 'TC???')], // TCFLSH
  [0x540a, (v) => xval(v, FLOW_ACTIONS, 'TC???')], // TCXONC
]);

/** The largest struct read for any request: the capture reads this much, speculatively. */
const CAPTURE_SIZE = Math.max(IFREQ_SIZE, ...[...POINTED.values()].map((p) => p.size));

function pointedText(a: ArgCtx, p: Pointed): string {
  if (a.v === 0n) return 'NULL';
  if (p.phase === 1 && (a.ret === null || a.failed)) return hex(a.v);
  const c = a.captures.find((c: Capture) => c.arg === a.i && c.phase === p.phase && c.kind === Cap.structInOut);
  // A short read is a fault for a big struct, yet may hold a whole small one (an int at a page end).
  return c && c.data.length >= p.size ? p.text(c.data) : hex(a.v);
}

/** struct ifreq: in at entry, the kernel's field at exit. */
function ifreqArg(a: ArgCtx, req: number): string {
  if (a.v === 0n) return 'NULL';
  const at = (phase: 0 | 1) =>
    a.captures.find((c: Capture) => c.arg === a.i && c.phase === phase && c.kind === Cap.structInOut)?.data;
  const entry = at(0);
  const exit = a.ret !== null && !a.failed ? at(1) : undefined;
  return (entry && ifreqText(req, entry, exit)) ?? hex(a.v);
}

function ioctlArg(a: ArgCtx): string {
  const req = reqOf(a.raw);
  if (ifreqDecoded(req)) return ifreqArg(a, req);
  const p = POINTED.get(req);
  if (p) return pointedText(a, p);
  const byValue = BY_VALUE.get(req);
  if (byValue) return byValue(Number(a.v & 0xffffffffn));
  const style = NAMES.get(req)?.arg;
  if (style === 'd') return String(BigInt.asIntN(32, a.v));
  if (style === 'p' && a.v === 0n) return 'NULL';
  return a.v === 0n ? '0' : hex(a.v);
}

/** Arguments strace shows: the fd and the request only, for requests that take none. */
export const ioctlShown = (raw: bigint[]): number => (NAMES.get(reqOf(raw))?.arg === 'n' ? 2 : 3);

export const IOCTL_TYPES: Record<string, ArgType> = {
  ioctlreq: { render: (a) => ioctlRequestText(reqOf(a.raw)) },
  /** Read whole at entry and exit (harmless when it is a number): the request decides. */
  ioctlarg: { capture: () => pack(Cap.structInOut, 0, CAPTURE_SIZE), render: ioctlArg },
};
