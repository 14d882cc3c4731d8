/**
 * Thin libbpf calls through koffi, against the system's runtime libbpf.so.1 (no libbpf-dev, no
 * clang needed). Control-path only: open, load, attach, map reads (ring buffers are drained by
 * the addon, native/ebpf/ringdrain.cc). Loaded lazily so that commands which never touch BPF
 * never load it.
 */
import koffi from 'koffi';
import { UserError } from '../util/errors.js';

/** An opaque C pointer (koffi hands them over as external objects). */
export type Ptr = unknown;

export interface Libbpf {
  bpf_object__open_file(path: string, opts: null): Ptr;
  bpf_object__load(obj: Ptr): number;
  bpf_object__close(obj: Ptr): void;
  bpf_object__next_map(obj: Ptr, prev: Ptr): Ptr;
  bpf_object__next_program(obj: Ptr, prev: Ptr): Ptr;
  bpf_object__find_map_by_name(obj: Ptr, name: string): Ptr;
  bpf_object__find_program_by_name(obj: Ptr, name: string): Ptr;
  bpf_map__name(map: Ptr): string;
  bpf_map__fd(map: Ptr): number;
  bpf_map__set_initial_value(map: Ptr, data: Buffer, size: number): number;
  bpf_map__initial_value(map: Ptr, psize: Buffer): Ptr;
  bpf_map__set_max_entries(map: Ptr, n: number): number;
  bpf_map__max_entries(map: Ptr): number;
  bpf_program__name(prog: Ptr): string;
  bpf_program__set_autoload(prog: Ptr, autoload: boolean): number;
  bpf_program__autoload(prog: Ptr): boolean;
  bpf_program__attach(prog: Ptr): Ptr;
  bpf_program__attach_perf_event(prog: Ptr, pfd: number): Ptr;
  bpf_program__attach_uprobe_opts(prog: Ptr, pid: number, path: string, offset: number, opts: Buffer): Ptr;
  bpf_program__set_expected_attach_type(prog: Ptr, type: number): number;
  bpf_program__fd(prog: Ptr): number;
  /** The bpf(2) syscall itself, for what libbpf 1.1 has no wrapper of (uprobe_multi links). */
  bpf(cmd: number, attr: Buffer): number;
  close(fd: number): number;
  bpf_link__destroy(link: Ptr): number;
  bpf_map_lookup_elem(fd: number, key: Buffer, value: Buffer): number;
  bpf_map_update_elem(fd: number, key: Buffer, value: Buffer, flags: number): number;
  bpf_map_delete_elem(fd: number, key: Buffer): number;
  bpf_map_get_next_key(fd: number, key: Buffer | null, next: Buffer): number;
  bpf_map_delete_batch(fd: number, keys: Buffer, count: Uint32Array, opts: null): number;
  bpf_map_lookup_batch(
    fd: number,
    inBatch: Buffer | null,
    outBatch: Buffer,
    keys: Buffer,
    values: Buffer,
    count: Uint32Array,
    opts: null,
  ): number;
  libbpf_num_possible_cpus(): number;
  libbpf_set_print(fn: unknown): unknown;
  vsnprintf(buf: Buffer, size: number, fmt: unknown, args: unknown): number;
}

let lib: Libbpf | undefined;
const SYS_BPF = 321; // x86-64
/** Every line libbpf printed (the verifier log among them), for --verbose and error reports. */
const logLines: string[] = [];
let printCallback: unknown;

const PrintFn = koffi.proto('int oslens_libbpf_print(int level, void *fmt, void *args)');

