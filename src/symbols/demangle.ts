/**
 * C++ (and Rust legacy) symbol names demangled as perf and gdb show them, by binutils' c++filt:
 * one process for a whole batch of names, lines in and out in the same order. Without c++filt
 * the names stay as the ELF file has them (still right, only harder to read).
 */
import { spawnSync } from 'node:child_process';

const MANGLED = /^_Z[\w.$]+$/;

/** Demangled forms of the mangled names among `names` (others are left out of the map). */
export function demangleAll(names: Iterable<string>): Map<string, string> {
  const todo = [...new Set([...names].filter((n) => MANGLED.test(n)))];
  const out = new Map<string, string>();
  if (todo.length === 0) return out;
  const r = spawnSync('c++filt', [], {
    input: `${todo.join('\n')}\n`,
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    timeout: 30_000,
  });
  if (r.status !== 0 || typeof r.stdout !== 'string') return out;
  const lines = r.stdout.split('\n');
  todo.forEach((name, i) => {
    const d = lines[i];
    if (d !== undefined && d !== '' && d !== name) out.set(name, d);
  });
  return out;
}
