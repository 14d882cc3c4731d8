/** Sockets: address families, socket types, struct sockaddr. */
import * as F from '../../flags.js';
import { Cap } from '../../records.js';
import { quote } from '../quote.js';
import { pack, type ArgType } from '../types.js';

export function sockaddrText(d: Buffer): string {
  if (d.length < 2) return '{}';
  const fam = d.readUInt16LE(0);
  const famName = F.renderEnum(fam, F.ADDRESS_FAMILIES);
  if (fam === 1) {
    let path = d.subarray(2);
    const nul = path.indexOf(0);
    if (nul === 0 && path.length > 1) return `{sa_family=AF_UNIX, sun_path=@${quote(path.subarray(1), false)}}`;
    if (nul >= 0) path = path.subarray(0, nul);
    return `{sa_family=AF_UNIX, sun_path=${quote(path, false)}}`;
  }
  if (fam === 2 && d.length >= 8) {
    return `{sa_family=AF_INET, sin_port=htons(${d.readUInt16BE(2)}), sin_addr=inet_addr("${[...d.subarray(4, 8)].join('.')}")}`;
  }
  if (fam === 10 && d.length >= 24) {
    const words = [];
    for (let i = 0; i < 8; i++) words.push(d.readUInt16BE(8 + 2 * i).toString(16));
    const addr = words.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
    return `{sa_family=AF_INET6, sin6_port=htons(${d.readUInt16BE(2)}), sin6_flowinfo=htonl(${d.readUInt32BE(4)}), inet_pton(AF_INET6, "${addr}", &sin6_addr), sin6_scope_id=0}`;
  }
  return `{sa_family=${famName}, sa_data=${quote(d.subarray(2), false)}}`;
}

export const SOCKET_TYPES: Record<string, ArgType> = {
  domain: { render: (a) => F.renderEnum(Number(a.v), F.ADDRESS_FAMILIES) },
  socktype: { render: (a) => F.renderSockType(Number(a.v)) },
  /** Input sockaddr whose length is argument `param`. */
  sockaddr: { capture: (p) => pack(Cap.rawIn, p ?? 0, 128), memory: true, render: (a) => sockaddrText(a.c!.data) },
  /** Output sockaddr whose length the kernel writes to *argument `param`. */
  sockaddr_out: {
    capture: (p) => pack(Cap.sockaddrOut, p ?? 0, 128),
    output: true,
    memory: true,
    render: (a) => sockaddrText(a.c!.data),
  },
};
