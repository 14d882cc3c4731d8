/**
 * ELF fixtures built by the test: one small C program compiled with gcc, then variants of it made
 * with binutils (strip, objcopy): stripped, with a debuglink, with a build-id debug tree, with
 * MiniDebugInfo (.gnu_debugdata). nm and readelf serve as the oracles for what they contain.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Two hot functions (3:1 work), a static one, and a main that spins in them forever or N rounds. */
export const SPIN_SOURCE = `
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
volatile unsigned long sink;
__attribute__((noinline)) static void spin_static(unsigned long n) { for (unsigned long i = 0; i < n; i++) sink += i ^ (i >> 3); }
__attribute__((noinline)) void hot_three(unsigned long n) { for (unsigned long i = 0; i < 3 * n; i++) sink += i * 7; }
__attribute__((noinline)) void hot_one(unsigned long n) { for (unsigned long i = 0; i < n; i++) sink += i * 7; }
int main(int argc, char **argv) {
  long rounds = argc > 1 ? atol(argv[1]) : -1;
  if (argc > 2) { printf("%d\\n", getpid()); fflush(stdout); }
  for (long r = 0; rounds < 0 || r < rounds; r++) { hot_three(1000000); hot_one(1000000); spin_static(10); }
  return 0;
}
`;

/**
 * A workload that spends time in several parts of the OS: user loops (3:1), page faults (fresh
 * anonymous pages), reads of a cached file (page cache), sched_yield (scheduler) and getpid
 * (the syscall boundary). Runs forever; argv[1] is the file to read.
 */
export const MIXED_SOURCE = `
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
volatile unsigned long sink;
__attribute__((noinline)) void hot_three(unsigned long n) { for (unsigned long i = 0; i < 3 * n; i++) sink += i * 7; }
__attribute__((noinline)) void hot_one(unsigned long n) { for (unsigned long i = 0; i < n; i++) sink += i * 7; }
__attribute__((noinline)) void touch_pages(void) {
  char *p = mmap(0, 4 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  for (long i = 0; i < (4 << 20); i += 4096) p[i] = 1;
  munmap(p, 4 << 20);
}
__attribute__((noinline)) void read_file(int fd) { static char buf[65536]; for (int i = 0; i < 16; i++) pread(fd, buf, sizeof buf, 0); }
__attribute__((noinline)) void yield_cpu(void) { for (int i = 0; i < 200; i++) sched_yield(); }
__attribute__((noinline)) void enter_kernel(void) { for (int i = 0; i < 2000; i++) syscall(SYS_getpid); }
int main(int argc, char **argv) {
  int fd = open(argc > 1 ? argv[1] : "/proc/self/exe", O_RDONLY);
  for (;;) { hot_three(300000); hot_one(300000); touch_pages(); read_file(fd); yield_cpu(); enter_kernel(); }
}
`;

export interface ElfFixtures {
  dir: string;
  /** Built with -g, symbols intact. */
  full: string;
  /** strip --strip-all: .dynsym only. */
  stripped: string;
  /** Stripped, with .gnu_debuglink to debuglink.debug beside it. */
  debuglinked: string;
  /** Stripped; its debug file is in debugDir/.build-id/xx/yyyy.debug. */
  buildIdOnly: string;
  debugDir: string;
  /** Stripped, with .gnu_debugdata (xz-compressed .symtab). */
  mini: string;
  remove(): void;
}

const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { encoding: 'utf8' });

export function buildElfFixtures(): ElfFixtures {
  const dir = mkdtempSync(join(tmpdir(), 'oslens-symbols-'));
  const full = join(dir, 'spin');
  writeFileSync(`${full}.c`, SPIN_SOURCE);
  run('gcc', [
    '-O1',
    '-g',
    '-Wall',
    '-fno-omit-frame-pointer',
    '-mno-omit-leaf-frame-pointer',
    '-Wl,--build-id',
    '-o',
    full,
    `${full}.c`,
  ]);

  const stripped = join(dir, 'spin-stripped');
  run('strip', ['--strip-all', '-o', stripped, full]);

  const debuglinked = join(dir, 'spin-linked');
  run('objcopy', ['--only-keep-debug', full, join(dir, 'debuglink.debug')]);
  run('strip', ['--strip-all', '-o', debuglinked, full]);
  run('objcopy', [`--add-gnu-debuglink=${join(dir, 'debuglink.debug')}`, debuglinked]);

  const buildIdOnly = join(dir, 'spin-buildid');
  copyFileSync(stripped, buildIdOnly);
  const id = /Build ID: ([0-9a-f]+)/.exec(run('readelf', ['-n', full]))?.[1] ?? '';
  const debugDir = join(dir, 'debug');
  mkdirSync(join(debugDir, '.build-id', id.slice(0, 2)), { recursive: true });
  run('objcopy', ['--only-keep-debug', full, join(debugDir, '.build-id', id.slice(0, 2), `${id.slice(2)}.debug`)]);

  // MiniDebugInfo as Fedora makes it: the symbols, no DWARF, xz-compressed into a section.
  const mini = join(dir, 'spin-mini');
  const miniElf = join(dir, 'mini.elf');
  run('objcopy', ['--only-keep-debug', full, miniElf]);
  run('objcopy', ['--strip-debug', '--remove-section=.comment', miniElf]);
  run('xz', ['-f', '-k', miniElf]);
  run('strip', ['--strip-all', '-o', mini, full]);
  run('objcopy', [`--add-section=.gnu_debugdata=${miniElf}.xz`, mini]);

  return {
    dir,
    full,
    stripped,
    debuglinked,
    buildIdOnly,
    debugDir,
    mini,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface NmSymbol {
  name: string;
  value: number;
  size: number;
  type: string;
}

/** `nm -S --defined-only` of a file: the oracle for symbols with a size. */
export function nmSymbols(path: string, dynamic = false): NmSymbol[] {
  const out = run('nm', ['-S', '--defined-only', ...(dynamic ? ['-D'] : []), path]);
  const syms: NmSymbol[] = [];
  for (const line of out.split('\n')) {
    const m = /^([0-9a-f]+) ([0-9a-f]+) (\w) (\S+)$/.exec(line);
    if (m) syms.push({ value: parseInt(m[1]!, 16), size: parseInt(m[2]!, 16), type: m[3]!, name: m[4]! });
  }
  return syms;
}

export const readBytes = (path: string) => readFileSync(path);
