/**
 * Decodes the binary records of the ptrace engine (layout: native/ptrace/tracer.h) into plain
 * objects. Pure: a Buffer in, records out.
 */

export const RecordType = {
  enter: 1,
  exit: 2,
  exec: 3,
  exited: 4,
  killed: 5,
  signal: 6,
  newTask: 7,
  groupStop: 8,
  attached: 9,
  detached: 10,
  message: 11,
  counts: 12,
} as const;

/** Capture kinds (CAP_* in tracer.h). */
export const Cap = {
  none: 0,
  path: 1,
  str: 2,
  bufIn: 3,
  bufOutRet: 4,
  structIn: 5,
  structOut: 6,
  argv: 7,
  iovIn: 8,
  iovOut: 9,
  arrayIn: 10,
  arrayOutRet: 11,
  arrayOutArg: 12,
  rawIn: 13,
  sockaddrOut: 14,
  structInOut: 15,
  argc: 16,
  bufOutArg: 17,
  fdPath: 18,
  fdPathRet: 19,
  recordsOut: 21,
  pathOut: 22,
  pagesOut: 23,
  /** Exit: the argument's raw value (8 bytes), for return printers (fcntl's cmd). */
  argExit: 25,
  /** Entry and exit: arg[ref] elements of size bytes (poll's fds). */
  arrayInOutArg: 26,
  /** Entry: {u64 addr, u64 len} at the argument, then min(len, size) bytes at addr. */
  ptrLenIn: 27,
  /** -y: an fd array's fds and their paths, n * {i32 fd, u32 len, bytes}. */
  fdArrayPaths: 28,
  /** Entry: bytes at the stack pointer + 8 * ref (rt_sigreturn's frame). */
  stackIn: 29,
  /** Exit: bytes at the pointer stored in the struct at arg[ref], field 8 * (size & 0xff). */
  ptrFieldOut: 30,
  /** Exit, also after a failure: size bytes (nanosleep's remaining time). */
  structOutAny: 31,
  bufOutLenp: 33,
  msghdrIn: 34,
  msghdrOut: 35,
  mmsghdrOut: 36,
  /** Entry: the netlink protocol of the fd and the data sent (sendto's buffer, sendmsg's iovecs). */
  nlIn: 37,
  /** Exit: the same for the data received. */
  nlOut: 38,
} as const;

export interface Capture {
  arg: number;
  phase: 0 | 1;
  kind: number;
  truncated: boolean;
  fault: boolean;
  /** An fd path (Cap.fdPath*) of an unlinked file, whose " (deleted)" suffix the engine removed. */
  deleted?: boolean;
  data: Buffer;
}

/** Every record's task: tid, and pid, its thread group id (the process; 0 when unknown). */
export interface EnterRecord {
  type: 'enter';
  tid: number;
  pid: number;
  timeNs: bigint;
  nr: number;
  args: bigint[];
  captures: Capture[];
}

export interface ExitRecord {
  type: 'exit';
  tid: number;
  pid: number;
  timeNs: bigint;
  nr: number;
  ret: bigint;
  /** The entry was never seen (attached mid-syscall). */
  unseen: boolean;
  captures: Capture[];
}

export interface TaskRecord {
  type: 'exec' | 'exited' | 'killed' | 'newTask' | 'groupStop' | 'attached' | 'detached';
  tid: number;
  pid: number;
  timeNs: bigint;
  /** exec: former tid; exited: code; killed/groupStop: signal; newTask: parent; attached: tgid. */
  aux: number;
  /** killed: core dumped; newTask: 1 fork, 2 vfork, 3 clone. */
  flags: number;
  /** exec: the new program's argv as the kernel laid it out (NUL-terminated strings), exactly. */
  argv?: Buffer;
}

export interface SignalRecord {
  type: 'signal';
  tid: number;
  /** The thread group id of tid. */
  pid: number;
  timeNs: bigint;
  signo: number;
  /** si_code (also in `siginfo`). */
  code: number;
  /** The first 48 bytes of the siginfo_t, as the kernel gave it (decode/printers/signal.ts). */
  siginfo: Buffer;
}

export interface MessageRecord {
  type: 'message';
  tid: number;
  pid: number;
  timeNs: bigint;
  errno: number;
  text: string;
}

