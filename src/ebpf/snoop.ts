/**
 * snoop: decodes the events of native/bpf/snoop.bpf.c (open, exec, exit, connect, signal) into
 * the records `oslens snoop` prints (README: "eBPF tools"). Layouts mirror the C structs.
 */
import { renderOpenFlags } from '../trace/flags.js';
import { errnoName, MAX_ERRNO } from '../trace/errno.js';
import { signalName } from '../trace/signals.js';
import { monotonicToEpochSeconds } from './clock.js';
import type { BpfFilter } from './config.js';
import { BpfSession, type RingStream } from './loader.js';
import { LossReporter } from './loss.js';
import { cString } from './syscount.js';

export const SNOOP_TYPES = ['open', 'exec', 'exit', 'connect', 'signal'] as const;
export type SnoopType = (typeof SNOOP_TYPES)[number];
const TYPE_CODE: Record<SnoopType, number> = { open: 1, exec: 2, exit: 3, connect: 4, signal: 5 };

interface Common {
  time: number;
  pid: number;
  tid: number;
  ppid: number;
  comm: string;
}
export type OpenRecord = Common & { type: 'open'; path: string; flags: string; ret: number; errno: string | null };
export type ExecRecord = Common & { type: 'exec'; argv: string[]; truncated: boolean };
export type ExitRecord = Common & { type: 'exit'; code: number; signal: string | null; runtime: number };
export type ConnectRecord = Common & {
  type: 'connect';
  family: string;
  /** IPv4/IPv6 address; for AF_UNIX the socket path ("@name" for an abstract one). */
  address: string;
  /** 0 for families without ports (AF_UNIX). */
  port: number;
  ret: number;
  errno: string | null;
};
export type SignalRecord = Common & {
  type: 'signal';
  signal: string;
  targetPid: number;
  targetComm: string;
  /** The kernel's signal_generate result (TRACE_SIGNAL_*), by number... */
  ret: number;
  /** ...and by name: delivered, ignored, already-pending, overflow-fail, lose-info. */
  result: string;
};
export type SnoopRecord = OpenRecord | ExecRecord | ExitRecord | ConnectRecord | SignalRecord;

const HDR = 40; // struct hdr: type, pid, tid, ppid, ts, comm[16]
const SOCKADDR_LEN = 112; // connect_event.sa
/** The ring buffer of snoop unless --buffer says otherwise. */
export const DEFAULT_SNOOP_BUFFER = 16 << 20;

/** `O_RDONLY|O_CLOEXEC`, as strace writes open flags: the tracer's own table, one for both. */
export const openFlagsText = renderOpenFlags;

function retErrno(ret: number): string | null {
  return ret < 0 && ret >= -MAX_ERRNO ? errnoName(-ret) : null;
}

/** The kernel's TRACE_SIGNAL_* (include/trace/events/signal.h), the `result` of signal_generate. */
export const SIGNAL_RESULTS = ['delivered', 'ignored', 'already-pending', 'overflow-fail', 'lose-info'];

/** AF_UNIX: sun_path up to its NUL (or the address length); abstract names start with NUL, shown "@". */
export function unixPath(sunPath: Buffer): string {
  if (sunPath.length === 0) return '';
  if (sunPath[0] === 0) return `@${sunPath.subarray(1).toString('latin1').replace(/\0+$/, '')}`;
  const nul = sunPath.indexOf(0);
  return sunPath.toString('utf8', 0, nul >= 0 ? nul : sunPath.length);
}

