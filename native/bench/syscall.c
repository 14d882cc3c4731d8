/* Syscall family: the cost of crossing into the kernel, and what the vDSO saves. */
#include "bench.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* syscall(SYS_getpid) always enters the kernel (glibc's getpid() cache is long gone, but this
 * makes it explicit). */
static double getpid_run(bench_ctx *ctx, uint64_t ops) {
  (void)ctx;
  uint64_t t0 = bench_now_ns();
  for (uint64_t i = 0; i < ops; i++) BENCH_KEEP(syscall(SYS_getpid));
  uint64_t t1 = bench_now_ns();
  return (double)(t1 - t0);
}

/* getppid: what `perf bench syscall basic` times, so bench:peers compares the same call. It
 * costs ~20% more than getpid here: it also reads the parent's task under RCU. */
static double getppid_run(bench_ctx *ctx, uint64_t ops) {
  (void)ctx;
  uint64_t t0 = bench_now_ns();
  for (uint64_t i = 0; i < ops; i++) BENCH_KEEP(syscall(SYS_getppid));
  uint64_t t1 = bench_now_ns();
  return (double)(t1 - t0);
}

/* clock_gettime through glibc goes to the vDSO: no kernel entry. */
static double clock_vdso_run(bench_ctx *ctx, uint64_t ops) {
  (void)ctx;
  struct timespec ts;
  uint64_t t0 = bench_now_ns();
  for (uint64_t i = 0; i < ops; i++) {
    clock_gettime(CLOCK_MONOTONIC, &ts);
    BENCH_KEEP(ts.tv_nsec);
  }
  uint64_t t1 = bench_now_ns();
  return (double)(t1 - t0);
}

/* The same clock read forced through the real system call. */
static double clock_syscall_run(bench_ctx *ctx, uint64_t ops) {
  (void)ctx;
  struct timespec ts;
  uint64_t t0 = bench_now_ns();
  for (uint64_t i = 0; i < ops; i++) {
    syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
    BENCH_KEEP(ts.tv_nsec);
  }
  uint64_t t1 = bench_now_ns();
  return (double)(t1 - t0);
}

static int devnull_setup(bench_ctx *ctx) {
  int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    bench_set_error(ctx, "cannot open /dev/null: %s", strerror(errno));
    return -1;
  }
  ctx->state = (void *)(intptr_t)fd;
  return 0;
}

static double devnull_run(bench_ctx *ctx, uint64_t ops) {
  int fd = (int)(intptr_t)ctx->state;
  char byte = 'x';
  uint64_t t0 = bench_now_ns();
  for (uint64_t i = 0; i < ops; i++) {
    if (write(fd, &byte, 1) != 1) {
      bench_set_error(ctx, "write to /dev/null failed: %s", strerror(errno));
      return -1;
    }
  }
  uint64_t t1 = bench_now_ns();
  return (double)(t1 - t0);
}

static void devnull_teardown(bench_ctx *ctx) { close((int)(intptr_t)ctx->state); }

const bench_def bench_syscall_getpid = {"syscall-getpid", NULL, getpid_run, NULL, 0, 100, PIN_PREFERRED};
const bench_def bench_syscall_getppid = {"syscall-getppid", NULL, getppid_run, NULL, 0, 100,
                                         PIN_PREFERRED};
const bench_def bench_clock_vdso = {"clock-vdso", NULL, clock_vdso_run, NULL, 0, 100, PIN_PREFERRED};
const bench_def bench_clock_syscall = {"clock-syscall", NULL, clock_syscall_run, NULL, 0, 100, PIN_PREFERRED};
const bench_def bench_write_devnull = {"write-devnull", devnull_setup, devnull_run, devnull_teardown,
                                       0, 100, PIN_PREFERRED};

/* A plain call of a function the compiler may not inline (called through a volatile pointer):
 * the other side of the "a syscall costs ~10x a function call" claim. */
__attribute__((noinline)) static uint64_t plain_function(uint64_t x) { return x + 1; }
static uint64_t (*volatile plain_function_ptr)(uint64_t) = plain_function;

static double function_call_run(bench_ctx *ctx, uint64_t ops) {
  (void)ctx;
  uint64_t acc = 0;
  uint64_t t0 = bench_now_ns();
  for (uint64_t i = 0; i < ops; i++) acc = plain_function_ptr(acc);
  uint64_t t1 = bench_now_ns();
  BENCH_KEEP(acc);
  return (double)(t1 - t0);
}

/*
 * Signal delivery to a handler, as lmbench's lat_sig catch: tgkill to the calling thread, which
 * runs the handler on the way out of the syscall. A real-time signal Node does not use; the
 * previous action and this thread's mask are restored in teardown.
 */
typedef struct {
  struct sigaction old_action;
  sigset_t old_mask;
} signal_state;

static volatile sig_atomic_t signal_count;
static void count_signal(int sig) {
  (void)sig;
  signal_count++;
}

static int bench_signal_number(void) { return SIGRTMIN + 3; }

static int signal_setup(bench_ctx *ctx) {
  signal_state *s = calloc(1, sizeof *s);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = count_signal;
  sigemptyset(&sa.sa_mask);
  if (sigaction(bench_signal_number(), &sa, &s->old_action) != 0) {
    bench_set_error(ctx, "sigaction: %s", strerror(errno));
    free(s);
    return -1;
  }
  sigset_t unblock;
  sigemptyset(&unblock);
  sigaddset(&unblock, bench_signal_number());
  pthread_sigmask(SIG_UNBLOCK, &unblock, &s->old_mask);
  ctx->state = s;
  return 0;
}

static double signal_run(bench_ctx *ctx, uint64_t ops) {
  pid_t pid = getpid();
  pid_t tid = (pid_t)syscall(SYS_gettid);
  int sig = bench_signal_number();
  sig_atomic_t before = signal_count;
  uint64_t t0 = bench_now_ns();
  for (uint64_t i = 0; i < ops; i++) syscall(SYS_tgkill, pid, tid, sig);
  uint64_t t1 = bench_now_ns();
  if ((uint64_t)(signal_count - before) != ops) {
    bench_set_error(ctx, "%llu signals sent, %llu handled", (unsigned long long)ops,
                    (unsigned long long)(signal_count - before));
    return -1;
  }
  return (double)(t1 - t0);
}

static void signal_teardown(bench_ctx *ctx) {
  signal_state *s = ctx->state;
  if (!s) return;
  pthread_sigmask(SIG_SETMASK, &s->old_mask, NULL);
  sigaction(bench_signal_number(), &s->old_action, NULL);
  free(s);
}

const bench_def bench_function_call = {"function-call", NULL, function_call_run, NULL, 0, 1000,
                                       PIN_PREFERRED};
const bench_def bench_signal_catch = {"signal-catch", signal_setup, signal_run, signal_teardown, 0, 100,
                                      PIN_PREFERRED};