export interface CountsRecord {
  type: 'counts';
  /** ns: wall time inside the calls (-w); sysNs: the process's system CPU time across them (-c). */
  rows: { nr: number; calls: number; errors: number; ns: number; sysNs: number }[];
}

export type EngineRecord = EnterRecord | ExitRecord | TaskRecord | SignalRecord | MessageRecord | CountsRecord;

const TASK_TYPES: Record<number, TaskRecord['type']> = {
  3: 'exec',
  4: 'exited',
  5: 'killed',
  7: 'newTask',
  8: 'groupStop',
  9: 'attached',
  10: 'detached',
};

function readCaptures(buf: Buffer, at: number, end: number, n: number): Capture[] {
  const out: Capture[] = [];
  for (let i = 0; i < n && at + 8 <= end; i++) {
    const len = buf.readUInt32LE(at + 4);
    const flags = buf[at + 3]!;
    out.push({
      arg: buf[at]!,
      phase: buf[at + 1] === 1 ? 1 : 0,
      kind: buf[at + 2]!,
      truncated: (flags & 1) !== 0,
      fault: (flags & 2) !== 0,
      deleted: (flags & 4) !== 0,
      data: buf.subarray(at + 8, at + 8 + len),
    });
    at += 8 + len;
  }
  return out;
}

/** Bytes of every record's header (tracer.h). */
const HEADER = 32;

export function parseRecords(buf: Buffer): EngineRecord[] {
  const out: EngineRecord[] = [];
  let at = 0;
  while (at + HEADER <= buf.length) {
    const type = buf[at]!;
    const flags = buf[at + 1]!;
    const ncap = buf.readUInt16LE(at + 2);
    const size = buf.readUInt32LE(at + 4);
    if (size < HEADER || at + size > buf.length) break;
    const tid = buf.readInt32LE(at + 8);
    const aux = buf.readInt32LE(at + 12);
    const timeNs = buf.readBigUInt64LE(at + 16);
    const pid = buf.readInt32LE(at + 24);
    const body = at + HEADER;
    const end = at + size;
    if (type === RecordType.enter) {
      const args: bigint[] = [];
      for (let i = 0; i < 6; i++) args.push(buf.readBigUInt64LE(body + 8 + 8 * i));
      out.push({
        type: 'enter',
        tid,
        pid,
        timeNs,
        nr: buf.readUInt32LE(body),
        args,
        captures: readCaptures(buf, body + 56, end, ncap),
      });
    } else if (type === RecordType.exit) {
      out.push({
        type: 'exit',
        tid,
        pid,
        timeNs,
        nr: buf.readInt32LE(body),
        ret: buf.readBigInt64LE(body + 8),
        unseen: (flags & 1) !== 0,
        captures: readCaptures(buf, body + 16, end, ncap),
      });
    } else if (type === RecordType.signal) {
      const siginfo = Buffer.from(buf.subarray(body, end));
      out.push({
        type: 'signal',
        tid,
        pid,
        timeNs,
        signo: aux,
        code: siginfo.length >= 12 ? siginfo.readInt32LE(8) : 0,
        siginfo,
      });
    } else if (type === RecordType.message) {
      out.push({ type: 'message', tid, pid, timeNs, errno: aux, text: buf.toString('utf8', body, end) });
    } else if (type === RecordType.counts) {
      const rows = [];
      for (let i = 0; i < aux; i++) {
        const p = body + 40 * i;
        rows.push({
          nr: buf.readUInt32LE(p),
          calls: Number(buf.readBigUInt64LE(p + 8)),
          errors: Number(buf.readBigUInt64LE(p + 16)),
          ns: Number(buf.readBigUInt64LE(p + 24)),
          sysNs: Number(buf.readBigUInt64LE(p + 32)),
        });
      }
      out.push({ type: 'counts', rows });
    } else if (type === RecordType.exec) {
      out.push({ type: 'exec', tid, pid, timeNs, aux, flags, argv: Buffer.from(buf.subarray(body, end)) });
    } else if (TASK_TYPES[type]) {
      out.push({ type: TASK_TYPES[type], tid, pid, timeNs, aux, flags });
    }
    at = end;
  }
  return out;
}
