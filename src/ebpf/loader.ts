/**
 * Opening, configuring, loading and attaching one of the committed BPF objects
 * (native/bpf/<tool>.bpf.o), reading its maps and draining its ring buffer; and releasing all of
 * it on close, on error, on exit and on Ctrl-C (every open session is tracked here).
 */
import { existsSync } from 'node:fs';
import koffi from 'koffi';
import { resolve } from 'node:path';
import { PACKAGE_ROOT } from '../util/package.js';
import { UserError } from '../util/errors.js';
import { clearLibbpfLog, copyBytes, isNull, lastErrno, libbpf, type Ptr } from '../native/libbpf.js';
import { loadAddon } from '../native/addon.js';
import { CFG_SIZE, encodeConfig, type BpfFilter } from './config.js';
import { requireBpf } from './caps.js';
import { closeSync } from 'node:fs';

function closeFd(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
}

export const BPF_DIR = resolve(PACKAGE_ROOT, 'native/bpf');

export interface OpenOptions {
  filter: BpfFilter;
  /** Programs to load (by function name); the others are not loaded. Default: all. */
  programs?: string[];
  /** Map sizes to override before load. */
  maxEntries?: Record<string, number>;
  /** Programs loaded but attached by the caller (uprobes: attachUprobe), not at open. */
  manual?: string[];
  /** Attach types to load programs with (uprobe_multi: BPF_TRACE_UPROBE_MULTI). */
  expectedAttachType?: Record<string, number>;
}

/** enum bpf_attach_type: a uprobe_multi link's programs are loaded with it (Linux 6.6+). */
export const BPF_TRACE_UPROBE_MULTI = 48;
const BPF_LINK_CREATE = 28;
const BPF_F_UPROBE_MULTI_RETURN = 1;
const ENOTSUPP = 524;

const openSessions = new Set<BpfSession>();
let exitHookInstalled = false;

/** Releases every open session: the process is going away (exit, fatal error). */
export function closeAllSessions(): void {
  for (const s of [...openSessions]) s.close();
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', closeAllSessions);
}

const errnoName = (e: number) =>
  ({ 1: 'EPERM', 2: 'ENOENT', 7: 'E2BIG', 13: 'EACCES', 22: 'EINVAL', 95: 'EOPNOTSUPP' })[e] ?? `errno ${e}`;

/**
 * Where the libbpf/verifier log of a failure is: in memory only (src/native/libbpf.ts's libbpfLog(), which `--verbose`
 * prints). It is never written to a file: a predictable /tmp path written by root could be a
 * symlink planted by any local user.
 */
const LOG_HINT = 'rerun with --verbose for the libbpf and verifier log';

/** A ring buffer being drained (see BpfSession.streamRing). */
export interface RingStream {
  /** Drains what is left, then resolves once every record has been handed over. */
  stop(): Promise<void>;
}

/** What user space lets wait for JS before it leaves records in the kernel ring. */
const MAX_QUEUED_BYTES = 512 << 20;
const RECORD_BUSY = 0x80000000;
const RECORD_DISCARD = 0x40000000;

/** Calls onRecord for each record of a drained batch (the kernel's ring-buffer framing). */
export function forEachRecord(batch: Buffer, onRecord: (data: Buffer) => void): void {
  for (let at = 0; at + 8 <= batch.length;) {
    const hdr = batch.readUInt32LE(at);
    const len = hdr & ~(RECORD_BUSY | RECORD_DISCARD);
    if (!(hdr & RECORD_DISCARD)) onRecord(batch.subarray(at + 8, at + 8 + len));
    at += (len + 8 + 7) & ~7;
  }
}

export class BpfSession {
  private obj: Ptr;
  private links: Ptr[] = [];
  /** Links made with bpf(2) directly (uprobe_multi): closing the fd destroys the link. */
  private linkFds: number[] = [];
  private rings: number[] = [];
  /** perf_event fds whose BPF links are in `links`: closed after the links on close(). */
  private perfFds: number[] = [];
  private closed = false;
  readonly possibleCpus: number;

