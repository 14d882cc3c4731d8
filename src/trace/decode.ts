/**
 * Argument decoding: one spec per syscall (argument types), from which both the capture specs
 * for the engine (what to read from tracee memory) and the strace-style rendering derive.
 * Syscalls without a spec, and arguments whose memory could not be read, render as raw hex:
 * never a guessed decode.
 */
import { readlinkSync } from 'node:fs';
import type { DecodedArg } from './types.js';
import { Cap, type Capture } from './records.js';
import { syscallByName, SYSCALLS } from './syscalls.js';
import { signalName } from './signals.js';
import * as F from './flags.js';

type ArgType =
  | 'fd'
  | 'dirfd'
  | 'path'
  | 'str'
  | 'int'
  | 'uint'
  | 'hex'
  | 'ptr'
  | 'oflags'
  | 'mode'
  | 'prot'
  | 'mapflags'
  | 'atflags'
  | 'clone'
  | 'signal'
  | 'sigset'
  | 'sigset_out'
  | 'sigaction'
  | 'sigaction_out'
  | 'sighow'
  | 'timespec'
  | 'timespec_out'
  | 'stat_out'
  | 'futexop'
  | 'epollop'
  | 'epollevent'
  | 'epollevents_out'
  | 'pollfds'
  | 'argv'
  | 'envp'
  | 'whence'
  | 'accessmode'
  | 'pipefds'
  | 'domain'
  | 'socktype'
  | 'fcntlcmd'
  | 'wstatus'
  | 'rlimit_res'
  | 'archprctl'
  | 'madvise'
  | 'clockid'
  | 'clone3args'
  | `bufin:${number}`
  | 'bufout'
  | `bufoutarg:${number}`
  | `iovin:${number}`
  | `iovout:${number}`
  | `sockaddr:${number}`
  | `sockaddr_out:${number}`;

interface Spec {
  args: ArgType[];
  ret?: 'fd' | 'hex' | 'int';
}

const S = (args: string, ret?: Spec['ret']): Spec => ({ args: args.split(/\s+/).filter(Boolean) as ArgType[], ret });

