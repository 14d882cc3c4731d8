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
