/**
 * `oslens trace --lib` on the real kernel (root): call counts against the program's own count,
 * bpftrace's uprobe counts and ltrace's; a printf with its write(2) nested under it, in text and
 * JSON, in order; the program behaving as untraced; bad SPECs (exit 2, nothing run); no
 * capability (exit 5); a process that exits mid-trace; and nothing left attached afterwards
 * (no lib_enter/lib_return program loaded, the breakpoint gone from the process's text).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, readSync, closeSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModule, symbolFileOffset } from '../../src/symbols/index.js';
import { loadedBpfProgramNames } from '../helpers/bpf.js';
import { compileC, type CompiledC } from '../helpers/cc.js';
import { OSLENS, oslens, skipUnlessCapable } from '../helpers/env.js';
import { asNobody, canSwitchToNobody } from '../helpers/unprivileged.js';

const ROOT = process.getuid?.() === 0;
const LIBC = '/lib/x86_64-linux-gnu/libc.so.6';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Makes N mallocs, frees 4 in 5 of them, printfs every third step, and writes its own counts. */
const COUNTER = String.raw`
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IONBF, 0); /* no stdio buffer: libc itself then mallocs nothing */
    int n = atoi(argv[1]), mallocs = 0, frees = 0, printfs = 0;
    static void *kept[1 << 16];
    for (int i = 0; i < n; i++) {
        void *p = malloc(24 + i % 7); mallocs++;
        if (i % 5 != 0) { free(p); frees++; } else kept[(i / 5) % (1 << 16)] = p;
        if (i % 3 == 0) { printf("step %d\n", i); printfs++; }
    }
    /* Not through stdio, which would malloc a FILE and a buffer. */
    char line[128];
    int len = snprintf(line, sizeof line, "malloc=%d free=%d printf=%d\n", mallocs, frees, printfs);
    int fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || write(fd, line, len) != len) return 1;
    close(fd);
    return 0;
}
`;

const HELLO = String.raw`
#include <stdio.h>
int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    printf("hi %d\n", 42);
    return 3;
}
`;

/** malloc/free forever (or argv[1] times), 20 ms apart. */
const LOOP = String.raw`
#include <stdlib.h>
#include <unistd.h>
int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : -1;
    for (long i = 0; n < 0 || i < n; i++) { free(malloc(32)); usleep(20000); }
    return 0;
}
`;

/** Calls its own tick() every 20 ms, forever. */
const TICK = String.raw`
#include <unistd.h>
__attribute__((noinline)) int tick(int i) { return i * 2; }
int main(void) { for (int i = 0; ; i++) { tick(i); usleep(20000); } }
`;

/** qsort's comparator longjmps out of qsort: qsort never returns. */
const LONGJMP = String.raw`
#include <setjmp.h>
#include <stdlib.h>
static jmp_buf env;
static int cmp(const void *a, const void *b) { (void)a; (void)b; longjmp(env, 1); }
int main(void) {
    int v[4] = {4, 3, 2, 1};
    if (setjmp(env) == 0) qsort(v, 4, sizeof v[0], cmp);
    free(malloc(10));
    return 0;
}
`;

let counter: CompiledC, hello: CompiledC, loop: CompiledC, tick: CompiledC, jumper: CompiledC;
beforeAll(() => {
  jumper = compileC('libjmp', LONGJMP, ['-O0']);
  tick = compileC('libtick', TICK, ['-O0']);
  // -O0: the compiler keeps every call (no malloc/free pair elided).
  counter = compileC('libcount', COUNTER, ['-O0']);
  hello = compileC('libhello', HELLO, ['-O0']);
  loop = compileC('libloop', LOOP, ['-O0']);
});
afterAll(() => {
  for (const c of [counter, hello, loop, tick, jumper]) c?.remove();
});

const jsonLines = (text: string) =>
  text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

const ownCounts = (file: string) =>
  Object.fromEntries([...readFileSync(file, 'utf8').matchAll(/(\w+)=(\d+)/g)].map((m) => [m[1]!, Number(m[2])]));

/**
 * Waits for the lib programs to leave the kernel: a closed uprobe_multi link of a sleepable
 * program is freed after an RCU tasks-trace grace period, a moment after the close. One that
 * stays 10 s is left behind.
 */
async function allUnloaded(): Promise<void> {
  await until('the lib_enter/lib_return programs to be unloaded', () => libProgramsLoaded().length === 0, 10_000);
}