/** The syscalls that make up nearly all of a typical program's calls. */
const SPECS: Record<string, Spec> = {
  read: S('fd bufout uint'),
  write: S('fd bufin:2 uint'),
  pread64: S('fd bufout uint int'),
  pwrite64: S('fd bufin:2 uint int'),
  readv: S('fd iovout:2 int'),
  writev: S('fd iovin:2 int'),
  open: S('path oflags mode', 'fd'),
  openat: S('dirfd path oflags mode', 'fd'),
  creat: S('path mode', 'fd'),
  close: S('fd'),
  stat: S('path stat_out'),
  lstat: S('path stat_out'),
  fstat: S('fd stat_out'),
  newfstatat: S('dirfd path stat_out atflags'),
  lseek: S('fd int whence'),
  access: S('path accessmode'),
  faccessat: S('dirfd path accessmode'),
  faccessat2: S('dirfd path accessmode atflags'),
  mmap: S('ptr uint prot mapflags fd hex', 'hex'),
  mprotect: S('ptr uint prot'),
  munmap: S('ptr uint'),
  brk: S('ptr', 'hex'),
  madvise: S('ptr uint madvise'),
  rt_sigaction: S('signal sigaction sigaction_out uint'),
  rt_sigprocmask: S('sighow sigset sigset_out uint'),
  rt_sigreturn: S(''),
  ioctl: S('fd hex hex'),
  pipe: S('pipefds'),
  pipe2: S('pipefds oflags'),
  dup: S('fd', 'fd'),
  dup2: S('fd fd', 'fd'),
  dup3: S('fd fd oflags', 'fd'),
  fcntl: S('fd fcntlcmd hex'),
  getpid: S(''),
  getppid: S(''),
  gettid: S(''),
  getuid: S(''),
  geteuid: S(''),
  getgid: S(''),
  getegid: S(''),
  exit: S('int'),
  exit_group: S('int'),
  kill: S('int signal'),
  tkill: S('int signal'),
  tgkill: S('int int signal'),
  execve: S('path argv envp'),
  wait4: S('int wstatus hex ptr'),
  clone: S('clone ptr ptr ptr hex'),
  clone3: S('clone3args uint'),
  fork: S(''),
  vfork: S(''),
  nanosleep: S('timespec timespec_out'),
  clock_nanosleep: S('clockid hex timespec timespec_out'),
  clock_gettime: S('clockid timespec_out'),
  futex: S('ptr futexop int timespec ptr int'),
  set_tid_address: S('ptr'),
  set_robust_list: S('ptr uint'),
  rseq: S('ptr uint hex hex'),
  arch_prctl: S('archprctl hex'),
  prlimit64: S('int rlimit_res ptr ptr'),
  getrandom: S('bufoutarg:1 uint hex'),
  unlink: S('path'),
  unlinkat: S('dirfd path atflags'),
  mkdir: S('path mode'),
  mkdirat: S('dirfd path mode'),
  rmdir: S('path'),
  rename: S('path path'),
  renameat: S('dirfd path dirfd path'),
  renameat2: S('dirfd path dirfd path hex'),
  chdir: S('path'),
  fchdir: S('fd'),
  readlink: S('path bufout uint'),
  readlinkat: S('dirfd path bufout uint'),
  getcwd: S('bufout uint'),
  getdents64: S('fd ptr uint'),
  fsync: S('fd'),
  fdatasync: S('fd'),
  ftruncate: S('fd int'),
  truncate: S('path int'),
  socket: S('domain socktype int', 'fd'),
  connect: S('fd sockaddr:2 uint'),
  bind: S('fd sockaddr:2 uint'),
  listen: S('fd int'),
  accept: S('fd sockaddr_out:2 ptr', 'fd'),
  accept4: S('fd sockaddr_out:2 ptr oflags', 'fd'),
  sendto: S('fd bufin:2 uint hex sockaddr:5 uint'),
  recvfrom: S('fd bufout uint hex sockaddr_out:5 ptr'),
  shutdown: S('fd int'),
  getsockname: S('fd sockaddr_out:2 ptr'),
  getpeername: S('fd sockaddr_out:2 ptr'),
  socketpair: S('domain socktype int pipefds'),
  poll: S('pollfds uint int'),
  ppoll: S('pollfds uint timespec sigset uint'),
  epoll_create1: S('oflags', 'fd'),
  epoll_ctl: S('fd epollop fd epollevent'),
  epoll_wait: S('fd epollevents_out int int'),
  epoll_pwait: S('fd epollevents_out int int sigset uint'),
  eventfd2: S('uint oflags', 'fd'),
  io_uring_setup: S('uint ptr', 'fd'),
  io_uring_enter: S('fd uint uint hex ptr uint'),
  sched_yield: S(''),
  sched_getaffinity: S('int uint ptr'),
  getrusage: S('int ptr'),
  umask: S('mode'),
  chmod: S('path mode'),
  fchmod: S('fd mode'),
  fchmodat: S('dirfd path mode'),
  alarm: S('uint'),
  pause: S(''),
  sigaltstack: S('ptr ptr'),
};

export const SPEC_NAMES = Object.keys(SPECS);

