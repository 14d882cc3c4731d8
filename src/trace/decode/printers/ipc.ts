/**
 * System V IPC (shm*, sem*, msg*) and POSIX message queues (mq_*): keys, resource flags with
 * their mode, commands, struct shmid_ds, struct sembuf arrays, struct mq_attr. strace 6 is the
 * spec; structs we do not decode (msqid_ds, semid_ds, the *_INFO structs) print as the address.
 */
import * as F from '../../flags.js';
import type { FlagTable } from '../../flags.js';
import { xflags, xlat } from '../../net-flags.js';
import { Cap } from '../../records.js';
import { hex, i32, pack, ptr, type ArgCtx, type ArgType } from '../types.js';

const IPC_64 = 0x100;

const SHM_RESOURCE_FLAGS: FlagTable = [
  [0o1000, 'IPC_CREAT'],
  [0o2000, 'IPC_EXCL'],
  [0o4000, 'SHM_HUGETLB'],
  [0o10000, 'SHM_NORESERVE'],
];
const RESOURCE_FLAGS: FlagTable = [
  [0o1000, 'IPC_CREAT'],
  [0o2000, 'IPC_EXCL'],
  [0o4000, 'IPC_NOWAIT'],
];
const SHMAT_FLAGS: FlagTable = [
  [0o10000, 'SHM_RDONLY'],
  [0o20000, 'SHM_RND'],
  [0o40000, 'SHM_REMAP'],
  [0o100000, 'SHM_EXEC'],
];
const SEMOP_FLAGS: FlagTable = [
  [0x1000, 'SEM_UNDO'],
  [0o4000, 'IPC_NOWAIT'],
];
const MSG_FLAGS: FlagTable = [
  [0o4000, 'IPC_NOWAIT'],
  [0o10000, 'MSG_NOERROR'],
  [0o20000, 'MSG_EXCEPT'],
  [0o40000, 'MSG_COPY'],
];
const IPC_CMDS: FlagTable = [
  [0, 'IPC_RMID'],
  [1, 'IPC_SET'],
  [2, 'IPC_STAT'],
  [3, 'IPC_INFO'],
];
const SHMCTL_CMDS: FlagTable = [
  ...IPC_CMDS,
  [11, 'SHM_LOCK'],
  [12, 'SHM_UNLOCK'],
  [13, 'SHM_STAT'],
  [14, 'SHM_INFO'],
  [15, 'SHM_STAT_ANY'],
];
const SEMCTL_CMDS: FlagTable = [
  ...IPC_CMDS,
  [11, 'GETPID'],
  [12, 'GETVAL'],
  [13, 'GETALL'],
  [14, 'GETNCNT'],
  [15, 'GETZCNT'],
  [16, 'SETVAL'],
  [17, 'SETALL'],
  [18, 'SEM_STAT'],
  [19, 'SEM_INFO'],
  [20, 'SEM_STAT_ANY'],
];
const MSGCTL_CMDS: FlagTable = [...IPC_CMDS, [11, 'MSG_STAT'], [12, 'MSG_INFO'], [13, 'MSG_STAT_ANY']];

/** `IPC_CREAT|IPC_EXCL|0600` (the mode in strace's %#03o). */
function resourceFlags(v: number, table: FlagTable): string {
  const mode = F.renderMode(v & 0o777, false);
  const rest = v & ~0o777;
  return rest ? `${xflags(rest, table, 'IPC_???')}|${mode}` : mode;
}

/** `IPC_STAT`, or `IPC_64|...` when the IPC_64 bit is set. */
function ipcCmd(v: number, table: FlagTable, unknown: string): string {
  const text = xlat(v & ~IPC_64, table, unknown);
  return v & IPC_64 ? `IPC_64|${text}` : text;
}

const octal = (m: number) => (m === 0 ? '000' : `0${m.toString(8)}`.padStart(3, '0'));

