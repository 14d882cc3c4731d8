/**
 * xz decompression for .gnu_debugdata (MiniDebugInfo: an xz-compressed ELF holding the .symtab
 * of a stripped binary's local functions, as Fedora ships). Through liblzma.so.5 with koffi: one
 * call, lzma_stream_buffer_decode. liblzma is an essential package on Debian (dpkg needs it), so
 * this adds no dependency; npm's xz packages are native addons or slow pure-JS ports.
 */
import koffi from 'koffi';

type Decode = (
  memlimit: BigUint64Array,
  flags: number,
  allocator: null,
  input: Buffer,
  inPos: BigUint64Array,
  inSize: number,
  output: Buffer,
  outPos: BigUint64Array,
  outSize: number,
) => number;

let decode: Decode | null | undefined;

function load(): Decode | null {
  if (decode !== undefined) return decode;
  try {
    const lib = koffi.load('liblzma.so.5');
    decode = lib.func(
      'int lzma_stream_buffer_decode(_Inout_ uint64_t *memlimit, uint32_t flags, void *allocator, const uint8_t *in, _Inout_ size_t *in_pos, size_t in_size, _Out_ uint8_t *out, _Inout_ size_t *out_pos, size_t out_size)',
    ) as Decode;
  } catch {
    decode = null;
  }
  return decode;
}

const LZMA_OK = 0;
const LZMA_STREAM_END = 1;
const LZMA_BUF_ERROR = 10;

/** The decompressed bytes of one .xz stream; null when liblzma is missing or the data is bad. */
export function xzDecompress(input: Buffer, maxBytes = 256 << 20): Buffer | null {
  const fn = load();
  if (!fn) return null;
  for (let size = Math.max(64 << 10, input.length * 8); size <= maxBytes * 2; size *= 2) {
    const out = Buffer.alloc(Math.min(size, maxBytes));
    const memlimit = new BigUint64Array([BigInt(1 << 30)]);
    const inPos = new BigUint64Array([0n]);
    const outPos = new BigUint64Array([0n]);
    const rc = fn(memlimit, 0, null, input, inPos, input.length, out, outPos, out.length);
    if (rc === LZMA_OK || rc === LZMA_STREAM_END) return out.subarray(0, Number(outPos[0]));
    if (rc !== LZMA_BUF_ERROR || out.length >= maxBytes) return null;
  }
  return null;
}
