/**
 * The process family of the decoder (processes, threads, signals, time, credentials, limits)
 * against strace: small C programs make each syscall with several argument variants (success and
 * failure, NULL, bad addresses, unknown values), and whole lines are compared after normalising
 * only what differs from run to run (addresses, the traced pid, clock readings). A fast-check
 * property feeds the printers random registers and captures.
 */
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeArgs, formatArgs, renderReturn, SPEC_NAMES } from '../../src/trace/decode.js';
import { sigsetText, siginfoText, parseSiginfo } from '../../src/trace/decode/printers/signal.js';
import { wakeOpText } from '../../src/trace/decode/printers/process.js';
import { rlimText } from '../../src/trace/decode/printers/resource.js';
import type { Capture } from '../../src/trace/records.js';
import { compileC, type CompiledC } from '../helpers/cc.js';
import { skipUnlessCapable } from '../helpers/env.js';
import { traceBoth, type TracePair } from '../helpers/strace-diff.js';

let haveStrace = true;
beforeAll(() => {
  haveStrace = spawnSync('strace', ['-V']).status === 0;
});

const programs: CompiledC[] = [];
afterAll(() => programs.forEach((p) => p.remove()));

/** The pid a trace's own getpid() returned, so that both traces can name it PID. */
function tracedPid(lines: string[]): string | undefined {
  for (const l of lines) {
    const m = /^getpid\(\)\s+= (\d+)$/.exec(l);
    if (m) return m[1];
  }
  return undefined;
}

/**
 * Lines of the syscalls `names`, normalised: one space before ` = ` (alignment is the renderer's
 * to check), the traced pid as PID, and clock readings where `clocks` says they are.
 */
function pick(lines: string[], names: string[], clocks = false): string[] {
  const pid = tracedPid(lines);
  const re = new RegExp(`^(?:${names.join('|')})\\(`);
  return lines
    .filter((l) => re.test(l))
    .map((l) => {
      let s = l.replace(/\)\s+= /, ') = ');
      if (pid) s = s.replace(new RegExp(`\\b${pid}\\b`, 'g'), 'PID');
      if (clocks) s = s.replace(/\b(tv_sec|tv_nsec|tv_usec|uptime|freeram|bufferram|sharedram|procs)=\d+/g, '$1=N');
      return s;
    });
}

function run(name: string, source: string, flags: string[] = []): TracePair {
  const prog = compileC(name, source);
  programs.push(prog);
  return traceBoth([prog.bin], flags);
}

const HEAD = `#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
`;