const libProgramsLoaded = () => loadedBpfProgramNames().filter((n) => n === 'lib_enter' || n === 'lib_return');

describe('trace --lib counts (oracles: the program itself, bpftrace, ltrace)', () => {
  it('-c counts every malloc, free and printf: as the program counted them, and as bpftrace does', ({ skip }) => {
    if (!ROOT) skipUnlessCapable(skip, 'uprobes need root');
    const n = 3000;
    const own = join(counter.bin + '.own');
    const r = oslens(['trace', '-c', '--json', '--lib', 'libc:malloc,free,printf', '--', counter.bin, String(n), own]);
    expect(r.status, r.stderr).toBe(0);
    const summary = jsonLines(r.stdout).find((x) => x.type === 'summary') as {
      functions: { name: string; calls: number; seconds: number }[];
      lost: number;
    };
    const got = Object.fromEntries(summary.functions.map((f) => [f.name, f.calls]));
    expect(got).toEqual(ownCounts(own));
    expect(got).toEqual({ malloc: n, free: n - n / 5, printf: n / 3 });
    for (const f of summary.functions) expect(f.seconds).toBeGreaterThan(0);

    const probe = (fn: string) => `uprobe:${LIBC}:${fn} /pid == cpid/ { @${fn} = count(); }`;
    const bt = spawnSync(
      'bpftrace',
      ['-e', ['malloc', 'free', 'printf'].map(probe).join(' '), '-c', `${counter.bin} ${n} ${own}.bt`],
      {
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    expect(bt.status, bt.stderr).toBe(0);
    const fromBpftrace = Object.fromEntries(
      [...bt.stdout.matchAll(/^@(\w+): (\d+)$/gm)].map((m) => [m[1]!, Number(m[2])]),
    );
    expect(got).toEqual(fromBpftrace);
    rmSync(`${own}.bt`, { force: true });
    rmSync(own, { force: true });
  });

  it('the same counts with one perf-event link per probe (kernels before 6.6, OSLENS_UPROBE_MULTI=0)', ({ skip }) => {
    if (!ROOT) skipUnlessCapable(skip, 'uprobes need root');
    const own = counter.bin + '.classic';
    const r = oslens(['trace', '-c', '--json', '--lib', 'libc:malloc,free,printf', '--', counter.bin, '300', own], {
      env: { OSLENS_UPROBE_MULTI: '0' },
    });
    expect(r.status, r.stderr).toBe(0);
    const summary = jsonLines(r.stdout).find((x) => x.type === 'summary') as {
      functions: { name: string; calls: number }[];
    };
    expect(Object.fromEntries(summary.functions.map((f) => [f.name, f.calls]))).toEqual(ownCounts(own));
    rmSync(own, { force: true });
  });

  it('text -c and ltrace -c agree on the calls the program makes through its PLT', ({ skip }) => {
    if (!ROOT) skipUnlessCapable(skip, 'uprobes need root');
    const own = counter.bin + '.lt';
    const lt = spawnSync('ltrace', ['-c', '-e', 'malloc+free+printf', counter.bin, '300', own], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    const fromLtrace = Object.fromEntries(
      [...lt.stderr.matchAll(/^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+) (\w+)$/gm)].map((m) => [m[2]!, Number(m[1])]),
    );
    // ltrace breaks on binaries it cannot read the PLT of: then only the other oracles count.
    if (Object.keys(fromLtrace).length === 0) console.warn(`ltrace counted nothing here:\n${lt.stderr.slice(0, 400)}`);
    const r = oslens(['trace', '-c', '--lib', 'libc:malloc,free,printf', '--', counter.bin, '300', own]);
    expect(r.status, r.stderr).toBe(0);
    const table = Object.fromEntries(
      [...r.stderr.matchAll(/^\s*[\d.]+\s+[\d.]+\s+\d*\s+(\d+) (\w+)$/gm)].map((m) => [m[2]!, Number(m[1])]),
    );
    expect(table).toEqual({ malloc: 300, free: 240, printf: 100, total: 640 });
    if (Object.keys(fromLtrace).length > 0)
      expect({ ...table, total: undefined }).toEqual({ ...fromLtrace, total: undefined });
    rmSync(own, { force: true });
  });
});

describe('trace --lib stream', () => {
  it('printf("hi %d\\n", 42) with its write(2) nested under it; the program prints and exits as untraced', ({
    skip,
  }) => {
    if (!ROOT) skipUnlessCapable(skip, 'uprobes need root');
    const plain = spawnSync(hello.bin, [], { encoding: 'utf8' });
    const r = oslens(['trace', '--lib', 'libc:printf', '--', hello.bin]);
    expect(r.stdout).toBe(plain.stdout);
    expect(r.status).toBe(plain.status);
    expect(plain.status).toBe(3);
    const lines = r.stderr.split('\n');
    const open = lines.indexOf('printf("hi %d\\n", 42) {');
    const close = lines.indexOf('} printf = 6');
    expect(open, r.stderr).toBeGreaterThanOrEqual(0);
    expect(close).toBeGreaterThan(open);
    const inside = lines.slice(open + 1, close);
    for (const l of inside) expect(l).toMatch(/^ {2}\S/);
    expect(inside.filter((l) => /^ {2}write\(1, "hi 42\\n", 6\)\s+= 6$/.test(l))).toHaveLength(1);
    expect(lines.at(-2)).toBe('+++ exited with 3 +++');
  });

  it('JSON Lines: libcall, the nested syscall (depth 1), libreturn, in that order', ({ skip }) => {
    if (!ROOT) skipUnlessCapable(skip, 'uprobes need root');
    const r = oslens(['trace', '--json', '--lib', 'libc:printf', '-e', 'trace=write', '--', hello.bin]);
    expect(r.status).toBe(3);
    const recs = jsonLines(r.stdout);
    const kinds = recs.map((x) => `${x.type}:${x.function ?? x.name ?? ''}`);
    expect(kinds).toEqual(['libcall:printf', 'syscall:write', 'libreturn:printf', 'exit:', 'summary:']);
    const [call, write, ret] = recs as [Record<string, unknown>, Record<string, unknown>, Record<string, unknown>];
    expect(call).toMatchObject({
      library: LIBC,
      depth: 0,
      args: [{ name: 'format', value: 'hi %d\n' }, { text: '42' }],
    });
    expect(write).toMatchObject({ depth: 1, ret: 6, args: [{ text: '1' }, { text: '"hi 42\\n"' }, { text: '6' }] });
    expect(ret).toMatchObject({ ret: 6, retText: '6', depth: 0 });
    expect(Number(ret.start)).toBeLessThanOrEqual(Number(write.start));
    expect(Number(ret.end)).toBeGreaterThanOrEqual(Number(write.end));
    expect(recs.at(-1)).toMatchObject({ type: 'summary', lost: 0, functions: [{ name: 'printf', calls: 1 }] });
  });
});

describe('trace --lib and longjmp', () => {
  it('a call left by longjmp ends with "= ?", and what follows is not nested in it (text and JSON)', ({ skip }) => {
    if (!ROOT) skipUnlessCapable(skip, 'uprobes need root');
    const r = oslens(['trace', '--lib', 'libc:qsort,malloc,free', '-e', 'trace=!all', '--', jumper.bin]);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stderr.split('\n').filter((l) => /^(\S+\(|\})/.test(l) || l.startsWith(' '));
    expect(lines[0]).toMatch(/^qsort\(0x[0-9a-f]+, 4, 4, 0x[0-9a-f]+\) = \?$/);
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(/^malloc\(10\) = 0x[0-9a-f]+$/),
      expect.stringMatching(/^free\(0x[0-9a-f]+\) = <void>$/),
    ]);
    const json = jsonLines(oslens(['trace', '--json', '--lib', 'libc:qsort,malloc', '--', jumper.bin]).stdout);
    const calls = json.filter((x) => x.type === 'libcall');
    expect(calls.map((c) => [c.function, c.depth])).toEqual([
      ['qsort', 0],
      ['malloc', 0],
    ]);
    expect(json.filter((x) => x.type === 'libreturn').map((x) => x.function)).toEqual(['malloc']);
  });
});

