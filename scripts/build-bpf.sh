#!/usr/bin/env bash
# Rebuilds the committed BPF objects native/bpf/*.bpf.o from native/bpf/*.bpf.c (CO-RE).
# Needs clang, llvm and libbpf-dev (apt-get install clang llvm libbpf-dev); installing oslens does not:
# the objects are committed, as cilium/ebpf's bpf2go does. `--vmlinux` also regenerates
# native/bpf/vmlinux.h from this kernel's BTF (needs bpftool). `--check` builds into a temp dir
# and fails if a committed object differs from what its source builds to.
set -euo pipefail
cd "$(dirname "$0")/../native/bpf"
if [ "${1:-}" = "--vmlinux" ]; then
  bpftool btf dump file /sys/kernel/btf/vmlinux format c > vmlinux.h
fi
command -v clang >/dev/null && command -v llvm-strip >/dev/null || { echo "build:bpf: clang or llvm-strip is missing (apt-get install clang llvm libbpf-dev)" >&2; exit 1; }
[ -e /usr/include/bpf/bpf_helpers.h ] || { echo "build:bpf: libbpf headers are missing (apt-get install libbpf-dev)" >&2; exit 1; }
out=.
if [ "${1:-}" = "--check" ]; then
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
fi
stale=0
for src in *.bpf.c; do
  obj="${src%.c}.o"
  # The checkout's path would be kept in BTF line info (header names): map it to ".".
  clang -O2 -g -Wall -Werror -target bpf -D__TARGET_ARCH_x86 -ffile-prefix-map="$PWD"=. -I. -c "$src" -o "$out/$obj"
  # Debug info paths would make the object differ per checkout: strip DWARF, keep BTF.
  llvm-strip -g "$out/$obj"
  if [ "$out" != . ]; then
    if cmp -s "$out/$obj" "$obj"; then echo "build:bpf: $obj matches $src"; else echo "build:bpf: $obj is stale (rebuild with npm run build:bpf)" >&2; stale=1; fi
  else
    echo "build:bpf: $obj"
  fi
done
exit $stale