describe('signals against strace', () => {
  it('sets (inverted with KILL and STOP), sigaction with 64-bit sa_flags, how, sigsetsize', (ctx) => {
    if (!haveStrace) skipUnlessCapable(ctx.skip, 'strace is not installed');
    const pair = run(
      'sigsets',
      `${HEAD}
struct ksa { unsigned long h, flags, restorer, mask; };
static void h(int s) { (void)s; }
int main(void) {
  struct ksa a = {0}, o;
  unsigned long m;
  a.h = (unsigned long)h; a.flags = 0x04000000 | 0x10000000 | 4 | 0x100000000ul | 0x400; a.mask = ~0ul;
  syscall(SYS_rt_sigaction, SIGUSR1, &a, &o, 8);
  a.flags = ~0ul; a.mask = (1ul << 8) | (1ul << 18) | (1ul << 31) | (1ul << 32) | (1ul << 63);
  syscall(SYS_rt_sigaction, SIGUSR2, &a, &o, 8);
  syscall(SYS_rt_sigaction, SIGUSR2, NULL, &o, 8);
  syscall(SYS_rt_sigaction, 40, NULL, NULL, 8);
  syscall(SYS_rt_sigaction, 32, NULL, NULL, 8);
  syscall(SYS_rt_sigaction, 33, NULL, (void *)1, 8);
  syscall(SYS_rt_sigaction, 64, NULL, &o, 8);
  syscall(SYS_rt_sigaction, 65, NULL, &o, 8);
  for (int bits = 38; bits <= 64; bits += 2) {
    m = bits == 64 ? ~0ul : ((1ul << bits) - 1);
    syscall(SYS_rt_sigprocmask, SIG_BLOCK, &m, NULL, 8);
  }
  m = ~0ul; syscall(SYS_rt_sigprocmask, SIG_BLOCK, &m, &m, 8);
  syscall(SYS_rt_sigprocmask, SIG_SETMASK, NULL, &m, 8);
  m = 0xffffffff; syscall(SYS_rt_sigprocmask, SIG_SETMASK, &m, &m, 4);
  syscall(SYS_rt_sigprocmask, 7, &m, &m, 8);
  syscall(SYS_rt_sigprocmask, SIG_UNBLOCK, (void *)1, NULL, 8);
  m = 0; syscall(SYS_rt_sigprocmask, SIG_SETMASK, &m, NULL, 8);
  syscall(SYS_rt_sigpending, &m, 8);
  syscall(SYS_kill, 0, 0); syscall(SYS_kill, 999999, SIGTERM); syscall(SYS_kill, getpid(), 100);
  syscall(SYS_tgkill, getpid(), gettid(), 0);
  return 0;
}`,
    );
    const names = ['rt_sigaction', 'rt_sigprocmask', 'rt_sigpending', 'kill', 'tgkill'];
    const s = pick(pair.strace, names);
    expect(s.length).toBeGreaterThan(25);
    // The reported wrong decodes, in strace's own words:
    expect(s.some((l) => l.includes('~[KILL STOP]'))).toBe(true);
    // 0x100000400: bits above 32 (an address-like 9 digits once normalised), not a bare 0x400.
    expect(s.some((l) => l.includes('sa_flags=SA_RESTORER|SA_RESTART|SA_SIGINFO|0xADDR,'))).toBe(true);
    expect(s.some((l) => l.startsWith('rt_sigaction(SIGRTMIN,'))).toBe(true);
    expect(pick(pair.oslens, names)).toEqual(s);
  });

  it('siginfo (rt_sigtimedwait, rt_sigqueueinfo), sigaltstack, rt_sigreturn with the restored mask', (ctx) => {
    if (!haveStrace) skipUnlessCapable(ctx.skip, 'strace is not installed');
    const pair = run(
      'siginfo',
      `${HEAD}
#include <time.h>
#include <sys/time.h>
static void h(int s) { (void)s; }
int main(void) {
  static char st[65536];
  stack_t ss = {0}, os; ss.ss_sp = st; ss.ss_size = sizeof st;
  sigaltstack(&ss, &os); sigaltstack(NULL, &os);
  ss.ss_flags = SS_DISABLE; sigaltstack(&ss, NULL); ss.ss_flags = 7; sigaltstack(&ss, NULL);
  sigaltstack((void *)1, NULL);
  unsigned long m = 1ul << (SIGUSR2 - 1);
  syscall(SYS_rt_sigprocmask, SIG_BLOCK, &m, NULL, 8);
  kill(getpid(), SIGUSR2);
  siginfo_t si; struct timespec ts = {0, 1000};
  syscall(SYS_rt_sigtimedwait, &m, &si, &ts, 8);
  syscall(SYS_rt_sigtimedwait, &m, &si, &ts, 8);
  syscall(SYS_rt_sigtimedwait, &m, NULL, NULL, 4);
  siginfo_t q; memset(&q, 0, sizeof q);
  q.si_signo = SIGUSR2; q.si_code = -1; q.si_pid = getpid(); q.si_value.sival_int = 42;
  syscall(SYS_rt_sigqueueinfo, getpid(), SIGUSR2, &q);
  syscall(SYS_rt_sigtimedwait, &m, &si, NULL, 8);
  signal(SIGUSR1, h);
  m = (1ul << (SIGUSR2 - 1)) | (1ul << (SIGHUP - 1));
  syscall(SYS_rt_sigprocmask, SIG_SETMASK, &m, NULL, 8);
  kill(getpid(), SIGUSR1);
  signal(SIGALRM, h);
  struct itimerval it = {{0, 0}, {0, 20000}};
  setitimer(ITIMER_REAL, &it, NULL);
  syscall(SYS_nanosleep, &(struct timespec){2, 0}, &ts);
  return 0;
}`,
    );
    const names = ['sigaltstack', 'rt_sigtimedwait', 'rt_sigqueueinfo', 'rt_sigreturn', 'nanosleep'];
    const s = pick(pair.strace, names, true);
    // Interrupted: the remaining time is printed (written by the kernel), not the address.
    expect(s).toContain(
      'nanosleep({tv_sec=N, tv_nsec=N}, {tv_sec=N, tv_nsec=N}) = ? ERESTART_RESTARTBLOCK (Interrupted by signal)',
    );
    expect(s).toContain('rt_sigreturn({mask=[HUP USR2]}) = 0');
    expect(s.some((l) => l.includes('si_int=42, si_ptr=0x2a'))).toBe(true);
    expect(pick(pair.oslens, names, true)).toEqual(s);
  });
});

