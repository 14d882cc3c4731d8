/**
 * Terminal structs as strace 6 prints them (non-verbose): struct termios (TCGETS, TCSETS*),
 * struct termio (TCGETA, TCSETA*) and struct winsize. strace's quirks are kept on purpose: a
 * field with no flag prints empty (`c_iflag=`), c_oflag's delay fields always print and are
 * followed by `|` even when no flag follows (`NL0|CR0|TAB0|BS0|VT0|FF0|`), and unknown bits
 * print in hex without a comment. Orders: strace 6.1 on a struct with every bit set.
 */
import type { FlagTable } from '../../flags.js';

const IFLAGS: FlagTable = [
  [0x1, 'IGNBRK'],
  [0x2, 'BRKINT'],
  [0x4, 'IGNPAR'],
  [0x8, 'PARMRK'],
  [0x10, 'INPCK'],
  [0x20, 'ISTRIP'],
  [0x40, 'INLCR'],
  [0x80, 'IGNCR'],
  [0x100, 'ICRNL'],
  [0x200, 'IUCLC'],
  [0x400, 'IXON'],
  [0x800, 'IXANY'],
  [0x1000, 'IXOFF'],
  [0x2000, 'IMAXBEL'],
  [0x4000, 'IUTF8'],
];
const OFLAGS: FlagTable = [
  [0x1, 'OPOST'],
  [0x2, 'OLCUC'],
  [0x4, 'ONLCR'],
  [0x8, 'OCRNL'],
  [0x10, 'ONOCR'],
  [0x20, 'ONLRET'],
  [0x40, 'OFILL'],
  [0x80, 'OFDEL'],
];
const CFLAGS: FlagTable = [
  [0x40, 'CSTOPB'],
  [0x80, 'CREAD'],
  [0x100, 'PARENB'],
  [0x200, 'PARODD'],
  [0x400, 'HUPCL'],
  [0x800, 'CLOCAL'],
  [0x40000000, 'CMSPAR'],
  [0x80000000, 'CRTSCTS'],
];
const LFLAGS: FlagTable = [
  [0x1, 'ISIG'],
  [0x2, 'ICANON'],
  [0x4, 'XCASE'],
  [0x8, 'ECHO'],
  [0x10, 'ECHOE'],
  [0x20, 'ECHOK'],
  [0x40, 'ECHONL'],
  [0x80, 'NOFLSH'],
  [0x8000, 'IEXTEN'],
  [0x200, 'ECHOCTL'],
  [0x400, 'ECHOPRT'],
  [0x800, 'ECHOKE'],
  [0x1000, 'FLUSHO'],
  [0x4000, 'PENDIN'],
  [0x100, 'TOSTOP'],
  [0x10000, 'EXTPROC'],
];
/** CBAUD values: B0..B38400, then CBAUDEX (0x1000) with BOTHER and B57600..B4000000. */
const BAUDS = [
  'B0 B50 B75 B110 B134 B150 B200 B300 B600 B1200 B1800 B2400 B4800 B9600 B19200 B38400',
  'BOTHER B57600 B115200 B230400 B460800 B500000 B576000 B921600 B1000000 B1152000 B1500000 B2000000 B2500000 B3000000 B3500000 B4000000',
].map((s) => s.split(' '));
const CBAUD = 0x100f;
const CIBAUD = 0x100f0000;

/** Names joined by `|` then the unknown rest in hex; nothing at all for 0 (strace's sprintflags). */
function bits(v: number, table: FlagTable): string {
  let rest = v >>> 0;
  const out: string[] = [];
  for (const [b, name] of table)
    if ((rest & b) >>> 0 === b) {
      out.push(name);
      rest = (rest & ~b) >>> 0;
    }
  if (rest) out.push(`0x${rest.toString(16)}`);
  return out.join('|');
}

const baud = (v: number): string => BAUDS[(v >> 12) & 1]![v & 0xf]!;

function oflag(v: number): string {
  const delays = [
    `NL${(v >> 8) & 1}`,
    `CR${(v >> 9) & 3}`,
    (v & 0x1800) === 0x1800 ? 'XTABS' : `TAB${(v >> 11) & 3}`,
    `BS${(v >> 13) & 1}`,
    `VT${(v >> 14) & 1}`,
    `FF${(v >> 15) & 1}`,
  ];
  return `${delays.join('|')}|${bits(v & ~0xff00, OFLAGS)}`;
}

function cflag(v: number): string {
  const ibaud = v & CIBAUD ? `${baud((v & CIBAUD) >>> 16)}<<IBSHIFT|` : '';
  const size = `CS${5 + ((v >> 4) & 3)}`;
  return `${baud(v & CBAUD)}|${ibaud}${size}|${bits(v & ~(CBAUD | CIBAUD | 0x30), CFLAGS)}`;
}

/** The four flag words, as u32 (termios) or u16 (termio) fields. */
function flagsText(i: number, o: number, c: number, l: number): string {
  return `{c_iflag=${bits(i, IFLAGS)}, c_oflag=${oflag(o)}, c_cflag=${cflag(c)}, c_lflag=${bits(l, LFLAGS)}, ...}`;
}

/** Kernel struct termios: 4 x u32 flags, c_line, c_cc[19] (36 bytes). */
export const TERMIOS_SIZE = 36;
export const termiosText = (d: Buffer): string =>
  flagsText(d.readUInt32LE(0), d.readUInt32LE(4), d.readUInt32LE(8), d.readUInt32LE(12));

/** struct termio: 4 x u16 flags, c_line, c_cc[8] (18 bytes). */
export const TERMIO_SIZE = 18;
export const termioText = (d: Buffer): string =>
  flagsText(d.readUInt16LE(0), d.readUInt16LE(2), d.readUInt16LE(4), d.readUInt16LE(6));

export const WINSIZE_SIZE = 8;
export const winsizeText = (d: Buffer): string =>
  `{ws_row=${d.readUInt16LE(0)}, ws_col=${d.readUInt16LE(2)}, ws_xpixel=${d.readUInt16LE(4)}, ws_ypixel=${d.readUInt16LE(6)}}`;