function ipText(family: number, addr: Buffer): string {
  if (family === 2) return `${addr[0]}.${addr[1]}.${addr[2]}.${addr[3]}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(addr.readUInt16BE(i).toString(16));
  return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
}

export function decodeSnoopEvent(b: Buffer): SnoopRecord | undefined {
  const code = b.readUInt32LE(0);
  const common: Common = {
    time: monotonicToEpochSeconds(b.readBigUInt64LE(16)),
    pid: b.readUInt32LE(4),
    tid: b.readUInt32LE(8),
    ppid: b.readUInt32LE(12),
    comm: cString(b, 24, 40),
  };
  switch (code) {
    case 1: {
      const ret = Number(b.readBigInt64LE(HDR));
      const flags = Number(b.readBigUInt64LE(HDR + 8) & 0xffffffffn);
      const path = cString(b, HDR + 24, HDR + 24 + 256);
      return { type: 'open', ...common, path, flags: openFlagsText(flags), ret, errno: retErrno(ret) };
    }
    case 2: {
      const len = b.readUInt32LE(HDR);
      const truncated = b.readUInt32LE(HDR + 4) !== 0;
      const raw = b.toString('utf8', HDR + 8, HDR + 8 + len);
      const argv = raw.split('\0');
      if (argv.length > 0 && argv[argv.length - 1] === '') argv.pop();
      return { type: 'exec', ...common, argv, truncated };
    }
    case 3: {
      const sig = b.readInt32LE(HDR + 4);
      return {
        type: 'exit',
        ...common,
        code: b.readInt32LE(HDR),
        signal: sig ? signalName(sig) : null,
        runtime: Number(b.readBigUInt64LE(HDR + 8)) / 1e9,
      };
    }
    case 4: {
      const ret = Number(b.readBigInt64LE(HDR));
      const addrlen = Math.min(b.readUInt32LE(HDR + 8), SOCKADDR_LEN);
      const sa = b.subarray(HDR + 16, HDR + 16 + addrlen);
      const family = sa.length >= 2 ? sa.readUInt16LE(0) : 0;
      const familyName = family === 2 ? 'AF_INET' : family === 10 ? 'AF_INET6' : family === 1 ? 'AF_UNIX' : `${family}`;
      let address = '';
      let port = 0;
      if ((family === 2 && sa.length >= 8) || (family === 10 && sa.length >= 24)) {
        port = sa.readUInt16BE(2);
        address = ipText(family, family === 2 ? sa.subarray(4, 8) : sa.subarray(8, 24));
      } else if (family === 1) {
        address = unixPath(sa.subarray(2));
      }
      return { type: 'connect', ...common, family: familyName, address, port, ret, errno: retErrno(ret) };
    }
    case 5: {
      const ret = b.readInt32LE(HDR + 8);
      return {
        type: 'signal',
        ...common,
        signal: signalName(b.readInt32LE(HDR)),
        targetPid: b.readInt32LE(HDR + 4),
        targetComm: cString(b, HDR + 16, HDR + 32),
        ret,
        result: SIGNAL_RESULTS[ret] ?? String(ret),
      };
    }
    default:
      return undefined;
  }
}

const PROGRAMS: Record<SnoopType, string[]> = {
  open: ['snoop_sys_enter', 'snoop_sys_exit'],
  connect: ['snoop_sys_enter', 'snoop_sys_exit'],
  exec: ['snoop_exec'],
  exit: ['snoop_exit'],
  signal: ['snoop_signal'],
};

export class Snoop {
  readonly session: BpfSession;
  readonly loss: LossReporter;
  private ring: RingStream;
  /** Events handed to onRecord so far. */
  received = 0;

  constructor(
    types: SnoopType[],
    filter: BpfFilter,
    onRecord: (r: SnoopRecord) => void,
    opts: { buffer?: number; quietLoss?: boolean } = {},
  ) {
    const flags = types.reduce((f, t) => f | (1 << TYPE_CODE[t]), 0);
    this.session = new BpfSession('snoop', {
      filter: { ...filter, flags },
      programs: [...new Set(types.flatMap((t) => PROGRAMS[t]))],
      maxEntries: { events: opts.buffer ?? DEFAULT_SNOOP_BUFFER },
    });
    this.ring = this.session.streamRing('events', (data) => {
      const r = decodeSnoopEvent(data);
      if (!r) return;
      this.received++;
      onRecord(r);
    });
    this.loss = new LossReporter(this.session, 'snoop', opts.quietLoss);
  }

  /** Drains what is left; returns the events lost in all (counted in kernel). */
  async finish(): Promise<number> {
    await this.ring.stop();
    return this.loss.stop();
  }

  close(): void {
    this.session.close();
  }
}