  /** Opens native/bpf/<tool>.bpf.o, writes the filter into .rodata, loads and attaches it. */
  constructor(
    readonly tool: string,
    opts: OpenOptions,
  ) {
    requireBpf(tool);
    const l = libbpf();
    this.possibleCpus = l.libbpf_num_possible_cpus();
    const path = resolve(BPF_DIR, `${tool}.bpf.o`);
    if (!existsSync(path)) throw new UserError(`BPF object ${path} is missing (rebuild with \`npm run build:bpf\`)`);
    clearLibbpfLog();
    this.obj = l.bpf_object__open_file(path, null);
    if (isNull(this.obj)) throw new UserError(`cannot open ${path}: ${errnoName(lastErrno())}`);
    openSessions.add(this);
    installExitHook();
    try {
      this.configure(opts);
      const rc = l.bpf_object__load(this.obj);
      if (rc !== 0) {
        throw new UserError(`the kernel refused the ${tool} BPF programs (${errnoName(-rc)}); ${LOG_HINT}`);
      }
      this.attachAll(new Set(opts.manual ?? []));
    } catch (err) {
      this.close();
      throw err;
    }
  }

  private configure(opts: OpenOptions): void {
    const l = libbpf();
    const wanted = opts.programs ? new Set(opts.programs) : undefined;
    const followFork = opts.filter.filterPids && opts.filter.followChildren;
    for (let p = l.bpf_object__next_program(this.obj, null); !isNull(p); p = l.bpf_object__next_program(this.obj, p)) {
      const name = l.bpf_program__name(p);
      const load =
        name === 'oslens_follow_fork'
          ? followFork
          : name === 'oslens_unfollow_exit' || name === 'oslens_gate_exec'
            ? opts.filter.filterPids
            : !wanted || wanted.has(name);
      l.bpf_program__set_autoload(p, load);
      const type = opts.expectedAttachType?.[name];
      if (type !== undefined) l.bpf_program__set_expected_attach_type(p, type);
    }
    let rodata: Ptr | undefined;
    for (let m = l.bpf_object__next_map(this.obj, null); !isNull(m); m = l.bpf_object__next_map(this.obj, m)) {
      const name = l.bpf_map__name(m);
      if (name.endsWith('.rodata')) rodata = m;
      const size = opts.maxEntries?.[name];
      if (size !== undefined) l.bpf_map__set_max_entries(m, size);
    }
    if (!rodata) throw new Error(`${this.tool}.bpf.o has no .rodata (the filter config)`);
    // `cfg` is at offset 0 of .rodata (common.h); the compiler may put constants after it.
    const psize = Buffer.alloc(8);
    const current = l.bpf_map__initial_value(rodata, psize);
    const size = Number(psize.readBigUInt64LE(0));
    if (isNull(current) || size < CFG_SIZE) throw new Error(`${this.tool}.bpf.o: .rodata has no filter config`);
    const data = copyBytes(current, size);
    encodeConfig(opts.filter).copy(data, 0);
    if (l.bpf_map__set_initial_value(rodata, data, size) !== 0) {
      throw new Error(`${this.tool}.bpf.o: cannot set the filter config`);
    }
  }

  private attachAll(manual: Set<string>): void {
    const l = libbpf();
    const progs: Ptr[] = [];
    for (let p = l.bpf_object__next_program(this.obj, null); !isNull(p); p = l.bpf_object__next_program(this.obj, p)) {
      if (l.bpf_program__autoload(p) && !manual.has(l.bpf_program__name(p))) progs.push(p);
    }
    // Programs on one tracepoint run in attach order. The followed-set upkeep (common.h) runs
    // after the tools' own programs, so a tool's exit handler still sees the process followed;
    // but the gate's exec is marked first, so a tool's exec handler sees the command followed.
    const order = (p: Ptr) => {
      const name = l.bpf_program__name(p);
      return name === 'oslens_gate_exec' ? -1 : name.startsWith('oslens_') ? 1 : 0;
    };
    progs.sort((a, b) => order(a) - order(b));
    for (const p of progs) {
      const link = l.bpf_program__attach(p);
      if (isNull(link)) {
        const name = l.bpf_program__name(p);
        throw new UserError(`cannot attach ${this.tool}/${name}: ${errnoName(lastErrno())}; ${LOG_HINT}`);
      }
      this.links.push(link);
    }
  }

