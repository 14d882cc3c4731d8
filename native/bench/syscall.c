/* Syscall family: the cost of crossing into the kernel, and what the vDSO saves. */
#include "bench.h"

#include <errno.h>
#include <fcntl.h>
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