describe('trace --lib loss', () => {
  it('a ring too small drops records: every one is counted (lost + received = sent), the counts stay exact', ({
    skip,
  }) => {
    if (!ROOT) skipUnlessCapable(skip, 'uprobes need root');
    const own = counter.bin + '.loss';
    const args = ['trace', '--json', '--buffer', '4K', '--lib', 'libc:malloc,free,printf', '-e', 'trace=write'];
    // Megabytes of records: to a file (-o), not through a pipe's spawnSync buffer.
    const r = oslens([...args, '-o', `${own}.jsonl`, '--', counter.bin, '3000', own]);
    expect(r.status, r.stderr).toBe(0);
    const recs = jsonLines(readFileSync(`${own}.jsonl`, 'utf8'));
    rmSync(`${own}.jsonl`, { force: true });
    const summary = recs.at(-1) as {
      type: string;
      lost: number;
      functions: { name: string; calls: number }[];
      syscalls: { name: string; calls: number }[];
    };
    expect(summary.type).toBe('summary');
    expect(Object.fromEntries(summary.functions.map((f) => [f.name, f.calls]))).toEqual(ownCounts(own));
    expect(summary.lost).toBeGreaterThan(0);
    const calls = summary.functions.reduce((n, f) => n + f.calls, 0);
    const writes = summary.syscalls.find((s) => s.name === 'write')!.calls;
    // An entry and a return per call, a record per write, the exit: sent, or lost and counted.
    expect(recs.length - 1 + summary.lost).toBe(2 * calls + writes + 1);
    const reported = [...r.stderr.matchAll(/^trace: lost (\d+) events?/gm)].reduce((n, m) => n + Number(m[1]), 0);
    expect(reported).toBe(summary.lost);
    rmSync(own, { force: true });
  });
});