describe('processes against strace', () => {
  it('clone3 (with CLONE_PIDFD), wait4 and waitid options and statuses, pidfd_*', (ctx) => {
    if (!haveStrace) skipUnlessCapable(ctx.skip, 'strace is not installed');
    const pair = run(
      'procs',
      `${HEAD}
#include <stdlib.h>
#include <sys/wait.h>
#include <sys/resource.h>
#include <linux/sched.h>
int main(void) {
  struct clone_args ca; memset(&ca, 0, sizeof ca);
  ca.exit_signal = SIGCHLD;
  long p = syscall(SYS_clone3, &ca, sizeof ca);
  if (p == 0) _exit(3);
  int st; syscall(SYS_wait4, p, &st, 0, NULL);
  int pidfd = -1;
  ca.flags = CLONE_PIDFD | CLONE_CLEAR_SIGHAND; ca.pidfd = (uint64_t)&pidfd;
  p = syscall(SYS_clone3, &ca, 88);
  if (p == 0) { pause(); _exit(0); }
  syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
  siginfo_t si; syscall(SYS_waitid, P_PIDFD, pidfd, &si, WEXITED, NULL);
  syscall(SYS_waitid, P_ALL, 0, &si, WEXITED | WNOHANG, NULL);
  syscall(SYS_waitid, 7, 0, &si, WEXITED, NULL);
  syscall(SYS_clone3, NULL, 64); syscall(SYS_clone3, &ca, 8);
  p = fork(); if (p == 0) abort();
  syscall(SYS_wait4, p, &st, __WALL, NULL);
  syscall(SYS_wait4, -1, &st, __WCLONE | __WNOTHREAD | WNOHANG | WEXITED | WUNTRACED, NULL);
  syscall(SYS_wait4, -1, NULL, WNOHANG, NULL);
  syscall(SYS_pidfd_open, getpid(), 0); syscall(SYS_pidfd_open, getpid(), 0x800); syscall(SYS_pidfd_open, getpid(), 5);
  return 0;
}`,
    );
    const names = ['clone3', 'wait4', 'waitid', 'pidfd_open', 'pidfd_send_signal'];
    // Without -f the children's pids are not the traced pid: name every 5+ digit number.
    const norm = (l: string[]) => pick(l, names).map((x) => x.replace(/\b\d{3,}\b/g, 'N'));
    const s = norm(pair.strace);
    expect(s.some((l) => l.includes(' => {pidfd=[3]}, 88)'))).toBe(true);
    expect(s.some((l) => l.includes('WIFSIGNALED(s) && WTERMSIG(s) == SIGABRT'))).toBe(true);
    expect(norm(pair.oslens)).toEqual(s);
  });

  it('futex: only the arguments each operation uses', (ctx) => {
    if (!haveStrace) skipUnlessCapable(ctx.skip, 'strace is not installed');
    const pair = run(
      'futexes',
      `${HEAD}
#include <linux/futex.h>
#include <time.h>
static int f1 = 0, f2 = 0;
int main(void) {
  struct timespec to = {0, 1000};
  syscall(SYS_futex, &f1, FUTEX_WAKE, 1, NULL, NULL, 0);
  syscall(SYS_futex, &f1, FUTEX_WAKE_PRIVATE, INT32_MAX, NULL, NULL, 0);
  syscall(SYS_futex, &f1, FUTEX_WAIT_PRIVATE, 1, NULL, NULL, 0);
  syscall(SYS_futex, &f1, FUTEX_WAIT, 0, &to, NULL, 0);
  syscall(SYS_futex, &f1, FUTEX_WAIT_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME, 0, &to, NULL, FUTEX_BITSET_MATCH_ANY);
  syscall(SYS_futex, &f1, FUTEX_WAIT_BITSET_PRIVATE, 0, &to, NULL, 5);
  syscall(SYS_futex, &f1, FUTEX_WAKE_BITSET, 1, NULL, NULL, FUTEX_BITSET_MATCH_ANY);
  syscall(SYS_futex, &f1, FUTEX_REQUEUE, 1, 2, &f2, 0);
  syscall(SYS_futex, &f1, FUTEX_CMP_REQUEUE_PRIVATE, 1, 2, &f2, 0);
  syscall(SYS_futex, &f1, FUTEX_WAKE_OP_PRIVATE, 1, 1, &f2, FUTEX_OP(FUTEX_OP_SET, 0, FUTEX_OP_CMP_GT, 1));
  syscall(SYS_futex, &f1, FUTEX_WAKE_OP, 1, 1, &f2, FUTEX_OP((FUTEX_OP_ADD | FUTEX_OP_OPARG_SHIFT), 3, FUTEX_OP_CMP_EQ, 0));
  syscall(SYS_futex, &f1, FUTEX_WAKE_OP, 1, 1, &f2, FUTEX_OP(7, 3, 9, 0));
  syscall(SYS_futex, &f1, FUTEX_LOCK_PI, 0, NULL, NULL, 0);
  syscall(SYS_futex, &f1, FUTEX_UNLOCK_PI, 0, NULL, NULL, 0);
  syscall(SYS_futex, &f1, FUTEX_WAIT_REQUEUE_PI, 0, &to, &f2, 0);
  syscall(SYS_futex, &f1, 99, 1, 2, 3, 4);
  syscall(SYS_futex, &f1, FUTEX_WAIT, 0, (void *)1, NULL, 0);
  return 0;
}`,
      ['-e', 'trace=futex'],
    );
    const s = pick(pair.strace, ['futex']);
    expect(s.length).toBe(17);
    expect(s.some((l) => l.includes('FUTEX_BITSET_MATCH_ANY'))).toBe(true);
    expect(pick(pair.oslens, ['futex'])).toEqual(s);
  });
});