  /**
   * Attaches `program` to an open perf event (perf_event_open fd); the session owns the fd from
   * now on and closes it after destroying the link, also when attaching fails.
   */
  attachPerfEvent(program: string, pfd: number): void {
    const l = libbpf();
    this.perfFds.push(pfd);
    const p = l.bpf_object__find_program_by_name(this.obj, program);
    if (isNull(p)) throw new Error(`${this.tool}.bpf.o has no program ${program}`);
    const link = l.bpf_program__attach_perf_event(p, pfd);
    if (isNull(link)) {
      throw new UserError(
        `cannot attach ${this.tool}/${program} to a perf event: ${errnoName(lastErrno())}; ${LOG_HINT}`,
      );
    }
    this.links.push(link);
  }

  /**
   * Attaches the (manual) program `prog` to the instruction at file offset `offset` of the ELF
   * file `path`: a uprobe, or with `retprobe` a uretprobe on the function starting there. `pid`
   * -1: in every process that maps the file; else only in that one. `cookie` is what the
   * program's bpf_get_attach_cookie() returns. The link is released with the session.
   */
  attachUprobe(prog: string, pid: number, path: string, offset: number, cookie: number, retprobe: boolean): void {
    const l = libbpf();
    const p = l.bpf_object__find_program_by_name(this.obj, prog);
    if (isNull(p)) throw new Error(`${this.tool}.bpf.o has no program ${prog}`);
    // struct bpf_uprobe_opts (libbpf 1.1): sz, ref_ctr_offset, bpf_cookie, retprobe, func_name.
    const opts = Buffer.alloc(40);
    opts.writeBigUInt64LE(40n, 0);
    opts.writeBigUInt64LE(BigInt(cookie), 16);
    opts[24] = retprobe ? 1 : 0;
    const link = l.bpf_program__attach_uprobe_opts(p, pid, path, offset, opts);
    if (isNull(link)) {
      const errno = lastErrno();
      if (errno === 3 && pid > 0) throw new UserError(`process ${pid} exited before its probes were attached`, 3);
      const at = `${path}+0x${offset.toString(16)}`;
      throw new UserError(`cannot attach a ${retprobe ? 'uretprobe' : 'uprobe'} at ${at}: ${errnoName(errno)}`);
    }
    this.links.push(link);
  }

  /**
   * One uprobe_multi link (Linux 6.6+; the program loaded with BPF_TRACE_UPROBE_MULTI): `prog`
   * on every offset of `path` at once, each with its cookie; `pid` as for attachUprobe. One
   * link, so removing a thousand probes takes one RCU grace period, not a thousand. An offset
   * the kernel cannot probe (an instruction uprobes refuse, `lock decl`: ENOTSUPP) fails the
   * whole link: those are found by halving and returned, the rest attached.
   */
  attachUprobeMulti(
    prog: string,
    pid: number,
    path: string,
    offsets: number[],
    cookies: number[],
    retprobe: boolean,
  ): number[] {
    if (offsets.length === 0) return [];
    const l = libbpf();
    const p = l.bpf_object__find_program_by_name(this.obj, prog);
    if (isNull(p)) throw new Error(`${this.tool}.bpf.o has no program ${prog}`);
    const pathBytes = Buffer.from(`${path}\0`);
    const at = Math.ceil(pathBytes.length / 8) * 8;
    const size = at + 16 * offsets.length;
    const mem = koffi.alloc('uint8_t', size);
    try {
      const view = Buffer.from(koffi.view(mem, size));
      pathBytes.copy(view, 0);
      offsets.forEach((o, i) => {
        view.writeBigUInt64LE(BigInt(o), at + 8 * i);
        view.writeBigUInt64LE(BigInt(cookies[i]!), at + 8 * (offsets.length + i));
      });
      const base = koffi.address(mem);
      // union bpf_attr, link_create: prog_fd, target_fd, attach_type, flags, then uprobe_multi's
      // path, offsets, ref_ctr_offsets, cookies, cnt, flags, pid.
      const attr = Buffer.alloc(64);
      attr.writeUInt32LE(l.bpf_program__fd(p), 0);
      attr.writeUInt32LE(BPF_TRACE_UPROBE_MULTI, 8);
      attr.writeBigUInt64LE(base, 16);
      attr.writeBigUInt64LE(base + BigInt(at), 24);
      attr.writeBigUInt64LE(base + BigInt(at + 8 * offsets.length), 40);
      attr.writeUInt32LE(offsets.length, 48);
      attr.writeUInt32LE(retprobe ? BPF_F_UPROBE_MULTI_RETURN : 0, 52);
      attr.writeUInt32LE(pid > 0 ? pid : 0, 56);
      const fd = l.bpf(BPF_LINK_CREATE, attr);
      if (fd >= 0) {
        this.linkFds.push(fd);
        return [];
      }
      const errno = lastErrno();
      if (errno === 3 && pid > 0) throw new UserError(`process ${pid} exited before its probes were attached`, 3);
      if (errno === ENOTSUPP) {
        if (offsets.length === 1) return offsets;
        const half = offsets.length >> 1;
        return [
          ...this.attachUprobeMulti(prog, pid, path, offsets.slice(0, half), cookies.slice(0, half), retprobe),
          ...this.attachUprobeMulti(prog, pid, path, offsets.slice(half), cookies.slice(half), retprobe),
        ];
      }
      throw new UserError(
        `cannot attach ${offsets.length} ${retprobe ? 'uretprobes' : 'uprobes'} in ${path}: ${errnoName(errno)}; ${LOG_HINT}`,
      );
    } finally {
      koffi.free(mem);
    }
  }

