/** Arguments that are flag sets or enumerations, rendered from the tables in ../../flags.ts. */
import * as F from '../../flags.js';
import { renderEnumDflt, renderFlagsDflt } from '../../flags-fs.js';
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
  prot: { render: (a) => renderFlagsDflt(n(a.v & 0xffffffffn), F.PROT_FLAGS, 'PROT_???', 'PROT_NONE') },
  mapflags: { render: (a) => F.renderMapFlags(n(a.v & 0xffffffffn)) },
  atflags: { render: (a) => renderFlagsDflt(n(a.v & 0xffffffffn), F.AT_FLAGS, 'AT_???') },
  whence: { render: (a) => F.renderEnum(n(a.v), F.SEEK_WHENCE) },
  accessmode: { render: (a) => renderFlagsDflt(n(a.v & 0xffffffffn), F.ACCESS_MODES, '?_OK', 'F_OK') },
  archprctl: { render: (a) => F.renderEnum(n(a.v), F.ARCH_PRCTL, hex(a.v)) },
  madvise: { render: (a) => renderEnumDflt(n(a.v & 0xffffffffn), F.MADVISE, 'MADV_???') },
};