function captureSpec(t: ArgType): number {
  const [kind, param] = t.split(':') as [string, string | undefined];
  const ref = param === undefined ? 0 : Number(param);
  const pack = (k: number, r: number, size: number) => k | (r << 8) | (size << 16);
  switch (kind) {
    case 'path':
      return pack(Cap.path, 0, 0);
    case 'str':
      return pack(Cap.str, 0, 0);
    case 'bufin':
      return pack(Cap.bufIn, ref, 0);
    case 'bufout':
      return pack(Cap.bufOutRet, 0, 0);
    case 'bufoutarg':
      return pack(Cap.bufOutArg, ref, 0);
    case 'iovin':
      return pack(Cap.iovIn, ref, 0);
    case 'iovout':
      return pack(Cap.iovOut, ref, 0);
    case 'sockaddr':
      return pack(Cap.rawIn, ref, 128);
    case 'sockaddr_out':
      return pack(Cap.sockaddrOut, ref, 128);
    case 'stat_out':
      return pack(Cap.structOut, 0, 144);
    case 'timespec':
      return pack(Cap.structIn, 0, 16);
    case 'timespec_out':
      return pack(Cap.structOut, 0, 16);
    case 'sigset':
      return pack(Cap.structIn, 0, 8);
    case 'sigset_out':
      return pack(Cap.structOut, 0, 8);
    case 'sigaction':
      return pack(Cap.structIn, 0, 32);
    case 'sigaction_out':
      return pack(Cap.structOut, 0, 32);
    case 'argv':
      return pack(Cap.argv, 0, 0);
    case 'envp':
      return pack(Cap.argc, 0, 0);
    case 'pipefds':
      return pack(Cap.structOut, 0, 8);
    case 'wstatus':
      return pack(Cap.structOut, 0, 4);
    case 'epollevent':
      return pack(Cap.structIn, 0, 12);
    case 'epollevents_out':
      return pack(Cap.arrayOutRet, 0, 12);
    case 'pollfds':
      return pack(Cap.arrayOutArg, 1, 8);
    case 'clone3args':
      return pack(Cap.structIn, 0, 64);
    default:
      return 0;
  }
}

/**
 * The engine's capture table: 512 syscalls x 6 arguments. With `showPaths` (-y) the engine also
 * reads the path behind every fd argument at entry and behind a returned fd at exit: strace
 * resolves them at the stop, and so must we. Later, when the batch reaches JS, the call may have
 * closed the fd (close, dup2's newfd) or the tracee may have reused the number or exited.
 */
export function buildCaptureTable(opts: { showPaths?: boolean } = {}): Uint32Array {
  const table = new Uint32Array(512 * 6);
  for (const [name, spec] of Object.entries(SPECS)) {
    const info = syscallByName(name);
    if (!info) continue;
    spec.args.forEach((t, i) => (table[info.nr * 6 + i] = captureSpec(t)));
    if (!opts.showPaths) continue;
    spec.args.forEach((t, i) => {
      if (t === 'fd' || t === 'dirfd') table[info.nr * 6 + i] = Cap.fdPath;
    });
    // The returned fd's path goes in the last slot: no fd-returning syscall has six arguments.
    if (spec.ret === 'fd') {
      if (spec.args.length >= 6) throw new Error(`${name}: no free capture slot for the returned fd`);
      table[info.nr * 6 + 5] = Cap.fdPathRet;
    }
  }
  return table;
}

// ---- rendering --------------------------------------------------------------------------------

/** strace's quoting: printable ASCII as is, C escapes, octal for the rest. */
export function quote(data: Buffer, truncated: boolean): string {
  let s = '"';
  for (let i = 0; i < data.length; i++) {
    const c = data[i]!;
    const next = data[i + 1];
    if (c === 0x22) s += '\\"';
    else if (c === 0x5c) s += '\\\\';
    else if (c === 0x0a) s += '\\n';
    else if (c === 0x09) s += '\\t';
    else if (c === 0x0d) s += '\\r';
    else if (c === 0x0b) s += '\\v';
    else if (c === 0x0c) s += '\\f';
    else if (c >= 0x20 && c < 0x7f) s += String.fromCharCode(c);
    else {
      const octal = c.toString(8);
      s += next !== undefined && next >= 0x30 && next <= 0x37 ? `\\${octal.padStart(3, '0')}` : `\\${octal}`;
    }
  }
  return s + (truncated ? '"...' : '"');
}

const hex = (v: bigint) => `0x${v.toString(16)}`;
const ptr = (v: bigint) => (v === 0n ? 'NULL' : hex(v));
const i32 = (v: bigint) => Number(BigInt.asIntN(32, v));
const i64 = (v: bigint) => BigInt.asIntN(64, v);

/**
 * An fd, with -y its path: the one the engine read at the stop when there is a capture (none
 * when the fd had no path: closed, invalid), else (eBPF, --live) a readlink now.
 */
