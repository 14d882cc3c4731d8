/** Arguments that are flag sets or enumerations, rendered from the tables in ../../flags.ts. */
import * as F from '../../flags.js';
import { hex, type ArgType } from '../types.js';

const n = (v: bigint) => Number(v);

export const FLAG_TYPES: Record<string, ArgType> = {
  oflags: {
    render: (a) =>
      a.name.startsWith('open') || a.name === 'creat'
        ? F.renderOpenFlags(Number(a.v & 0xffffffffn))
        : F.renderFlags(n(a.v), F.OPEN_FLAGS),
  },
  mode: { render: (a) => F.renderMode(n(a.v), false) },
  prot: { render: (a) => F.renderFlags(n(a.v), F.PROT_FLAGS, 'PROT_NONE') },
  mapflags: { render: (a) => F.renderMapFlags(n(a.v)) },
  atflags: { render: (a) => F.renderFlags(n(a.v), F.AT_FLAGS) },
  whence: { render: (a) => F.renderEnum(n(a.v), F.SEEK_WHENCE) },
  accessmode: { render: (a) => (n(a.v) === 0 ? 'F_OK' : F.renderFlags(n(a.v), F.ACCESS_MODES)) },
  rlimit_res: { render: (a) => F.renderEnum(n(a.v), F.RLIMITS) },
  archprctl: { render: (a) => F.renderEnum(n(a.v), F.ARCH_PRCTL, hex(a.v)) },
  madvise: { render: (a) => F.renderEnum(n(a.v), F.MADVISE) },
};
