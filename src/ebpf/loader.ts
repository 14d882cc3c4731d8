/**
 * Opening, configuring, loading and attaching one of the committed BPF objects
 * (native/bpf/<tool>.bpf.o), reading its maps and draining its ring buffer; and releasing all of
 * it on close, on error, on exit and on Ctrl-C (every open session is tracked here).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { PACKAGE_ROOT } from '../util/package.js';
import { UserError } from '../util/errors.js';
import {
  clearLibbpfLog,
  copyBytes,
  isNull,
  lastErrno,
  libbpf,
  registerRingBufferCallback,
  unregisterCallback,
  viewBytes,
  type Ptr,
} from '../native/libbpf.js';
import { CFG_SIZE, encodeConfig, type BpfFilter } from './config.js';
import { requireBpf } from './caps.js';

export const BPF_DIR = resolve(PACKAGE_ROOT, 'native/bpf');

export interface OpenOptions {
  filter: BpfFilter;
  /** Programs to load (by function name); the others are not loaded. Default: all. */
  programs?: string[];
  /** Map sizes to override before load. */
  maxEntries?: Record<string, number>;
}

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

export class BpfSession {
  private obj: Ptr;
  private links: Ptr[] = [];
  private rings: { rb: Ptr; cb: unknown; timer?: NodeJS.Timeout }[] = [];
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
      this.attachAll();
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
      const load = name === 'oslens_follow_fork' ? followFork : !wanted || wanted.has(name);
      l.bpf_program__set_autoload(p, load);
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

  private attachAll(): void {
    const l = libbpf();
    for (let p = l.bpf_object__next_program(this.obj, null); !isNull(p); p = l.bpf_object__next_program(this.obj, p)) {
      if (!l.bpf_program__autoload(p)) continue;
      const link = l.bpf_program__attach(p);
      if (isNull(link)) {
        const name = l.bpf_program__name(p);
        throw new UserError(`cannot attach ${this.tool}/${name}: ${errnoName(lastErrno())}; ${LOG_HINT}`);
      }
      this.links.push(link);
    }
  }

  mapFd(name: string): number {
    const l = libbpf();
    const m = l.bpf_object__find_map_by_name(this.obj, name);
    if (isNull(m)) throw new Error(`${this.tool}.bpf.o has no map ${name}`);
    return l.bpf_map__fd(m);
  }

  /** Adds a tgid to the followed set (the filter of -p PID and `-- CMD`). */
  follow(pid: number): void {
    const key = Buffer.alloc(4);
    key.writeUInt32LE(pid);
    libbpf().bpf_map_update_elem(this.mapFd('followed'), key, Buffer.from([1]), 0);
  }

  /** Every (key, value) of a hash or array map. */
  entries(map: string, keySize: number, valueSize: number): { key: Buffer; value: Buffer }[] {
    const l = libbpf();
    const fd = this.mapFd(map);
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

  /**
   * Drains the ring buffer `map` every `everyMs` into `onSample` (the Buffer is valid only during
   * the call). Returns a function that drains it now (call it before the final report).
   */
  onRingBuffer(map: string, onSample: (data: Buffer) => void, everyMs = 20): () => void {
    const l = libbpf();
    const cb = registerRingBufferCallback((_ctx, data, size) => {
      onSample(viewBytes(data, size));
      return 0;
    });
    const rb = l.ring_buffer__new(this.mapFd(map), cb, null, null);
    if (isNull(rb)) {
      unregisterCallback(cb);
      throw new UserError(`cannot open the ${map} ring buffer: ${errnoName(lastErrno())}`);
    }
    const ring: { rb: Ptr; cb: unknown; timer?: NodeJS.Timeout } = { rb, cb };
    const drain = () => {
      if (!this.closed) l.ring_buffer__consume(rb);
    };
    ring.timer = setInterval(drain, everyMs);
    this.rings.push(ring);
    return drain;
  }

  /** Destroys links, frees ring buffers, closes the object (maps and programs go with it). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    openSessions.delete(this);
    const l = libbpf();
    for (const r of this.rings) {
      if (r.timer) clearInterval(r.timer);
      l.ring_buffer__free(r.rb);
      unregisterCallback(r.cb);
    }
    this.rings = [];
    for (const link of this.links) l.bpf_link__destroy(link);
    this.links = [];
    l.bpf_object__close(this.obj);
  }
}