  mapFd(name: string): number {
    const known = this.mapFds.get(name);
    if (known !== undefined) return known;
    const l = libbpf();
    const m = l.bpf_object__find_map_by_name(this.obj, name);
    if (isNull(m)) throw new Error(`${this.tool}.bpf.o has no map ${name}`);
    const fd = l.bpf_map__fd(m);
    this.mapFds.set(name, fd); // a map's fd is the object's for its life
    return fd;
  }

  private readonly mapFds = new Map<string, number>();

  /**
   * Adds a tgid to the followed set (the filter of -p PID and `-- CMD`). `fromExec`: only from
   * its next execve on (the gate of a `-- CMD`, whose own calls are not the command's).
   */
  follow(pid: number, fromExec = false): void {
    const key = Buffer.alloc(4);
    key.writeUInt32LE(pid);
    libbpf().bpf_map_update_elem(this.mapFd('followed'), key, Buffer.from([fromExec ? 2 : 1]), 0);
  }

  /**
   * Every (key, value) of a hash or array map, read in batches (one syscall per few thousand
   * entries, not two per entry); keys and values are views into two shared buffers.
   */
  entries(map: string, keySize: number, valueSize: number): { key: Buffer; value: Buffer }[] {
    const l = libbpf();
    const fd = this.mapFd(map);
    // No bigger than the map (a 1024-slot per-CPU array on many CPUs is already large).
    const max = l.bpf_map__max_entries(l.bpf_object__find_map_by_name(this.obj, map));
    const chunk = Math.min(4096, Math.max(1, max));
    const out: { key: Buffer; value: Buffer }[] = [];
    const token = [Buffer.alloc(Math.max(keySize, 8)), Buffer.alloc(Math.max(keySize, 8))];
    const count = new Uint32Array(1);
    for (let first = true; ; first = false) {
      const keys = Buffer.alloc(keySize * chunk);
      const values = Buffer.alloc(valueSize * chunk);
      count[0] = chunk;
      const rc = l.bpf_map_lookup_batch(fd, first ? null : token[0]!, token[1]!, keys, values, count, null);
      const errno = rc === 0 ? 0 : lastErrno();
      if (rc !== 0 && errno !== 2 /* ENOENT: the last batch */) {
        if (first && (errno === 22 || errno === 95)) return this.entriesOneByOne(fd, keySize, valueSize);
        throw new Error(`${this.tool}: reading map ${map}: ${errnoName(errno)}`);
      }
      for (let i = 0; i < count[0]!; i++) {
        out.push({
          key: keys.subarray(i * keySize, (i + 1) * keySize),
          value: values.subarray(i * valueSize, (i + 1) * valueSize),
        });
      }
      if (rc !== 0) return out;
      token.reverse();
    }
  }