function shmidText(a: ArgCtx): string {
  const cmd = i32(a.raw[1]!) & ~IPC_64;
  const phase = cmd === 1 ? 0 : 1;
  const c = a.captures.find((c) => c.arg === a.i && c.phase === phase && c.kind === Cap.structInOut && !c.fault);
  if (a.v === 0n || ![1, 2, 13, 15].includes(cmd)) return ptr(a.v);
  if (!c || c.data.length < 112 || (phase === 1 && a.failed)) return hex(a.v);
  const d = c.data;
  const perm = `uid=${d.readUInt32LE(4)}, gid=${d.readUInt32LE(8)}, mode=${octal(d.readUInt16LE(20))}`;
  if (cmd === 1) return `{shm_perm={${perm}}}`;
  return `{shm_perm={${perm}, key=${d.readInt32LE(0)}, cuid=${d.readUInt32LE(12)}, cgid=${d.readUInt32LE(16)}}, shm_segsz=${d.readBigUInt64LE(48)}, shm_cpid=${d.readInt32LE(80)}, shm_lpid=${d.readInt32LE(84)}, shm_nattch=${d.readBigUInt64LE(88)}, shm_atime=${d.readBigInt64LE(56)}, shm_dtime=${d.readBigInt64LE(64)}, shm_ctime=${d.readBigInt64LE(72)}}`;
}

function mqAttrText(d: Buffer): string {
  const flags = Number(d.readBigInt64LE(0) & 0xffffffffn);
  return `{mq_flags=${flags === 0 ? '0' : F.renderFlags(flags, F.OPEN_FLAGS)}, mq_maxmsg=${d.readBigInt64LE(8)}, mq_msgsize=${d.readBigInt64LE(16)}, mq_curmsgs=${d.readBigInt64LE(24)}}`;
}

const u32 = (a: ArgCtx) => Number(a.v & 0xffffffffn);

export const IPC_TYPES: Record<string, ArgType> = {
  ipckey: { render: (a) => (i32(a.v) === 0 ? 'IPC_PRIVATE' : `0x${(u32(a) >>> 0).toString(16)}`) },
  shmgetflags: { render: (a) => resourceFlags(u32(a), SHM_RESOURCE_FLAGS) },
  ipcgetflags: { render: (a) => resourceFlags(u32(a), RESOURCE_FLAGS) },
  shmatflags: { render: (a) => xflags(u32(a), SHMAT_FLAGS, 'SHM_???') },
  msgflags_ipc: { render: (a) => xflags(u32(a), MSG_FLAGS, 'MSG_???') },
  shmctlcmd: { render: (a) => ipcCmd(u32(a), SHMCTL_CMDS, 'SHM_???') },
  semctlcmd: { render: (a) => ipcCmd(u32(a), SEMCTL_CMDS, 'SEM_???') },
  msgctlcmd: { render: (a) => ipcCmd(u32(a), MSGCTL_CMDS, 'MSG_???') },
  /** shmctl's struct shmid_ds: read at entry (IPC_SET) and exit (IPC_STAT, SHM_STAT). */
  shmid_ds: { capture: () => pack(Cap.structInOut, 0, 112), output: true, render: shmidText },
  /** semop/semtimedop's struct sembuf array; its length is argument `param`. */
  sembufs: {
    capture: (p) => pack(Cap.arrayIn, p ?? 2, 6),
    memory: true,
    render: (a) => {
      const d = a.c!.data;
      const n = Number(a.raw[a.param ?? 2] ?? 0n);
      if (d.length < Math.min(n, 64) * 6) return hex(a.v);
      const items = [];
      for (let at = 0; at + 6 <= d.length; at += 6)
        items.push(
          `{sem_num=${d.readUInt16LE(at)}, sem_op=${d.readInt16LE(at + 2)}, sem_flg=${xflags(d.readUInt16LE(at + 4), SEMOP_FLAGS, 'SEM_???')}}`,
        );
      if (n > 64) items.push('...');
      return `[${items.join(', ')}]`;
    },
  },
  /** mq_open's flags: O_RDONLY and the rest, as open's. */
  mqoflags: { render: (a) => F.renderOpenFlags(u32(a)) },
  mqattr: {
    capture: () => pack(Cap.structIn, 0, 64),
    memory: true,
    render: (a) => (a.c!.data.length >= 32 ? mqAttrText(a.c!.data) : hex(a.v)),
  },
  mqattr_out: {
    capture: () => pack(Cap.structOut, 0, 64),
    output: true,
    memory: true,
    render: (a) => (a.c!.data.length >= 32 && !a.failed ? mqAttrText(a.c!.data) : hex(a.v)),
  },
  /** mq_timedreceive's unsigned *msg_prio. */
  uint_out: {
    capture: () => pack(Cap.structOut, 0, 4),
    output: true,
    memory: true,
    render: (a) => (a.c!.data.length >= 4 && !a.failed ? `[${a.c!.data.readUInt32LE(0)}]` : hex(a.v)),
  },
};
