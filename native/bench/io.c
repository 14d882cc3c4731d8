/* I/O family: a 4 KiB read served by the page cache, and one served by the device (O_DIRECT). */
#include "bench.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BLOCK 4096u

typedef struct {
  int fd;
  size_t blocks;
  char *buf; /* aligned to BLOCK, as O_DIRECT requires */
  uint64_t seed;
} read_state;

static int read_setup(bench_ctx *ctx, size_t bytes, int flags) {
  read_state *s = calloc(1, sizeof *s);
  s->fd = bench_open_tmpfile(ctx, ctx->params->tmpdir, bytes, flags);
  if (s->fd < 0) {
    free(s);
    if (flags & O_DIRECT)
      bench_set_error(ctx, "O_DIRECT refused by the filesystem of %s (%s)", ctx->params->tmpdir,
                      strerror(errno));
    return -1;
  }
  if (posix_memalign((void **)&s->buf, BLOCK, BLOCK) != 0) {
    close(s->fd);
    free(s);
    bench_set_error(ctx, "out of memory");
    return -1;
  }
  s->blocks = bytes / BLOCK;
  s->seed = 0xC0FFEEull;
  ctx->state = s;
  return 0;
}

static double read_run(bench_ctx *ctx, uint64_t ops) {
  read_state *s = ctx->state;
  uint64_t t0 = bench_now_ns();
  for (uint64_t i = 0; i < ops; i++) {
    off_t off = (off_t)(bench_rand64(&s->seed) % s->blocks) * BLOCK;
    if (pread(s->fd, s->buf, BLOCK, off) != (ssize_t)BLOCK) {
      bench_set_error(ctx, "pread: %s", strerror(errno));
      return -1;
    }
  }
  return (double)(bench_now_ns() - t0);
}

static void read_teardown(bench_ctx *ctx) {
  read_state *s = ctx->state;
  if (!s) return;
  close(s->fd);
  free(s->buf);
  free(s);
}

/* 1 MiB file, read once in setup's write: every pread is a page-cache hit. */
static int cached_setup(bench_ctx *ctx) { return read_setup(ctx, 1u << 20, 0); }

/* Random blocks of a file larger than any device cache we can reach from here. */
static int direct_setup(bench_ctx *ctx) {
  return read_setup(ctx, ctx->params->quick ? (32u << 20) : (256u << 20), O_DIRECT);
}

const bench_def bench_read_4k_cached = {"read-4k-cached", cached_setup, read_run, read_teardown, 0,
                                        10, PIN_PREFERRED};
const bench_def bench_read_4k_direct = {"read-4k-direct", direct_setup, read_run, read_teardown, 0,
                                        1, PIN_PREFERRED};

/*
 * A 4 KiB write at a fixed offset of a file on a real disk (params->tmpdir), alone and followed
 * by fsync: the write lands in the page cache, fsync waits for the device (and the journal).
 */
static int write_setup(bench_ctx *ctx) {
  read_state *s = calloc(1, sizeof *s);
  s->fd = bench_open_tmpfile(ctx, ctx->params->tmpdir, 1u << 20, 0);
  if (s->fd < 0) {
    free(s);
    return -1;
  }
  s->buf = malloc(BLOCK);
  memset(s->buf, 'w', BLOCK);
  ctx->state = s;
  return 0;
}

static double write_loop(bench_ctx *ctx, uint64_t ops, int sync) {
  read_state *s = ctx->state;
  uint64_t t0 = bench_now_ns();
  for (uint64_t i = 0; i < ops; i++) {
    if (pwrite(s->fd, s->buf, BLOCK, (off_t)((i % 256) * BLOCK)) != BLOCK) {
      bench_set_error(ctx, "pwrite: %s", strerror(errno));
      return -1;
    }
    if (sync && fsync(s->fd) != 0) {
      bench_set_error(ctx, "fsync: %s", strerror(errno));
      return -1;
    }
  }
  uint64_t t1 = bench_now_ns();
  return (double)(t1 - t0);
}

static double write_run(bench_ctx *ctx, uint64_t ops) { return write_loop(ctx, ops, 0); }
static double write_fsync_run(bench_ctx *ctx, uint64_t ops) { return write_loop(ctx, ops, 1); }

const bench_def bench_write_4k = {"write-4k", write_setup, write_run, read_teardown, 0, 10, PIN_PREFERRED};
const bench_def bench_write_fsync_4k = {"write-fsync-4k", write_setup, write_fsync_run, read_teardown, 0, 1,
                                        PIN_PREFERRED};