function fdText(fd: number, pid: number, showPaths: boolean, c?: Capture): string {
  if (!showPaths) return String(fd);
  if (c && (c.kind === Cap.fdPath || c.kind === Cap.fdPathRet))
    return c.fault ? String(fd) : `${fd}<${c.data.toString('utf8')}>`;
  if (fd < 0) return String(fd);
  try {
    return `${fd}<${readlinkSync(`/proc/${pid}/fd/${fd}`)}>`;
  } catch {
    return String(fd);
  }
}

function sigsetText(data: Buffer): string {
  const mask = data.readBigUInt64LE(0);
  const names: string[] = [];
  let count = 0;
  for (let s = 1; s <= 64; s++) if (mask & (1n << BigInt(s - 1))) count++;
  const inverse = count > 32;
  for (let s = 1; s <= 64; s++) {
    const set = (mask & (1n << BigInt(s - 1))) !== 0n;
    if (set !== inverse) {
      if ((s === 9 || s === 19) && inverse) continue;
      names.push(signalName(s).replace(/^SIG/, ''));
    }
  }
  return `${inverse ? '~' : ''}[${names.join(' ')}]`;
}

function timespecText(d: Buffer): string {
  return `{tv_sec=${d.readBigInt64LE(0)}, tv_nsec=${d.readBigInt64LE(8)}}`;
}