describe('limits, scheduling, credentials, prctl against strace', () => {
  it('prlimit64, getrlimit, getrusage, sched_*, prctl, capget, set*id, groups, uname', (ctx) => {
    if (!haveStrace) skipUnlessCapable(ctx.skip, 'strace is not installed');
    const pair = run(
      'limits',
      `${HEAD}
#include <sched.h>
#include <sys/resource.h>
#include <sys/prctl.h>
#include <sys/utsname.h>
#include <linux/capability.h>
int main(void) {
  struct { uint64_t cur, max; } rl = {1024, 4096}, orl;
  syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, &orl);
  syscall(SYS_prlimit64, 0, RLIMIT_CORE, &rl, NULL);
  rl.cur = 1ul << 30; rl.max = ~0ul; syscall(SYS_prlimit64, 0, RLIMIT_AS, &rl, NULL);
  syscall(SYS_prlimit64, 0, 99, NULL, &orl);
  syscall(SYS_prlimit64, 0, RLIMIT_CPU, (void *)1, NULL);
  struct rlimit r; syscall(SYS_getrlimit, RLIMIT_NOFILE, &r); syscall(SYS_getrlimit, RLIMIT_NOFILE, NULL);
  struct rusage ru; syscall(SYS_getrusage, 5, &ru);
  cpu_set_t cs; CPU_ZERO(&cs);
  syscall(SYS_sched_getaffinity, 0, 3, &cs);
  CPU_SET(0, &cs); CPU_SET(5, &cs); CPU_SET(70, &cs); syscall(SYS_sched_setaffinity, 0, sizeof cs, &cs);
  struct sched_param sp = {0}; syscall(SYS_sched_getparam, 0, &sp);
  syscall(SYS_sched_getscheduler, 0); syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, &sp);
  syscall(SYS_sched_setscheduler, 0, SCHED_FIFO, &sp); syscall(SYS_sched_get_priority_max, SCHED_FIFO);
  char name[32];
  prctl(PR_SET_NAME, "hello\\tworld"); prctl(PR_GET_NAME, name);
  prctl(PR_SET_PDEATHSIG, SIGTERM); int pd; prctl(PR_GET_PDEATHSIG, &pd);
  prctl(PR_SET_DUMPABLE, 1); prctl(PR_GET_DUMPABLE); prctl(PR_MCE_KILL_GET, 0, 0, 0, 0); prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
  prctl(PR_CAPBSET_READ, CAP_SYS_ADMIN); prctl(PR_CAPBSET_READ, 99);
  prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_NET_RAW, 0, 0);
  prctl(1000, 1, 2, 3, 4); prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);
  prctl(PR_SET_NAME, "abcdefghijklmnopqrstuvwxyz"); prctl(PR_SET_NAME, (void *)1);
  prctl(PR_GET_SPECULATION_CTRL, 0, 0, 0, 0);
  struct __user_cap_header_struct hd = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct cd[2];
  syscall(SYS_capget, &hd, cd);
  hd.version = 0; syscall(SYS_capget, &hd, NULL);
  hd.version = 0x12345; syscall(SYS_capget, &hd, cd);
  syscall(SYS_setreuid, -1, 0); syscall(SYS_setresgid, 0, 0, 0);
  uid_t a, b, c; syscall(SYS_getresuid, &a, &b, &c);
  gid_t gs[4] = {0, 4, 27, 0}; syscall(SYS_setgroups, 3, gs); syscall(SYS_getgroups, 1, gs);
  syscall(SYS_getgroups, 4, gs); syscall(SYS_setgroups, 0, NULL);
  struct utsname u; uname(&u);
  return 0;
}`,
    );
    const names = [
      'prlimit64',
      'getrlimit',
      'getrusage',
      'sched_\\w+',
      'prctl',
      'capget',
      'setreuid',
      'setresgid',
      'getresuid',
      'setgroups',
      'getgroups',
      'uname',
    ];
    const s = pick(pair.strace, names);
    expect(s).toContain('prlimit64(0, RLIMIT_AS, {rlim_cur=1048576*1024, rlim_max=RLIM64_INFINITY}, NULL) = 0');
    expect(s).toContain('sched_setaffinity(0, 128, [0 5 70]) = 0');
    expect(s).toContain('prctl(PR_SET_NAME, "hello\\tworld") = 0');
    expect(s).toContain('prctl(PR_GET_DUMPABLE) = 1 (SUID_DUMP_USER)');
    expect(pick(pair.oslens, names)).toEqual(s);
  });

  it('time: sleeps (TIMER_ABSTIME, remaining time), itimers, POSIX timers, clocks', (ctx) => {
    if (!haveStrace) skipUnlessCapable(ctx.skip, 'strace is not installed');
    const pair = run(
      'clocks',
      `${HEAD}
#include <time.h>
#include <sys/time.h>
#include <sys/random.h>
int main(void) {
  struct timespec ts;
  syscall(SYS_clock_getres, CLOCK_MONOTONIC, &ts); syscall(SYS_clock_getres, CLOCK_REALTIME, NULL);
  syscall(SYS_clock_gettime, 99, &ts); syscall(SYS_clock_gettime, CLOCK_TAI, &ts);
  syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &(struct timespec){0, 1000}, &ts);
  clock_gettime(CLOCK_MONOTONIC, &ts);
  syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
  syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 2, &(struct timespec){0, 1000}, NULL);
  syscall(SYS_nanosleep, &(struct timespec){0, 1000}, &ts);
  syscall(SYS_nanosleep, &(struct timespec){0, -1}, NULL);
  struct itimerval it = {{0, 0}, {10, 500}}, oit;
  setitimer(ITIMER_REAL, &it, &oit); it.it_value.tv_sec = 0; it.it_value.tv_usec = 0; setitimer(ITIMER_REAL, &it, NULL);
  getitimer(ITIMER_PROF, &oit); getitimer(7, &oit);
  int tid; syscall(SYS_timer_create, CLOCK_REALTIME, NULL, &tid);
  struct itimerspec its = {{0, 0}, {0, 0}};
  syscall(SYS_timer_settime, tid, TIMER_ABSTIME, &its, NULL); syscall(SYS_timer_delete, tid);
  char buf[16]; syscall(SYS_getrandom, buf, 0, 4); syscall(SYS_getrandom, buf, 4, 8);
  syscall(SYS_getrandom, buf, 16, GRND_NONBLOCK);
  return 0;
}`,
    );
    const names = ['clock_\\w+', 'nanosleep', 'setitimer', 'getitimer', 'timer_\\w+', 'getrandom'];
    const norm = (l: string[]) => pick(l, names, true).map((x) => x.replace(/^getrandom\("[^"]+"/, 'getrandom("R"'));
    const s = norm(pair.strace);
    expect(s.some((l) => l.includes('TIMER_ABSTIME'))).toBe(true);
    expect(s).toContain('getrandom(0xADDR, 4, 0x8 /* GRND_??? */) = -1 EINVAL (Invalid argument)');
    expect(norm(pair.oslens)).toEqual(s);
  });
});

describe('real programs against strace', () => {
  it('sh with a pipeline and a subshell under -f: clone, wait4, rt_sigaction, prlimit64 lines', (ctx) => {
    if (!haveStrace) skipUnlessCapable(ctx.skip, 'strace is not installed');
    const pair = traceBoth(['sh', '-c', 'sleep 0.01 | cat; (true); exit 0'], ['-f']);
    // rt_sigreturn is left out: how many SIGCHLDs interrupt sh depends on the scheduling.
    const names = ['wait4', 'rt_sigaction', 'prlimit64', 'rseq', 'clock_nanosleep', 'getrandom', 'clone'];
    // Every task's lines, a call split by another task's (`<unfinished ...>`) joined back, pids
    // and other 3+ digit numbers as N, getrandom's bytes as R; in any order.
    const norm = (lines: string[]) => {
      const open = new Map<string, string>();
      const out: string[] = [];
      for (const line of lines) {
        const m = /^(\d+) +(.*)$/.exec(line);
        const pid = m?.[1] ?? '';
        let body = m?.[2] ?? line;
        if (body.endsWith(' <unfinished ...>')) {
          open.set(pid, body.slice(0, -' <unfinished ...>'.length));
          continue;
        }
        const r = /^<\.\.\. \w+ resumed>(.*)$/.exec(body);
        if (r) body = (open.get(pid) ?? '') + r[1];
        out.push(
          body
            .replace(/\)\s+= /, ') = ')
            .replace(/\b\d{3,}\b/g, 'N')
            .replace(/^getrandom\("[^"]+"/, 'getrandom("R"'),
        );
      }
      return out.filter((l) => new RegExp(`^(?:${names.join('|')})\\(`).test(l)).sort();
    };
    const s = norm(pair.strace);
    expect(s.some((l) => l.startsWith('clone(child_stack=NULL, flags='))).toBe(true);
    expect(norm(pair.oslens)).toEqual(s);
  });
});

describe('printers', () => {
  it('sigsets invert at 2/3 of the bits, as strace does', () => {
    const b = (mask: bigint) => {
      const d = Buffer.alloc(8);
      d.writeBigUInt64LE(mask);
      return d;
    };
    expect(sigsetText(b(0n))).toBe('[]');
    expect(sigsetText(b(~0n & 0xffffffffffffffffn))).toBe('~[]');
    expect(sigsetText(b(0xfffffffe7ffbfeffn))).toBe('~[KILL STOP RTMIN RT_1]');
    expect(sigsetText(b((1n << 41n) - 1n))).toMatch(/^\[HUP /);
    expect(sigsetText(b((1n << 42n) - 1n))).toMatch(/^~\[RT_11 /);
  });

  it('rlimits, FUTEX_WAKE_OP, siginfo', () => {
    expect(rlimText(1024n)).toBe('1024');
    expect(rlimText(8192n * 1024n)).toBe('8192*1024');
    expect(rlimText(0xffffffffffffffffn)).toBe('RLIM64_INFINITY');
    expect(wakeOpText(0x04001001 | (0 << 28))).toBe('FUTEX_OP_SET<<28|0x1<<12|FUTEX_OP_CMP_GT<<24|0x1');
    const si = Buffer.alloc(128);
    si.writeInt32LE(17, 0);
    si.writeInt32LE(2, 8);
    si.writeInt32LE(1234, 16);
    si.writeInt32LE(9, 24);
    expect(siginfoText(parseSiginfo(si))).toBe(
      '{si_signo=SIGCHLD, si_code=CLD_KILLED, si_pid=1234, si_uid=0, si_status=SIGKILL, si_utime=0, si_stime=0}',
    );
    // clock_t fields carry strace's seconds comment (USER_HZ 100).
    si.writeBigUInt64LE(150n, 32);
    expect(siginfoText(parseSiginfo(si))).toContain('si_utime=150 /* 1.50 s */, si_stime=0}');
  });

  it('clone prints its exit-time fields after the flags, the separator with them (formatArgs)', () => {
    const raw = [0x1200011n, 0n, 0n, 0x7f0000001000n, 0n, 0n];
    const args = decodeArgs('clone', raw, [], null, { pid: 1, showPaths: false }).map((a) => a.text);
    expect(args).toEqual([
      'child_stack=NULL',
      'flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD',
      'child_tidptr=0x7f0000001000',
    ]);
    expect(formatArgs('clone', args, 'entry')).toBe(
      'child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD',
    );
    expect(formatArgs('clone', args, 'exit')).toBe(', child_tidptr=0x7f0000001000');
    expect(formatArgs('read', ['3', '"x"', '1'], 'entry')).toBe('3, ');
  });

  const FAMILY = SPEC_NAMES.filter((n) =>
    /^(clone|clone3|wait4|waitid|futex|prctl|prlimit64|rt_sig\w+|sigaltstack|sched_\w+|capget|capset|getgroups|setgroups|getres[ug]id|timer_\w+|clock_\w+|nanosleep|getrandom|personality|uname|sysinfo|getrusage|[gs]etitimer|times?|kill|tgkill|pidfd_\w+|ioprio_\w+|getcpu|get_robust_list)$/.test(
      n,
    ),
  );

  it('random registers and captures never throw and always give text (fast-check)', () => {
    const capture = fc.record({
      arg: fc.integer({ min: 0, max: 5 }),
      phase: fc.constantFrom(0 as const, 1 as const),
      kind: fc.constantFrom(2, 5, 6, 10, 11, 13, 15, 29, 30, 31),
      truncated: fc.boolean(),
      fault: fc.boolean(),
      data: fc.uint8Array({ maxLength: 400 }).map((u) => Buffer.from(u)),
    });
    fc.assert(
      fc.property(
        fc.constantFrom(...FAMILY),
        fc.array(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), { minLength: 6, maxLength: 6 }),
        fc.array(capture, { maxLength: 8 }),
        fc.option(fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }), { nil: null }),
        (name, raw, caps, ret) => {
          const args = decodeArgs(name, raw, caps as Capture[], ret, { pid: 1, showPaths: false });
          for (const a of args) expect(typeof a.text).toBe('string');
          if (ret !== null) expect(typeof renderReturn(name, ret, { pid: 1, showPaths: false })).toBe('string');
          for (const part of ['all', 'entry', 'exit'] as const)
            expect(
              typeof formatArgs(
                name,
                args.map((a) => a.text),
                part,
                raw,
                caps as Capture[],
              ),
            ).toBe('string');
        },
      ),
      { numRuns: 3000 },
    );
  });
});