describe('trace --lib bad input', () => {
  it('a missing library or function: one line naming it, exit 2, the command never run', ({ skip }) => {
    if (!ROOT) skipUnlessCapable(skip, 'the check comes after the capability check (root)');
    const marker = join(counter.bin + '.ran');
    for (const [spec, says] of [
      ['libnosuch:foo', '"libnosuch"'],
      ['libc:no_such_function_x', '"no_such_function_x"'],
      ['libc:zzz*', '"zzz*"'],
      ['malloc', '"malloc"'],
    ] as const) {
      const r = oslens(['trace', '--lib', spec, '--', 'touch', marker]);
      expect(r.status, spec).toBe(2);
      expect(r.stderr.trim().split('\n'), spec).toHaveLength(1);
      expect(r.stderr).toContain(says);
      expect(existsSync(marker)).toBe(false);
    }
  });

  it('no capability: exit 5 with one line', ({ skip }) => {
    if (!canSwitchToNobody()) skipUnlessCapable(skip, 'needs root and setpriv to run as nobody');
    const r = asNobody(['trace', '--lib', 'libc:malloc', '--', '/bin/true']);
    expect(r.status, r.stderr).toBe(5);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/trace --lib needs CAP_/);
  });
});

/** The byte at a virtual address of a process (through /proc/PID/mem). */
function byteAt(pid: number, addr: number): number {
  const fd = openSync(`/proc/${pid}/mem`, 'r');
  try {
    const b = Buffer.alloc(1);
    readSync(fd, b, 0, 1, addr);
    return b[0]!;
  } finally {
    closeSync(fd);
  }
}

/** Where malloc's first instruction is in the process, and its byte in libc's file. */
function mallocSite(pid: number): { addr: number; fileByte: number } {
  const mod = loadModule(LIBC)!;
  const sym = mod.symbols.find((s) => s.name === 'malloc' && s.type === 2 && s.shndx !== 0)!;
  const off = symbolFileOffset(mod, sym)!;
  const map = readFileSync(`/proc/${pid}/maps`, 'utf8')
    .split('\n')
    .map((l) => l.split(/\s+/))
    .find((f) => f[5] && f[5].endsWith('/libc.so.6') && f[1]!.includes('x'))!;
  const [start, end] = map[0]!.split('-').map((h) => parseInt(h, 16)) as [number, number];
  const mapOff = parseInt(map[2]!, 16);
  expect(off).toBeGreaterThanOrEqual(mapOff);
  expect(off).toBeLessThan(mapOff + (end - start));
  const file = Buffer.alloc(1);
  const fd = openSync(LIBC, 'r');
  readSync(fd, file, 0, 1, off);
  closeSync(fd);
  return { addr: start + off - mapOff, fileByte: file[0]! };
}

