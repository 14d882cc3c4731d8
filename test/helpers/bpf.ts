/** Test helper: the ids of every BPF program loaded in the kernel (BPF_PROG_GET_NEXT_ID via libbpf). */
import koffi from 'koffi';

let nextId: ((start: number, next: Uint32Array) => number) | undefined;

export function loadedBpfProgramIds(): number[] {
  nextId ??= koffi.load('libbpf.so.1').func('int bpf_prog_get_next_id(uint32_t start, _Out_ uint32_t *next)') as (
    start: number,
    next: Uint32Array,
  ) => number;
  const ids: number[] = [];
  const next = new Uint32Array(1);
  let id = 0;
  while (nextId(id, next) === 0) {
    id = next[0]!;
    ids.push(id);
  }
  return ids;
}

let progFd: ((id: number) => number) | undefined;
let objInfo: ((fd: number, info: Buffer, len: Uint32Array) => number) | undefined;

/** The names of every BPF program loaded in the kernel (bpf_prog_info.name, 16 bytes at offset 64). */
export function loadedBpfProgramNames(): string[] {
  const so = koffi.load('libbpf.so.1');
  progFd ??= so.func('int bpf_prog_get_fd_by_id(uint32_t id)') as (id: number) => number;
  objInfo ??= so.func('int bpf_obj_get_info_by_fd(int fd, _Inout_ uint8_t *info, _Inout_ uint32_t *len)') as (
    fd: number,
    info: Buffer,
    len: Uint32Array,
  ) => number;
  const close = koffi.load('libc.so.6').func('int close(int fd)') as (fd: number) => number;
  const names: string[] = [];
  for (const id of loadedBpfProgramIds()) {
    const fd = progFd(id);
    if (fd < 0) continue; // unloaded meanwhile
    const info = Buffer.alloc(256);
    if (objInfo(fd, info, new Uint32Array([info.length])) === 0) {
      const raw = info.subarray(64, 80);
      names.push(raw.subarray(0, raw.indexOf(0) < 0 ? 16 : raw.indexOf(0)).toString());
    }
    close(fd);
  }
  return names;
}
