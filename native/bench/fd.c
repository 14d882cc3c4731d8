/*
 * File descriptor family: what a descriptor costs to make and to use. open+close of a cached file
 * (path walk, a struct file, a slot in the table), dup+close (a slot and a reference only), and the
 * same cheap syscall on a low and on a high descriptor number: the table is an array, so the
 * number should not matter.
 */
#include "bench.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define HIGH_FD 10000

static double open_close_run(bench_ctx *ctx, uint64_t ops) {
  /* A file that exists on every Linux and is in the dentry cache after the warm-up. */
  const char *path = "/etc/passwd";
  uint64_t t0 = bench_now_ns();
  for (uint64_t i = 0; i < ops; i++) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      bench_set_error(ctx, "open %s: %s", path, strerror(errno));
      return -1;
    }
    close(fd);
  }
  uint64_t t1 = bench_now_ns();
  return (double)(t1 - t0);
}

static int dup_setup(bench_ctx *ctx) {
  int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    bench_set_error(ctx, "cannot open /dev/null: %s", strerror(errno));
    return -1;
  }
  ctx->state = (void *)(intptr_t)(fd + 1); /* +1: 0 means "nothing to close" */
  return 0;
}

static double dup_close_run(bench_ctx *ctx, uint64_t ops) {
  int fd = (int)(intptr_t)ctx->state - 1;
  uint64_t t0 = bench_now_ns();
  for (uint64_t i = 0; i < ops; i++) {
    int d = dup(fd);
    if (d < 0) {
      bench_set_error(ctx, "dup: %s", strerror(errno));
      return -1;
    }
    close(d);
  }
  uint64_t t1 = bench_now_ns();
  return (double)(t1 - t0);
}

static void fd_teardown(bench_ctx *ctx) {
  int fd = (int)(intptr_t)ctx->state - 1;
  if (fd >= 0) close(fd);
}

/* fcntl(F_GETFD): looks the descriptor up in the table and returns a flag, nothing else. */
static double getfd_run(bench_ctx *ctx, uint64_t ops) {
  int fd = (int)(intptr_t)ctx->state - 1;
  uint64_t t0 = bench_now_ns();
  for (uint64_t i = 0; i < ops; i++) {
    if (fcntl(fd, F_GETFD) < 0) {
      bench_set_error(ctx, "fcntl(%d, F_GETFD): %s", fd, strerror(errno));
      return -1;
    }
  }
  uint64_t t1 = bench_now_ns();
  return (double)(t1 - t0);
}

/* The lowest free descriptor (3 in a plain C program; whatever Node left free here). */
static int fd_low_setup(bench_ctx *ctx) { return dup_setup(ctx); }

/* Descriptor 10,000 (or the highest free one near it): the table grows to hold it. */
static int fd_high_setup(bench_ctx *ctx) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur <= HIGH_FD) {
    bench_set_error(ctx, "RLIMIT_NOFILE (%llu) does not allow descriptor %d",
                    (unsigned long long)rl.rlim_cur, HIGH_FD);
    return -1;
  }
  int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    bench_set_error(ctx, "cannot open /dev/null: %s", strerror(errno));
    return -1;
  }
  int high = fcntl(fd, F_DUPFD_CLOEXEC, HIGH_FD); /* the lowest free number >= 10,000 */
  close(fd);
  if (high < 0) {
    bench_set_error(ctx, "cannot place a descriptor at %d: %s", HIGH_FD, strerror(errno));
    return -1;
  }
  ctx->state = (void *)(intptr_t)(high + 1);
  return 0;
}

const bench_def bench_fd_open_close = {"fd-open-close", NULL, open_close_run, NULL, 0, 100, PIN_PREFERRED};
const bench_def bench_fd_dup_close = {"fd-dup-close", dup_setup, dup_close_run, fd_teardown, 0, 100,
                                      PIN_PREFERRED};
const bench_def bench_fd_low = {"fd-low", fd_low_setup, getfd_run, fd_teardown, 0, 100, PIN_PREFERRED};
const bench_def bench_fd_high = {"fd-high", fd_high_setup, getfd_run, fd_teardown, 0, 100, PIN_PREFERRED};