function start(args: string[]) {
  const child = spawn(process.execPath, [OSLENS, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, err: () => err, done };
}

async function until(what: string, ok: () => boolean, ms = 20_000): Promise<void> {
  for (const deadline = Date.now() + ms; !ok(); await sleep(20))
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
}

describe('trace --lib -p and the end of a trace: nothing left attached', () => {
  it('Ctrl-C on -p: exit 130, the process runs on, its breakpoint on malloc is gone, no program loaded', async ({
    skip,
  }) => {
    if (!ROOT) skipUnlessCapable(skip, 'uprobes need root');
    const victim = spawn(loop.bin, [], { stdio: 'ignore' });
    try {
      await sleep(100);
      const site = mallocSite(victim.pid!);
      expect(byteAt(victim.pid!, site.addr)).toBe(site.fileByte);
      const bg = start(['trace', '--lib', 'libc:malloc,free', '-e', 'trace=!all', '-p', String(victim.pid)]);
      await until('malloc lines', () => /^malloc\(32\) = 0x/m.test(bg.err()));
      expect(byteAt(victim.pid!, site.addr)).toBe(0xcc); // int3: the uprobe is in
      expect(libProgramsLoaded().length).toBeGreaterThanOrEqual(2);
      bg.child.kill('SIGINT');
      expect(await bg.done).toBe(130);
      expect(byteAt(victim.pid!, site.addr)).toBe(site.fileByte);
      await allUnloaded();
      expect(victim.exitCode).toBeNull(); // still running, untouched
    } finally {
      victim.kill('SIGKILL');
    }
  });

  it("-p of a process in another mount namespace: its own program's function, found through /proc/PID/root", async ({
    skip,
  }) => {
    if (!ROOT || spawnSync('unshare', ['--version']).status !== 0) skipUnlessCapable(skip, 'needs root and unshare');
    // The program lives on a tmpfs mounted only in the new namespace: not at that path here.
    const dir = mkdtempSync(join(tmpdir(), 'oslens-ns-'));
    const inner = `mount -t tmpfs none ${dir} && cp ${tick.bin} ${dir}/ticker && exec ${dir}/ticker`;
    const victim = spawn('unshare', ['-m', '--propagation', 'private', 'sh', '-c', inner], { stdio: 'ignore' });
    try {
      await until('the ticker', () => {
        try {
          return readFileSync(`/proc/${victim.pid}/cmdline`, 'utf8').includes('ticker');
        } catch {
          return false;
        }
      });
      expect(existsSync(join(dir, 'ticker'))).toBe(false);
      const bg = start(['trace', '--lib', 'ticker:tick', '-e', 'trace=!all', '-p', String(victim.pid)]);
      await until('tick lines', () => (bg.err().match(/^tick\(0x[0-9a-f]+, .*\) = 0x[0-9a-f]+$/gm) ?? []).length >= 3);
      // tick(i) returns 2 * i (it is not in the prototype table: raw registers).
      for (const m of bg.err().matchAll(/^tick\((0x[0-9a-f]+), .*\) = (0x[0-9a-f]+)$/gm))
        expect(Number(m[2])).toBe(2 * Number(m[1]));
      bg.child.kill('SIGINT');
      expect(await bg.done).toBe(130);
    } finally {
      victim.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a process that exits mid-trace ends the trace (exit 0) with nothing left loaded', async ({ skip }) => {
    if (!ROOT) skipUnlessCapable(skip, 'uprobes need root');
    const victim = spawn(loop.bin, ['150'], { stdio: 'ignore' });
    await sleep(100);
    const bg = start(['trace', '--lib', 'libc:free', '-e', 'trace=!all', '-p', String(victim.pid)]);
    expect(await bg.done).toBe(0);
    expect(bg.err()).toMatch(/^free\(0x[0-9a-f]+\) = <void>$/m);
    expect(bg.err()).toMatch(/\+\+\+ exited with 0 \+\+\+\n$/);
    await allUnloaded();
  });

  it('Ctrl-C on -- CMD: exit 130, the command ended, nothing left loaded', async ({ skip }) => {
    if (!ROOT) skipUnlessCapable(skip, 'uprobes need root');
    const bg = start(['trace', '--lib', 'libc:malloc', '--', loop.bin]);
    await until('malloc lines', () => /^malloc\(32\) = 0x/m.test(bg.err()));
    const pid = Number(/^set_tid_address\(0x[0-9a-f]+\)\s+= (\d+)$/m.exec(bg.err())?.[1]);
    expect(pid).toBeGreaterThan(0);
    bg.child.kill('SIGINT');
    expect(await bg.done).toBe(130);
    await until(
      'the command to end',
      () => !existsSync(`/proc/${pid}`) || readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z'),
    );
    await allUnloaded();
  });
});
