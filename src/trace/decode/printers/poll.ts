/** poll and epoll structs. */
import * as F from '../../flags.js';
import { Cap } from '../../records.js';
import { hex, pack, type ArgType } from '../types.js';

const epollEventText = (d: Buffer, at: number) =>
  `{events=${F.renderFlags(d.readUInt32LE(at), F.EPOLL_EVENTS)}, data=${hex(d.readBigUInt64LE(at + 4))}}`;

export const POLL_TYPES: Record<string, ArgType> = {
  epollop: { render: (a) => F.renderEnum(Number(a.v), F.EPOLL_CTL_OPS) },
  epollevent: {
    capture: () => pack(Cap.structIn, 0, 12),
    memory: true,
    render: (a) => (a.c!.data.length >= 12 ? epollEventText(a.c!.data, 0) : hex(a.v)),
  },
  epollevents_out: {
    capture: () => pack(Cap.arrayOutRet, 0, 12),
    output: true,
    memory: true,
    render: (a) => {
      const items = [];
      for (let at = 0; at + 12 <= a.c!.data.length; at += 12) items.push(epollEventText(a.c!.data, at));
      return `[${items.join(', ')}]`;
    },
  },
  pollfds: {
    capture: () => pack(Cap.arrayOutArg, 1, 8),
    output: true,
    memory: true,
    render: (a) => {
      const d = a.c!.data;
      const items = [];
      for (let at = 0; at + 8 <= d.length; at += 8)
        items.push(`{fd=${d.readInt32LE(at)}, events=${F.renderFlags(d.readUInt16LE(at + 4), F.POLL_EVENTS)}}`);
      return `[${items.join(', ')}]`;
    },
  },
};
