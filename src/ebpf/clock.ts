/** BPF timestamps are CLOCK_MONOTONIC ns (bpf_ktime_get_ns); records carry seconds since the epoch. */
const offsetNs = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();

export function monotonicToEpochSeconds(ns: bigint): number {
  return Number((ns + offsetNs) / 1000n) / 1e6;
}