function statText(d: Buffer): string {
  const mode = d.readUInt32LE(24);
  const type = mode & 0o170000;
  if (type === 0o20000 || type === 0o60000) {
    const rdev = d.readBigUInt64LE(40);
    const major = Number(((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn));
    const minor = Number((rdev & 0xffn) | ((rdev >> 12n) & ~0xffn));
    return `{st_mode=${F.renderMode(mode, true)}, st_rdev=makedev(0x${major.toString(16)}, 0x${minor.toString(16)}), ...}`;
  }
  return `{st_mode=${F.renderMode(mode, true)}, st_size=${d.readBigInt64LE(48)}, ...}`;
}

function sockaddrText(d: Buffer): string {
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

function wstatusText(v: number): string {
  const sig = v & 0x7f;
  if (sig === 0) return `[{WIFEXITED(s) && WEXITSTATUS(s) == ${(v >> 8) & 0xff}}]`;
  if (sig === 0x7f) return `[{WIFSTOPPED(s) && WSTOPSIG(s) == ${signalName((v >> 8) & 0xff)}}]`;
  return `[{WIFSIGNALED(s) && WTERMSIG(s) == ${signalName(sig)}${v & 0x80 ? ' && WCOREDUMP(s)' : ''}}]`;
}

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

export interface DecodeContext {
  pid: number;
  /** -y: show the path behind each fd. */
  showPaths: boolean;
}

/** Whether argument i is rendered at exit (an output argument). */
export function isOutputArg(name: string, i: number): boolean {
  const t = SPECS[name]?.args[i];
  if (!t) return false;
  return /^(bufout|iovout|sockaddr_out|stat_out|timespec_out|sigset_out|sigaction_out|pipefds|wstatus|epollevents_out|pollfds)/.test(
    t,
  );
}

/** Number of arguments strace shows for a syscall without a spec. */
function rawArgCount(name: string): number {
  return SPECS[name]?.args.length ?? 6;
}

/**
 * Renders the arguments of one call. `ret` is null when the call has not returned (entry only):
 * output arguments then render as their address.
 */
export function decodeArgs(
  name: string,
  raw: bigint[],
  captures: Capture[],
  ret: bigint | null,
  ctx: DecodeContext,
): DecodedArg[] {
  const spec = SPECS[name];
  let n = spec ? spec.args.length : rawArgCount(name);
  // strace shows open's mode only when it matters (O_CREAT, O_TMPFILE).
  const flagsArg = name === 'openat' ? 2 : name === 'open' ? 1 : -1;
  if (flagsArg >= 0 && (Number(raw[flagsArg] ?? 0n) & 0o20200100) === 0) n = flagsArg + 1;
  const out: DecodedArg[] = [];
  for (let i = 0; i < n; i++) {
    const v = raw[i] ?? 0n;
    const type = spec?.args[i] ?? 'hex';
    const capture = captures.find(
      (c) => c.arg === i && c.kind !== Cap.fdPathRet && (!c.fault || c.kind === Cap.fdPath),
    );
    out.push({ name: `arg${i}`, text: renderArg(type, v, capture, ret, ctx, raw, name) });
  }
  return out;
}

function renderArg(
  type: ArgType,
  v: bigint,
  c: Capture | undefined,
  ret: bigint | null,
  ctx: DecodeContext,
  raw: bigint[],
  name: string,
): string {
  const [kind] = type.split(':') as [string];
  const failed = ret !== null && i64(ret) < 0n && i64(ret) >= -4095n;
  switch (kind) {
    case 'fd':
      return fdText(i32(v), ctx.pid, ctx.showPaths, c);
    case 'dirfd':
      if (i32(v) !== -100) return fdText(i32(v), ctx.pid, ctx.showPaths, c);
      // strace -y: AT_FDCWD</the/cwd>
      return c?.kind === Cap.fdPath && !c.fault && ctx.showPaths ? `AT_FDCWD<${c.data.toString('utf8')}>` : 'AT_FDCWD';
    case 'int':
      return String(name === 'lseek' || name === 'pread64' || name === 'pwrite64' ? i64(v) : i32(v));
    case 'uint':
      return String(v);
    case 'hex':
      return v === 0n ? '0' : hex(v);
    case 'ptr':
      return ptr(v);
    case 'oflags':
      return name.startsWith('open') || name === 'creat'
        ? F.renderOpenFlags(Number(v & 0xffffffffn))
        : F.renderFlags(Number(v), F.OPEN_FLAGS);
    case 'mode':
      return F.renderMode(Number(v), false);
    case 'prot':
      return F.renderFlags(Number(v), F.PROT_FLAGS, 'PROT_NONE');
    case 'mapflags':
      return F.renderMapFlags(Number(v));
    case 'atflags':
      return F.renderFlags(Number(v), F.AT_FLAGS);
    case 'clone': {
      const flags = Number(v & 0xffffffffn);
      const sig = flags & 0xff;
      const text = F.renderFlags(flags & ~0xff, F.CLONE_FLAGS, '');
      const parts = [text, sig ? signalName(sig) : ''].filter(Boolean).join('|');
      return `flags=${parts || '0'}`;
    }
    case 'signal':
      return i32(v) > 0 && i32(v) <= 64 ? signalName(i32(v)) : String(i32(v));
    case 'sighow':
      return F.renderEnum(Number(v), F.SIGPROCMASK_HOW);
    case 'futexop':
      return F.renderFutexOp(Number(v));
    case 'epollop':
      return F.renderEnum(Number(v), F.EPOLL_CTL_OPS);
    case 'whence':
      return F.renderEnum(Number(v), F.SEEK_WHENCE);
    case 'accessmode':
      return Number(v) === 0 ? 'F_OK' : F.renderFlags(Number(v), F.ACCESS_MODES);
    case 'domain':
      return F.renderEnum(Number(v), F.ADDRESS_FAMILIES);
    case 'socktype':
      return F.renderSockType(Number(v));
    case 'fcntlcmd':
      return F.renderEnum(Number(v), F.FCNTL_CMDS);
    case 'rlimit_res':
      return F.renderEnum(Number(v), F.RLIMITS);
    case 'archprctl':
      return F.renderEnum(Number(v), F.ARCH_PRCTL, hex(v));
    case 'madvise':
      return F.renderEnum(Number(v), F.MADVISE);
    case 'clockid':
      return F.renderEnum(Number(v), F.CLOCKS);
  }
  // Memory-backed arguments: no capture (NULL, fault, not yet returned) → the address.
  if (v === 0n) return 'NULL';
  if (!c) return hex(v);
  const d = c.data;
  switch (kind) {
    case 'path':
    case 'str':
      return quote(d, c.truncated);
    case 'bufin':
    case 'bufout':
    case 'bufoutarg':
      return quote(d, c.truncated);
    case 'iovin':
    case 'iovout':
      return iovText(c);
    case 'sockaddr':
    case 'sockaddr_out':
      return sockaddrText(d);
    case 'stat_out':
      return d.length >= 144 ? statText(d) : hex(v);
    case 'timespec':
    case 'timespec_out':
      return d.length >= 16 ? timespecText(d) : hex(v);
    case 'sigset':
    case 'sigset_out':
      return d.length >= 8 ? sigsetText(d) : hex(v);
    case 'sigaction':
    case 'sigaction_out': {
      if (d.length < 32) return hex(v);
      const h = d.readBigUInt64LE(0);
      const handler = h === 0n ? 'SIG_DFL' : h === 1n ? 'SIG_IGN' : hex(h);
      const flags = Number(d.readBigUInt64LE(8) & 0xffffffffn);
      const restorer = flags & 0x04000000 ? `, sa_restorer=${hex(d.readBigUInt64LE(16))}` : '';
      return `{sa_handler=${handler}, sa_mask=${sigsetText(d.subarray(24, 32))}, sa_flags=${F.renderFlags(flags, F.SA_FLAGS)}${restorer}}`;
    }
    case 'argv':
      return argvText(c);
    case 'envp': {
      const count = d.readUInt32LE(0);
      return `${hex(v)} /* ${count} var${count === 1 ? '' : 's'} */`;
    }
    case 'pipefds':
      return failed || d.length < 8 ? hex(v) : `[${d.readInt32LE(0)}, ${d.readInt32LE(4)}]`;
    case 'wstatus':
      return d.length >= 4 && ret !== null && i64(ret) > 0n ? wstatusText(d.readInt32LE(0)) : hex(v);
    case 'epollevent':
      return d.length >= 12
        ? `{events=${F.renderFlags(d.readUInt32LE(0), F.EPOLL_EVENTS)}, data=${hex(d.readBigUInt64LE(4))}}`
        : hex(v);
    case 'epollevents_out': {
      const items = [];
      for (let at = 0; at + 12 <= d.length; at += 12)
        items.push(
          `{events=${F.renderFlags(d.readUInt32LE(at), F.EPOLL_EVENTS)}, data=${hex(d.readBigUInt64LE(at + 4))}}`,
        );
      return `[${items.join(', ')}]`;
    }
    case 'pollfds': {
      const items = [];
      for (let at = 0; at + 8 <= d.length; at += 8)
        items.push(`{fd=${d.readInt32LE(at)}, events=${F.renderFlags(d.readUInt16LE(at + 4), F.POLL_EVENTS)}}`);
      return `[${items.join(', ')}]`;
    }
    case 'clone3args': {
      if (d.length < 64) return hex(v);
      const flags = Number(d.readBigUInt64LE(0) & 0xffffffffn);
      const sig = Number(d.readBigUInt64LE(32));
      return `{flags=${F.renderFlags(flags, F.CLONE_FLAGS)}, exit_signal=${sig ? signalName(sig) : '0'}, stack=${ptr(d.readBigUInt64LE(40))}, stack_size=${hex(d.readBigUInt64LE(48))}}`;
    }
  }
  void raw;
  return hex(v);
}

/** The return value as strace prints it (without the errno part); `captures`: the exit's. */
export function renderReturn(name: string, ret: bigint, ctx: DecodeContext, captures: Capture[] = []): string {
  const kind = SPECS[name]?.ret;
  if (kind === 'hex') return hex(BigInt.asUintN(64, ret));
  if (kind === 'fd' && ret >= 0n)
    return fdText(
      Number(ret),
      ctx.pid,
      ctx.showPaths,
      captures.find((c) => c.kind === Cap.fdPathRet),
    );
  return String(ret);
}

/** Every syscall the decoder knows (for tests: all must exist in the table). */
export function specSyscalls(): string[] {
  return SPEC_NAMES.filter((n) => SYSCALLS.some((s) => s.name === n));
}