export function libbpf(): Libbpf {
  if (lib) return lib;
  let so: ReturnType<typeof koffi.load>;
  try {
    so = koffi.load('libbpf.so.1');
  } catch {
    throw new UserError('libbpf.so.1 is not installed (Debian/Ubuntu: apt-get install libbpf1)');
  }
  const libc = koffi.load('libc.so.6');
  const syscall = libc.func('long syscall(long number, ...)') as (...args: unknown[]) => number | bigint;
  const f = (decl: string) => so.func(decl);
  lib = {
    bpf_object__open_file: f('void *bpf_object__open_file(const char *path, void *opts)'),
    bpf_object__load: f('int bpf_object__load(void *obj)'),
    bpf_object__close: f('void bpf_object__close(void *obj)'),
    bpf_object__next_map: f('void *bpf_object__next_map(void *obj, void *prev)'),
    bpf_object__next_program: f('void *bpf_object__next_program(void *obj, void *prev)'),
    bpf_object__find_map_by_name: f('void *bpf_object__find_map_by_name(void *obj, const char *name)'),
    bpf_object__find_program_by_name: f('void *bpf_object__find_program_by_name(void *obj, const char *name)'),
    bpf_map__name: f('const char *bpf_map__name(void *map)'),
    bpf_map__fd: f('int bpf_map__fd(void *map)'),
    bpf_map__set_initial_value: f('int bpf_map__set_initial_value(void *map, const void *data, size_t size)'),
    bpf_map__initial_value: f('void *bpf_map__initial_value(void *map, void *psize)'),
    bpf_map__set_max_entries: f('int bpf_map__set_max_entries(void *map, uint32_t n)'),
    bpf_map__max_entries: f('uint32_t bpf_map__max_entries(void *map)'),
    bpf_program__name: f('const char *bpf_program__name(void *prog)'),
    bpf_program__set_autoload: f('int bpf_program__set_autoload(void *prog, bool autoload)'),
    bpf_program__autoload: f('bool bpf_program__autoload(void *prog)'),
    bpf_program__attach: f('void *bpf_program__attach(void *prog)'),
    bpf_program__attach_perf_event: f('void *bpf_program__attach_perf_event(void *prog, int pfd)'),
    bpf_program__attach_uprobe_opts: f(
      'void *bpf_program__attach_uprobe_opts(void *prog, int pid, const char *path, size_t offset, const void *opts)',
    ),
    bpf_program__set_expected_attach_type: f('int bpf_program__set_expected_attach_type(void *prog, int type)'),
    bpf_program__fd: f('int bpf_program__fd(void *prog)'),
    bpf: (cmd: number, attr: Buffer) =>
      Number(syscall(SYS_BPF, 'int', cmd, 'void *', attr, 'unsigned int', attr.length)),
    close: libc.func('int close(int fd)'),
    bpf_link__destroy: f('int bpf_link__destroy(void *link)'),
    bpf_map_lookup_elem: f('int bpf_map_lookup_elem(int fd, const void *key, _Out_ void *value)'),
    bpf_map_update_elem: f('int bpf_map_update_elem(int fd, const void *key, const void *value, uint64_t flags)'),
    bpf_map_delete_elem: f('int bpf_map_delete_elem(int fd, const void *key)'),
    bpf_map_get_next_key: f('int bpf_map_get_next_key(int fd, const void *key, _Out_ void *next)'),
    bpf_map_delete_batch: f('int bpf_map_delete_batch(int fd, const void *keys, _Inout_ uint32_t *count, void *opts)'),
    bpf_map_lookup_batch: f(
      'int bpf_map_lookup_batch(int fd, void *in_batch, _Inout_ void *out_batch, _Out_ void *keys, _Out_ void *values, _Inout_ uint32_t *count, void *opts)',
    ),
    libbpf_num_possible_cpus: f('int libbpf_num_possible_cpus()'),
    libbpf_set_print: f('void *libbpf_set_print(oslens_libbpf_print *fn)'),
    vsnprintf: libc.func('int vsnprintf(_Out_ uint8_t *buf, size_t size, void *fmt, void *args)'),
  } as unknown as Libbpf;
  captureLog(lib);
  return lib;
}

/** libbpf prints through a va_list: format it with libc's vsnprintf and keep the text. */
function captureLog(l: Libbpf): void {
  const buf = Buffer.alloc(8192);
  printCallback = koffi.register((_level: number, fmt: unknown, args: unknown) => {
    const n = l.vsnprintf(buf, buf.length, fmt, args);
    const text = buf.toString('utf8', 0, Math.max(0, Math.min(n, buf.length - 1)));
    for (const line of text.split('\n')) if (line.length > 0) logLines.push(line);
    if (logLines.length > 50_000) logLines.splice(0, logLines.length - 50_000);
    return 0;
  }, koffi.pointer(PrintFn));
  l.libbpf_set_print(printCallback);
}

export function libbpfLog(): string[] {
  return logLines;
}

export function clearLibbpfLog(): void {
  logLines.length = 0;
}

/** errno of the last failing libbpf call (libbpf 1.x returns NULL and sets errno). */
export function lastErrno(): number {
  return koffi.errno();
}

export function isNull(p: Ptr): boolean {
  return p === null || p === undefined || koffi.address(p) === 0n;
}

/** Copies `size` bytes at a C pointer (a ring-buffer sample) into a Buffer. */
export function copyBytes(ptr: unknown, size: number): Buffer {
  return Buffer.from(new Uint8Array(koffi.view(ptr, size)));
}
