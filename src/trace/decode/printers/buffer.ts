/** Strings, byte buffers, iovecs and string arrays (argv). */
import { Cap, type Capture } from '../../records.js';
import { quote } from '../quote.js';
import { hex, pack, type ArgType } from '../types.js';

function iovText(c: Capture): string {
  const d = c.data;
  if (d.length < 8) return '[]';
  const count = d.readUInt32LE(0);
  const ncap = d.readUInt32LE(4);
  let at = 8;
  const items: string[] = [];
  for (let i = 0; i < ncap && at + 20 <= d.length; i++) {
    const len = d.readBigUInt64LE(at + 8);
    const word = d.readUInt32LE(at + 16);
    const n = word & 0x7fffffff;
    const data = d.subarray(at + 20, at + 20 + n);
    items.push(`{iov_base=${quote(data, (word & 0x80000000) !== 0)}, iov_len=${len}}`);
    at += 20 + n;
  }
  if (count > ncap) items.push('...');
  return `[${items.join(', ')}]`;
}

function argvText(c: Capture): string {
  const d = c.data;
  const count = d.readUInt32LE(0);
  const ncap = d.readUInt32LE(4);
  let at = 8;
  const items: string[] = [];
  for (let i = 0; i < ncap && at + 4 <= d.length; i++) {
    const word = d.readUInt32LE(at);
    const n = word & 0x7fffffff;
    items.push(quote(d.subarray(at + 4, at + 4 + n), (word & 0x80000000) !== 0));
    at += 4 + n;
  }
  return `[${items.join(', ')}${count > ncap ? ', ...' : ''}]`;
}

const quoted: ArgType['render'] = (a) => quote(a.c!.data, a.c!.truncated);

export const BUFFER_TYPES: Record<string, ArgType> = {
  /** A path: up to 4096 bytes, whatever -s says. */
  path: { capture: () => pack(Cap.path, 0, 0), memory: true, render: quoted },
  str: { capture: () => pack(Cap.str, 0, 0), memory: true, render: quoted },
  /** Input buffer whose length is argument `param`. */
  bufin: { capture: (p) => pack(Cap.bufIn, p ?? 0, 0), memory: true, render: quoted },
  /** Output buffer filled with `ret` bytes. */
  bufout: { capture: () => pack(Cap.bufOutRet, 0, 0), output: true, memory: true, render: quoted },
  /** Output buffer whose length is argument `param`. */
  bufoutarg: { capture: (p) => pack(Cap.bufOutArg, p ?? 0, 0), output: true, memory: true, render: quoted },
  /** bufoutarg of bytes, not text: every byte as \xNN (getrandom's buffer). */
  hexbufoutarg: {
    capture: (p) => pack(Cap.bufOutArg, p ?? 0, 0),
    output: true,
    memory: true,
    render: (a) => quote(a.c!.data, a.c!.truncated, true),
  },
  iovin: { capture: (p) => pack(Cap.iovIn, p ?? 0, 0), memory: true, render: (a) => iovText(a.c!) },
  iovout: { capture: (p) => pack(Cap.iovOut, p ?? 0, 0), output: true, memory: true, render: (a) => iovText(a.c!) },
  argv: { capture: () => pack(Cap.argv, 0, 0), memory: true, render: (a) => argvText(a.c!) },
  envp: {
    capture: () => pack(Cap.argc, 0, 0),
    memory: true,
    render: (a) => {
      const count = a.c!.data.readUInt32LE(0);
      return `${hex(a.v)} /* ${count} var${count === 1 ? '' : 's'} */`;
    },
  },
};
