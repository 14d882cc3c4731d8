/**
 * The eBPF tools on the real kernel (CI runs as root): syscount, snoop, faults, runqlat,
 * trace --ebpf, the capability error, and cleanup on SIGINT.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OSLENS, oslens, skipUnlessCapable } from '../helpers/env.js';
import { loadedBpfProgramIds } from '../helpers/bpf.js';
import { asNobody } from '../helpers/unprivileged.js';
import { compileC } from '../helpers/cc.js';

const ROOT = process.getuid?.() === 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `trace --ebpf -e trace=FILTER -- ARGV` (which must exit 0) and `strace -e trace=FILTER ARGV`: their traces. */
function besideStrace(filter: string, argv: string[]): { mine: string; strace: string } {
  const r = oslens(['trace', '--ebpf', '-e', `trace=${filter}`, '--', ...argv]);
  expect(r.status, r.stderr).toBe(0);
  const s = spawnSync('strace', ['-e', `trace=${filter}`, ...argv], { encoding: 'utf8' });
  return { mine: r.stderr, strace: s.stderr };
}

/** Starts `oslens ARGS` in the background, collecting stdout. */
function background(args: string[]): { child: ChildProcess; out: () => string; done: Promise<number | null> } {
  const child = spawn(process.execPath, [OSLENS, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', () => undefined);
  const done = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, out: () => out, done };
}

/** Waits until the tool has attached: its process holds BPF link fds. */
async function attached(pid: number): Promise<void> {
  const { readdirSync, readFileSync } = await import('node:fs');
  for (let i = 0; i < 200; i++) {
    try {
      const fds = readdirSync(`/proc/${pid}/fdinfo`);
      const links = fds.filter((fd) => {
        try {
          return /^link_type:/m.test(readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'));
        } catch {
          return false;
        }
      });
      if (links.length > 0) return;
    } catch {
      // not yet
    }
    await sleep(50);
  }
  throw new Error('the tool never attached');
}

const jsonLines = (text: string) =>
  text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('eBPF tools (real kernel)', () => {
  it('syscount -- dd ... count=N reports at least N writes by dd', ({ skip }) => {
    if (!ROOT) skipUnlessCapable(skip, 'eBPF needs root');
    const n = 20000;
    const r = oslens(['syscount', '--json', '-L', '--', 'dd', 'if=/dev/zero', 'of=/dev/null', 'bs=1', `count=${n}`]);
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      syscalls: { name: string; count: number; errors: number; totalNs: number }[];
      processes: { pid: number; comm: string; count: number }[];
    };
    const write = doc.syscalls.find((s) => s.name === 'write');
    expect(write?.count).toBeGreaterThanOrEqual(n);
    expect(write?.totalNs).toBeGreaterThan(0);
    const dd = doc.processes.find((p) => p.comm === 'dd');
    expect(dd?.count).toBeGreaterThanOrEqual(2 * n);
    expect(Object.keys(doc).sort()).toEqual(['processes', 'syscalls', 'unkept']);
    expect(doc.processes.every((p) => typeof (p as { exited?: boolean }).exited === 'boolean')).toBe(true);
  });

  it('snoop open sees this test opening a unique path, with its pid', async ({ skip }) => {
    if (!ROOT) skipUnlessCapable(skip, 'eBPF needs root');
    const path = join(tmpdir(), `oslens-snoop-${process.pid}-${Date.now()}`);
    const bg = background(['snoop', 'open', '--json', '--duration', '20']);
    await attached(bg.child.pid!);
    closeSync(openSync(path, 'w'));
    rmSync(path);
    await sleep(300);
    bg.child.kill('SIGINT');
    expect(await bg.done).toBe(130); // Ctrl-C (README: exit codes)
    const hit = jsonLines(bg.out()).find((e) => e.type === 'open' && e.path === path);
    expect(hit, bg.out().slice(0, 2000)).toBeTruthy();
    expect(hit!.pid).toBe(process.pid);
    expect(hit!.ret as number).toBeGreaterThanOrEqual(0);
    expect(String(hit!.flags)).toMatch(/O_WRONLY.*O_CREAT/);
    for (const key of ['time', 'tid', 'comm']) expect(hit).toHaveProperty(key);
  });

  it('snoop exec sees an exec with its argv; snoop exit its code', async ({ skip }) => {
    if (!ROOT) skipUnlessCapable(skip, 'eBPF needs root');
    const marker = `oslens-exec-${Date.now()}`;
    const bg = background(['snoop', 'exec,exit', '--json', '--duration', '20']);
    await attached(bg.child.pid!);
    const child = spawnSync('/bin/sh', ['-c', 'exit 3', marker, 'second arg']);
    await sleep(300);
    bg.child.kill('SIGINT');
    expect(await bg.done).toBe(130); // Ctrl-C (README: exit codes)
    const events = jsonLines(bg.out());
    const exec = events.find((e) => e.type === 'exec' && (e.argv as string[]).includes(marker));
    expect(exec, bg.out().slice(0, 2000)).toBeTruthy();
    expect(exec!.argv).toEqual(['/bin/sh', '-c', 'exit 3', marker, 'second arg']);
    expect(exec!.pid).toBe(child.pid);
    const exit = events.find((e) => e.type === 'exit' && e.pid === child.pid);
    expect(exit?.code).toBe(3);
    expect(exit?.runtime as number).toBeGreaterThan(0);
  });

  it('faults -- CMD reports at least the pages the command touches', ({ skip }) => {
    if (!ROOT) skipUnlessCapable(skip, 'eBPF needs root');
    // dd reads 8 MiB into a fresh buffer: 2048 pages of 4 KiB are touched.
    const r = oslens(['faults', '--json', '--', 'dd', 'if=/dev/zero', 'of=/dev/null', 'bs=8M', 'count=1']);
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      processes: {
        pid: number;
        comm: string;
        minor: number;
        major: number;
        regions: { path: string; kind: string; faults: number }[];
      }[];
    };
    const dd = doc.processes.find((p) => p.comm === 'dd');
    expect(dd, r.stdout.slice(0, 1000)).toBeTruthy();
    expect(dd!.minor + dd!.major).toBeGreaterThanOrEqual(2048);
    const anon = dd!.regions.filter((g) => g.kind === 'anon').reduce((s, g) => s + g.faults, 0);
    expect(anon).toBeGreaterThanOrEqual(2048);
    expect(dd!.regions.some((g) => g.kind === 'file' && g.path.includes('libc'))).toBe(true);
  });

  it('runqlat has non-zero counts under load', async ({ skip }) => {
    if (!ROOT) skipUnlessCapable(skip, 'eBPF needs root');
    const busy = [0, 1, 2].map(() => spawn('/bin/sh', ['-c', 'while :; do :; done'], { stdio: 'ignore' }));
    try {
      const bg = background(['runqlat', '--json', '--duration', '2']);
      expect(await bg.done).toBe(0);
      const doc = JSON.parse(bg.out()) as { buckets: { lowUs: number; highUs: number; count: number }[] };
      const total = doc.buckets.reduce((s, b) => s + b.count, 0);
      expect(total).toBeGreaterThan(0);
      expect(doc.buckets[0]).toMatchObject({ lowUs: 0, highUs: 1 });
      for (const b of doc.buckets.slice(1)) expect(b.highUs).toBe(2 * b.lowUs - 1);
    } finally {
      for (const b of busy) b.kill('SIGKILL');
    }
  });

  it('trace --ebpf: -c counts in kernel; --json gives SyscallEvent records with captured paths', ({ skip }) => {
    if (!ROOT) skipUnlessCapable(skip, 'eBPF needs root');
    const n = 5000;
    const c = oslens(['trace', '--ebpf', '-c', '--', 'dd', 'if=/dev/zero', 'of=/dev/null', 'bs=1', `count=${n}`]);
    expect(c.status, c.stderr).toBe(0);
    const write = /^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?write$/m.exec(c.stderr);
    expect(Number(write?.[1])).toBeGreaterThanOrEqual(n);
    const j = oslens(['trace', '--ebpf', '--json', '--', 'cat', '/etc/hostname']);
    expect(j.status, j.stderr).toBe(0);
    const events = jsonLines(j.stdout);
    const open = events.find(
      (e) => e.type === 'syscall' && e.name === 'openat' && JSON.stringify(e.args).includes('/etc/hostname'),
    );
    expect(open, j.stdout.slice(0, 1500)).toBeTruthy();
    for (const key of ['tid', 'nr', 'args', 'raw', 'ret', 'errno', 'start', 'end', 'duration', 'model']) {
      expect(open).toHaveProperty(key);
    }
    // the same process events as the ptrace tracer: the exec of cat, then its exit
    const exec = events.find((e) => e.type === 'exec');
    expect(exec?.path).toMatch(/cat$/);
    expect(events.find((e) => e.type === 'exit')?.code).toBe(0);
  });

  it('trace --ebpf: a path on a page not yet in the page table is read at the exit, as strace shows it', ({ skip }) => {
    if (!ROOT) skipUnlessCapable(skip, 'eBPF needs root');
    // Each path lives in a fresh file mapping, first touched by the kernel inside the syscall:
    // at sys_enter its page is not mapped (a tracepoint cannot fault it in).
    const prog = compileC(
      'ebpf-cold-paths',
      `#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
static const char *cold(const char *dir, const char *path) {
  char f[256];
  snprintf(f, sizeof f, "%s/p%ld", dir, (long)strlen(path));
  int fd = open(f, O_RDWR | O_CREAT | O_TRUNC, 0600);
  if (fd < 0 || write(fd, path, strlen(path) + 1) < 0) return 0;
  const char *m = mmap(0, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
  close(fd);
  return m == MAP_FAILED ? 0 : m;
}
int main(int argc, char **argv) {
  const char *a = cold(argv[1], "/etc/hostname"), *b = cold(argv[1], "/nonexistent/oslens-cold"),
             *c = cold(argv[1], "/etc");
  if (!a || !b || !c) return 2;
  struct stat st;
  int fd = openat(AT_FDCWD, a, O_RDONLY);
  openat(AT_FDCWD, b, O_RDONLY);
  stat(c, &st);
  return fd >= 0 ? 0 : 1;
}
`,
    );
    const dir = mkdtempSync(join(tmpdir(), 'oslens-cold-'));
    try {
      const t = besideStrace('openat,newfstatat,stat', [prog.bin, dir]);
      const mine = (text: string) =>
        text.split('\n').filter((l) => /oslens-cold|"\/etc(\/hostname)?"/.test(l) && !l.includes(dir));
      expect(mine(t.mine)).toEqual(mine(t.strace));
      expect(mine(t.mine)).toHaveLength(3);
      expect(t.mine).not.toMatch(/openat\(AT_FDCWD, 0x/);
    } finally {
      prog.remove();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('trace --ebpf: a cold path the call writes over is shown as its address, never as what the call wrote', ({
    skip,
  }) => {
    if (!ROOT) skipUnlessCapable(skip, 'eBPF needs root');
    // readlink(p, p, n): the path's page is not mapped at entry, and at the exit it holds the
    // link's target. Re-reading it there would print a path the program never passed.
    const prog = compileC(
      'ebpf-readlink-alias',
      `#include <unistd.h>
static struct { char pad[1 << 22]; char buf[4096]; } s = {{1}, "/proc/self/exe"};
int main(void) { return readlink(s.buf, s.buf + 0, sizeof s.buf - 1) < 0; }
`,
      ['-Wno-restrict'],
    );
    try {
      const r = oslens(['trace', '--ebpf', '-s', '200', '-e', 'trace=readlink', '--', prog.bin]);
      expect(r.status, r.stderr).toBe(0);
      const line = r.stderr.split('\n').find((l) => l.startsWith('readlink(')) ?? '';
      expect(line).toMatch(/^readlink\((0x[0-9a-f]+|"\/proc\/self\/exe"), "/);
      expect(line).toContain(`"${prog.bin}"`);
    } finally {
      prog.remove();
    }
  });

  it('trace --ebpf: getdents64 counts the entries the call wrote, as strace does', ({ skip }) => {
    if (!ROOT) skipUnlessCapable(skip, 'eBPF needs root');
    // A directory of 700 entries: more than one getdents64 call with a small buffer (find reads
    // 32 KiB at a time; ls -f reads everything).
    const dir = mkdtempSync(join(tmpdir(), 'oslens-dents-'));
    try {
      for (let i = 0; i < 700; i++) closeSync(openSync(join(dir, `entry-with-a-longish-name-${i}`), 'w'));
      const argv = ['ls', '-f', dir];
      const t = besideStrace('getdents64', argv);
      const lines = (t: string) =>
        t
          .split('\n')
          .filter((l) => l.startsWith('getdents64('))
          .map((l) => l.replace(/0x[0-9a-f]+/, 'ADDR').replace(/\s+= /, ' = '));
      expect(lines(t.mine)).toEqual(lines(t.strace));
      expect(lines(t.mine).join('\n')).toMatch(/\/\* [1-9]\d* entries \*\//);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('trace --ebpf: rt_sigreturn shows the mask its signal frame restores, as strace does', ({ skip }) => {
    if (!ROOT) skipUnlessCapable(skip, 'eBPF needs root');
    const prog = compileC(
      'ebpf-sigreturn',
      `#include <signal.h>
static void on(int s) { (void)s; }
int main(void) {
  sigset_t m;
  signal(SIGUSR1, on);
  sigemptyset(&m);
  sigaddset(&m, SIGUSR2);
  sigaddset(&m, SIGRTMIN + 3);
  sigprocmask(SIG_BLOCK, &m, 0);
  raise(SIGUSR1);
  return 0;
}
`,
    );
    try {
      const t = besideStrace('rt_sigreturn', [prog.bin]);
      const line = (t: string) => t.split('\n').find((l) => l.startsWith('rt_sigreturn('));
      expect(line(t.mine)).toBe(line(t.strace));
      // glibc keeps signals 32 and 33: SIGRTMIN + 3 is signal 37, the kernel's RT_5.
      expect(line(t.mine)).toMatch(/^rt_sigreturn\(\{mask=\[USR2 RT_5\]\}\)/);
    } finally {
      prog.remove();
    }
  });

  it('trace --ebpf: clone3 of a thread shows the parent_tid the kernel wrote, as strace does', ({ skip }) => {
    if (!ROOT) skipUnlessCapable(skip, 'eBPF needs root');
    const prog = compileC(
      'ebpf-clone3',
      // The thread waits for main: its exit clears *parent_tid (CLONE_CHILD_CLEARTID, the same
      // word), so a thread already gone would show [0] to a tracer that reads it late.
      `#include <pthread.h>
#include <unistd.h>
static int gate[2];
static void *run(void *arg) {
  char c;
  return read(gate[0], &c, 1) == 1 ? arg : 0;
}
int main(void) {
  pthread_t t;
  if (pipe(gate) || pthread_create(&t, 0, run, 0)) return 1;
  if (write(gate[1], "x", 1) != 1) return 1;
  return pthread_join(t, 0);
}
`,
      ['-pthread'],
    );
    try {
      const t = besideStrace('clone3', [prog.bin]);
      // Addresses and tids differ from run to run; the tid in => {parent_tid=[N]} is the return value.
      const line = (t: string) => {
        const l = t.split('\n').find((x) => x.startsWith('clone3(')) ?? '';
        const tid = /= (\d+)$/.exec(l)?.[1];
        return l
          .replace(/0x[0-9a-f]+/g, 'ADDR')
          .replaceAll(`[${tid}]`, '[TID]')
          .replace(/= \d+$/, '= TID');
      };
      expect(line(t.mine)).toBe(line(t.strace));
      expect(line(t.mine)).toContain('=> {parent_tid=[TID]}');
    } finally {
      prog.remove();
    }
  });

  it('Ctrl-C prints the final report and leaves no BPF program loaded', async ({ skip }) => {
    if (!ROOT) skipUnlessCapable(skip, 'eBPF needs root');
    // Programs of the previous tests may still be on their way out (released after RCU-tasks).
    let before = loadedBpfProgramIds();
    for (let i = 0; i < 50; i++) {
      await sleep(100);
      const now = loadedBpfProgramIds();
      if (now.length === before.length) break;
      before = now;
    }
    const bg = background(['syscount', '--json']);
    await attached(bg.child.pid!);
    expect(loadedBpfProgramIds().filter((id) => !before.includes(id)).length).toBeGreaterThan(0);
    bg.child.kill('SIGINT');
    expect(await bg.done).toBe(130); // Ctrl-C (README: exit codes)
    expect(JSON.parse(bg.out()).syscalls.length).toBeGreaterThan(0);
    // The kernel frees a detached tp_btf program after an RCU-tasks grace period: give it time.
    let leftover: number[] = [];
    for (let i = 0; i < 100; i++) {
      leftover = loadedBpfProgramIds().filter((id) => !before.includes(id));
      if (leftover.length === 0) break;
      await sleep(100);
    }
    expect(leftover).toEqual([]);
  });

  it('without privileges: one line naming the missing capability, exit 5', () => {
    const setpriv = spawnSync('setpriv', ['--version']);
    if (setpriv.error) throw new Error('setpriv (util-linux) is needed for this test');
    if (!ROOT) {
      const r = oslens(['syscount', '--duration', '1']);
      expect(r.status).toBe(5);
      return;
    }
    const r = asNobody(['syscount', '--duration', '1'], ['--inh-caps=-all']);
    expect(r.status, r.stderr).toBe(5);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/CAP_BPF/);
    expect(lines[0]).toMatch(/CAP_PERFMON/);
  });
});
