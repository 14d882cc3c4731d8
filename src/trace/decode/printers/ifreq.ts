/**
 * Network interface requests on a socket (SIOCGIFINDEX, SIOCGIFFLAGS, SIOCGIFNAME...): struct
 * ifreq as strace 6 prints it, the name (or index) the caller passed at entry, then the field the
 * kernel filled in once the call succeeded: `{ifr_name="lo", ifr_ifindex=1}`; on failure only
 * `{ifr_name="nosuch0"}`. Setters print the whole struct at entry.
 */
import type { FlagTable } from '../../flags.js';
import { quote } from '../quote.js';
import { flags } from '../xlat.js';
import { sockaddrText } from './socket.js';

export const IFREQ_SIZE = 40;
const IFF_FLAGS: FlagTable =
  'UP BROADCAST DEBUG LOOPBACK POINTOPOINT NOTRAILERS RUNNING NOARP PROMISC ALLMULTI MASTER SLAVE MULTICAST PORTSEL AUTOMEDIA DYNAMIC'
    .split(' ')
    .map((n, i) => [1 << i, `IFF_${n}`]);

/** ifr_name: at most IFNAMSIZ - 1 bytes before a NUL, `"..."...` when there is none. */
function nameText(d: Buffer): string {
  const nul = d.subarray(0, 16).indexOf(0);
  return nul >= 0 ? quote(d.subarray(0, nul), false) : quote(d.subarray(0, 15), true);
}

/** The field's text; undefined when strace would print something we do not decode. */
type Field = (d: Buffer) => string | undefined;
const int: (name: string) => Field = (name) => (d) => `${name}=${d.readInt32LE(16)}`;
const addr: (name: string) => Field = (name) => (d) => {
  const text = sockaddrText(d.subarray(16, 32), 16);
  return text === undefined ? undefined : `${name}=${text}`;
};
const FIELDS = new Map<number, { field: Field; setter?: boolean }>([
  [0x8933, { field: int('ifr_ifindex') }], // SIOCGIFINDEX
  [0x8913, { field: (d) => `ifr_flags=${flags(d.readUInt16LE(16), IFF_FLAGS, 'IFF_???')}` }], // SIOCGIFFLAGS
  [0x8921, { field: int('ifr_mtu') }], // SIOCGIFMTU
  [0x8942, { field: int('ifr_qlen') }], // SIOCGIFTXQLEN
  [0x891d, { field: int('ifr_metric') }], // SIOCGIFMETRIC
  [0x8915, { field: addr('ifr_addr') }], // SIOCGIFADDR
  [0x891b, { field: addr('ifr_netmask') }], // SIOCGIFNETMASK
  [0x8919, { field: addr('ifr_broadaddr') }], // SIOCGIFBRDADDR
  [0x8917, { field: addr('ifr_dstaddr') }], // SIOCGIFDSTADDR
]);
const SETTERS = new Map<number, Field>([
  [0x8914, (d) => `ifr_flags=${flags(d.readUInt16LE(16), IFF_FLAGS, 'IFF_???')}`], // SIOCSIFFLAGS
  [0x8922, int('ifr_mtu')], // SIOCSIFMTU
  [0x8943, int('ifr_qlen')], // SIOCSIFTXQLEN
]);
const SIOCGIFNAME = 0x8910;

export const ifreqDecoded = (req: number): boolean => FIELDS.has(req) || SETTERS.has(req) || req === SIOCGIFNAME;

/** The struct at entry, and at exit when the call succeeded (undefined: not filled in). */
export function ifreqText(req: number, entry: Buffer, exit: Buffer | undefined): string | undefined {
  if (entry.length < IFREQ_SIZE) return undefined;
  if (req === SIOCGIFNAME) {
    const index = `ifr_ifindex=${entry.readInt32LE(16)}`;
    return exit && exit.length >= IFREQ_SIZE ? `{${index}, ifr_name=${nameText(exit)}}` : `{${index}}`;
  }
  const setter = SETTERS.get(req);
  if (setter) {
    const field = setter(entry);
    return field === undefined ? undefined : `{ifr_name=${nameText(entry)}, ${field}}`;
  }
  const getter = FIELDS.get(req);
  if (!getter) return undefined;
  const name = `ifr_name=${nameText(entry)}`;
  if (!exit || exit.length < IFREQ_SIZE) return `{${name}}`;
  const field = getter.field(exit);
  return field === undefined ? undefined : `{${name}, ${field}}`;
}