  /** Reads one element of `map` into `value` (sized for it); false when the key is absent. */
  lookup(map: string, key: Buffer, value: Buffer): boolean {
    return libbpf().bpf_map_lookup_elem(this.mapFd(map), key, value) === 0;
  }

  /** Deletes these keys (of keySize bytes each) from a hash map, in one call. */
  deleteKeys(map: string, keys: Buffer[], keySize: number): void {
    if (keys.length === 0) return;
    const all = Buffer.concat(keys.map((k) => k.subarray(0, keySize)));
    const count = new Uint32Array([keys.length]);
    const fd = this.mapFd(map);
    if (libbpf().bpf_map_delete_batch(fd, all, count, null) !== 0) {
      // Older kernels: one by one (a key already gone is fine).
      for (const k of keys) libbpf().bpf_map_delete_elem(fd, k);
    }
  }

  /** For kernels or map types without batch lookups. */
  private entriesOneByOne(fd: number, keySize: number, valueSize: number): { key: Buffer; value: Buffer }[] {
    const l = libbpf();
    const out: { key: Buffer; value: Buffer }[] = [];
    let prev: Buffer | null = null;
    for (;;) {
      const next = Buffer.alloc(keySize);
      if (l.bpf_map_get_next_key(fd, prev, next) !== 0) break;
      const value = Buffer.alloc(valueSize);
      if (l.bpf_map_lookup_elem(fd, next, value) === 0) out.push({ key: next, value });
      prev = next;
    }
    return out;
  }

  /** Per-CPU maps return one value per possible CPU, each rounded up to 8 bytes. */
  percpuEntries(map: string, keySize: number, valueSize: number): { key: Buffer; values: Buffer[] }[] {
    const stride = Math.ceil(valueSize / 8) * 8;
    return this.entries(map, keySize, stride * this.possibleCpus).map(({ key, value }) => ({
      key,
      values: Array.from({ length: this.possibleCpus }, (_, i) => value.subarray(i * stride, i * stride + valueSize)),
    }));
  }

  /** Events the programs could not send (the per-CPU `lost` counter of common.h), summed. */
  lost(): number {
    let n = 0n;
    for (const { values } of this.percpuEntries('lost', 4, 8)) for (const v of values) n += v.readBigUInt64LE(0);
    return Number(n);
  }

  /**
   * Drains the ring buffer `map` on a native thread (native/ebpf/ringdrain.cc) and hands each
   * record to `onRecord` on the JS thread (the Buffer is valid only during the call).
   */
  streamRing(map: string, onRecord: (data: Buffer) => void, everyMs = 10): RingStream {
    const l = libbpf();
    const m = l.bpf_object__find_map_by_name(this.obj, map);
    if (isNull(m)) throw new Error(`${this.tool}.bpf.o has no map ${map}`);
    let finished!: () => void;
    const done = new Promise<void>((r) => (finished = r));
    let id: number;
    try {
      id = loadAddon().ringDrainStart(l.bpf_map__fd(m), l.bpf_map__max_entries(m), everyMs, MAX_QUEUED_BYTES, (b) => {
        if (b) forEachRecord(b, onRecord);
        else finished();
      });
    } catch (err) {
      throw new UserError(`cannot read the ${map} ring buffer: ${(err as Error).message}`);
    }
    this.rings.push(id);
    return {
      stop: () => {
        loadAddon().ringDrainStop(id);
        return done;
      },
    };
  }

  /** Destroys links, frees ring buffers, closes the object (maps and programs go with it). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    openSessions.delete(this);
    const l = libbpf();
    // A drainer still running stops on its own (its mappings keep the map alive until then).
    for (const id of this.rings) loadAddon().ringDrainStop(id);
    this.rings = [];
    for (const link of this.links) l.bpf_link__destroy(link);
    this.links = [];
    for (const fd of this.perfFds) closeFd(fd);
    this.perfFds = [];
    for (const fd of this.linkFds) l.close(fd);
    this.linkFds = [];
    l.bpf_object__close(this.obj);
  }
}
