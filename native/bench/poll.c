/*
 * epoll & io_uring family.
 *
 * Readiness: one ready descriptor among N idle ones (eventfds: a count of 1 is readable, 0 is
 * not), asked with a zero timeout. select and poll hand the kernel the whole set on every call
 * and it polls each file: O(N). epoll keeps the set in the kernel and returns the ready list:
 * O(ready). As lmbench's lat_select, the ready fd is the highest, so select scans every bit.
 *
 * Submission: N 4 KiB reads of a cached file, as N pread calls or as one io_uring_enter that
 * submits N reads and waits for N completions (raw syscalls, no liburing).
 */
#include "bench.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <unistd.h>

typedef struct {
  int n;            /* idle descriptors */
  int *fds;         /* n idle + 1 ready (the last) */
  int maxfd;
  struct pollfd *pfds;
  unsigned long *bits;  /* select's set, sized for maxfd (may exceed FD_SETSIZE: Linux allows it) */
  unsigned long *work;  /* the copy select overwrites */
  size_t words;
  int epfd;
} ready_state;

#define WORD_BITS (8 * sizeof(unsigned long))

static void ready_teardown(bench_ctx *ctx) {
  ready_state *s = ctx->state;
  if (!s) return;
  for (int i = 0; i <= s->n; i++)
    if (s->fds[i] >= 0) close(s->fds[i]);
  if (s->epfd >= 0) close(s->epfd);
  free(s->fds);
  free(s->pfds);
  free(s->bits);
  free(s->work);
  free(s);
}

static int ready_setup(bench_ctx *ctx, int n, int use_epoll) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)n + 64) {
    bench_set_error(ctx, "RLIMIT_NOFILE (%llu) does not allow %d descriptors", (unsigned long long)rl.rlim_cur,
                    n + 1);
    return -1;
  }
  ready_state *s = calloc(1, sizeof *s);
  s->n = n;
  s->epfd = -1;
  s->fds = malloc((size_t)(n + 1) * sizeof *s->fds);
  for (int i = 0; i <= n; i++) s->fds[i] = -1;
  ctx->state = s;
  for (int i = 0; i <= n; i++) {
    s->fds[i] = eventfd(i == n ? 1 : 0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (s->fds[i] < 0) {
      bench_set_error(ctx, "eventfd (%d of %d): %s", i, n + 1, strerror(errno));
      return -1;
    }
    if (s->fds[i] > s->maxfd) s->maxfd = s->fds[i];
  }
  s->pfds = calloc((size_t)(n + 1), sizeof *s->pfds);
  for (int i = 0; i <= n; i++) s->pfds[i] = (struct pollfd){.fd = s->fds[i], .events = POLLIN};
  s->words = (size_t)s->maxfd / WORD_BITS + 1;
  s->bits = calloc(s->words, sizeof *s->bits);
  s->work = calloc(s->words, sizeof *s->work);
  for (int i = 0; i <= n; i++) s->bits[s->fds[i] / WORD_BITS] |= 1ul << (s->fds[i] % WORD_BITS);
  if (use_epoll) {
    s->epfd = epoll_create1(EPOLL_CLOEXEC);
    for (int i = 0; i <= n && s->epfd >= 0; i++) {
      struct epoll_event ev = {.events = EPOLLIN, .data.fd = s->fds[i]};
      if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->fds[i], &ev) != 0) {
        bench_set_error(ctx, "epoll_ctl: %s", strerror(errno));
        return -1;
      }
    }
    if (s->epfd < 0) {
      bench_set_error(ctx, "epoll_create1: %s", strerror(errno));
      return -1;
    }
  }
  return 0;
}

static double select_run(bench_ctx *ctx, uint64_t ops) {
  ready_state *s = ctx->state;
  uint64_t t0 = bench_now_ns();
  for (uint64_t i = 0; i < ops; i++) {
    memcpy(s->work, s->bits, s->words * sizeof *s->work); /* select overwrites its set */
    struct timeval tv = {0, 0};
    int r = select(s->maxfd + 1, (fd_set *)s->work, NULL, NULL, &tv);
    if (r != 1) {
      bench_set_error(ctx, "select returned %d, not 1: %s", r, r < 0 ? strerror(errno) : "");
      return -1;
    }
  }
  uint64_t t1 = bench_now_ns();
  return (double)(t1 - t0);
}

static double poll_run(bench_ctx *ctx, uint64_t ops) {
  ready_state *s = ctx->state;
  uint64_t t0 = bench_now_ns();
  for (uint64_t i = 0; i < ops; i++) {
    int r = poll(s->pfds, (nfds_t)(s->n + 1), 0);
    if (r != 1) {
      bench_set_error(ctx, "poll returned %d, not 1: %s", r, r < 0 ? strerror(errno) : "");
      return -1;
    }
  }
  uint64_t t1 = bench_now_ns();
  return (double)(t1 - t0);
}

static double epoll_run(bench_ctx *ctx, uint64_t ops) {
  ready_state *s = ctx->state;
  struct epoll_event ev[4];
  uint64_t t0 = bench_now_ns();
  for (uint64_t i = 0; i < ops; i++) {
    int r = epoll_wait(s->epfd, ev, 4, 0);
    if (r != 1) {
      bench_set_error(ctx, "epoll_wait returned %d, not 1: %s", r, r < 0 ? strerror(errno) : "");
      return -1;
    }
  }
  uint64_t t1 = bench_now_ns();
  return (double)(t1 - t0);
}

#define READY_BENCH(kind, n, epoll)                                                     \
  static int kind##_##n##_setup(bench_ctx *ctx) { return ready_setup(ctx, n, epoll); } \
  const bench_def bench_##kind##_##n = {#kind "-" #n, kind##_##n##_setup, kind##_run,  \
                                        ready_teardown, 0, 10, PIN_PREFERRED}

READY_BENCH(select, 10, 0);
READY_BENCH(select, 100, 0);
READY_BENCH(select, 1000, 0);
READY_BENCH(poll, 10, 0);
READY_BENCH(poll, 100, 0);
READY_BENCH(poll, 1000, 0);
READY_BENCH(epoll, 10, 1);
READY_BENCH(epoll, 100, 1);
READY_BENCH(epoll, 1000, 1);
READY_BENCH(select, 10000, 0);
READY_BENCH(poll, 10000, 0);
READY_BENCH(epoll, 10000, 1);

/* ---- N reads: read() calls vs one io_uring submission ---- */

#define NREADS 32u
#define BLOCK 4096u
#define FILE_BYTES (1u << 20)

typedef struct {
  int fd;
  char *buf; /* NREADS blocks */
  int ring;
  unsigned *sq_head, *sq_tail, *sq_mask, *sq_array, *cq_head, *cq_tail, *cq_mask;
  struct io_uring_sqe *sqes;
  struct io_uring_cqe *cqes;
  void *sq_map, *cq_map;
  size_t sq_len, cq_len, sqes_len;
} nread_state;

static void nread_teardown(bench_ctx *ctx) {
  nread_state *s = ctx->state;
  if (!s) return;
  if (s->sqes) munmap(s->sqes, s->sqes_len);
  if (s->cq_map && s->cq_map != s->sq_map) munmap(s->cq_map, s->cq_len);
  if (s->sq_map) munmap(s->sq_map, s->sq_len);
  if (s->ring > 0) close(s->ring);
  if (s->fd >= 0) close(s->fd);
  free(s->buf);
  free(s);
}

static int nread_setup(bench_ctx *ctx) {
  nread_state *s = calloc(1, sizeof *s);
  s->ring = -1;
  ctx->state = s;
  s->buf = malloc(NREADS * BLOCK);
  s->fd = bench_open_tmpfile(ctx, ctx->params->tmpdir, FILE_BYTES, 0);
  if (s->fd < 0) return -1;
  for (unsigned i = 0; i < FILE_BYTES / BLOCK; i++) /* into the page cache */
    if (pread(s->fd, s->buf, BLOCK, (off_t)i * BLOCK) != BLOCK) break;
  return 0;
}

/* N pread calls, one block each, the blocks a uring batch reads. */
static double read_n_run(bench_ctx *ctx, uint64_t ops) {
  nread_state *s = ctx->state;
  uint64_t t0 = bench_now_ns();
  for (uint64_t i = 0; i < ops; i++) {
    unsigned k = (unsigned)(i % NREADS);
    if (pread(s->fd, s->buf + k * BLOCK, BLOCK, (off_t)((i * 7) % (FILE_BYTES / BLOCK)) * BLOCK) != BLOCK) {
      bench_set_error(ctx, "pread: %s", strerror(errno));
      return -1;
    }
  }
  uint64_t t1 = bench_now_ns();
  return (double)(t1 - t0);
}

static int uring_disabled(char *why, size_t len) {
  FILE *f = fopen("/proc/sys/kernel/io_uring_disabled", "r");
  int v = 0;
  if (f) {
    if (fscanf(f, "%d", &v) != 1) v = 0;
    fclose(f);
  }
  if (v == 2) snprintf(why, len, "io_uring is disabled (kernel.io_uring_disabled = 2)");
  else if (v == 1 && geteuid() != 0)
    snprintf(why, len, "io_uring is limited to root and io_uring_group (kernel.io_uring_disabled = 1)");
  else return 0;
  return 1;
}

/* Creates the ring and maps its queues into s. */
static int ring_open(bench_ctx *ctx, nread_state *s) {
  struct io_uring_params p;
  memset(&p, 0, sizeof p);
  s->ring = (int)syscall(SYS_io_uring_setup, NREADS, &p);
  if (s->ring < 0) {
    bench_set_error(ctx, "io_uring_setup: %s", strerror(errno));
    return -1;
  }
  s->sq_len = p.sq_off.array + p.sq_entries * sizeof(unsigned);
  s->cq_len = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
  if (p.features & IORING_FEAT_SINGLE_MMAP) s->sq_len = s->cq_len = s->sq_len > s->cq_len ? s->sq_len : s->cq_len;
  s->sq_map = mmap(NULL, s->sq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, s->ring, IORING_OFF_SQ_RING);
  if (s->sq_map == MAP_FAILED) goto map_failed;
  s->cq_map = (p.features & IORING_FEAT_SINGLE_MMAP)
                  ? s->sq_map
                  : mmap(NULL, s->cq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, s->ring,
                         IORING_OFF_CQ_RING);
  if (s->cq_map == MAP_FAILED) goto map_failed;
  s->sqes_len = p.sq_entries * sizeof(struct io_uring_sqe);
  s->sqes = mmap(NULL, s->sqes_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, s->ring, IORING_OFF_SQES);
  if (s->sqes == MAP_FAILED) goto map_failed;
  char *sq = s->sq_map, *cq = s->cq_map;
  s->sq_head = (unsigned *)(sq + p.sq_off.head);
  s->sq_tail = (unsigned *)(sq + p.sq_off.tail);
  s->sq_mask = (unsigned *)(sq + p.sq_off.ring_mask);
  s->sq_array = (unsigned *)(sq + p.sq_off.array);
  s->cq_head = (unsigned *)(cq + p.cq_off.head);
  s->cq_tail = (unsigned *)(cq + p.cq_off.tail);
  s->cq_mask = (unsigned *)(cq + p.cq_off.ring_mask);
  s->cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
  return 0;
map_failed:
  if (s->sq_map == MAP_FAILED) s->sq_map = NULL;
  if (s->cq_map == MAP_FAILED) s->cq_map = NULL;
  if (s->sqes == MAP_FAILED) s->sqes = NULL;
  bench_set_error(ctx, "mmap of the io_uring rings: %s", strerror(errno));
  return -1;
}

static int uring_setup(bench_ctx *ctx) {
  if (uring_disabled(ctx->err, sizeof ctx->err)) return -1;
  if (nread_setup(ctx) != 0) return -1;
  return ring_open(ctx, ctx->state);
}

/* One batch of NREADS reads: fill the SQ, one io_uring_enter to submit and wait, reap the CQ. */
static int uring_batch(bench_ctx *ctx, nread_state *s, uint64_t first) {
  unsigned tail = *s->sq_tail;
  for (unsigned k = 0; k < NREADS; k++, tail++) {
    unsigned idx = tail & *s->sq_mask;
    struct io_uring_sqe *e = &s->sqes[idx];
    memset(e, 0, sizeof *e);
    e->opcode = IORING_OP_READ;
    e->fd = s->fd;
    e->addr = (uint64_t)(uintptr_t)(s->buf + k * BLOCK);
    e->len = BLOCK;
    e->off = (((first + k) * 7) % (FILE_BYTES / BLOCK)) * BLOCK;
    s->sq_array[idx] = idx;
  }
  __atomic_store_n(s->sq_tail, tail, __ATOMIC_RELEASE);
  int r = (int)syscall(SYS_io_uring_enter, s->ring, NREADS, NREADS, IORING_ENTER_GETEVENTS, NULL, 0);
  if (r != (int)NREADS) {
    bench_set_error(ctx, "io_uring_enter submitted %d of %u: %s", r, NREADS, r < 0 ? strerror(errno) : "");
    return -1;
  }
  unsigned head = *s->cq_head;
  unsigned seen = 0;
  while (seen < NREADS) {
    unsigned ctail = __atomic_load_n(s->cq_tail, __ATOMIC_ACQUIRE);
    for (; head != ctail; head++, seen++) {
      struct io_uring_cqe *c = &s->cqes[head & *s->cq_mask];
      if (c->res != (int)BLOCK) {
        bench_set_error(ctx, "io_uring read returned %d", c->res);
        return -1;
      }
    }
  }
  __atomic_store_n(s->cq_head, head, __ATOMIC_RELEASE);
  return 0;
}

static double uring_run(bench_ctx *ctx, uint64_t ops) {
  nread_state *s = ctx->state;
  uint64_t batches = (ops + NREADS - 1) / NREADS;
  uint64_t t0 = bench_now_ns();
  for (uint64_t b = 0; b < batches; b++)
    if (uring_batch(ctx, s, b * NREADS) != 0) return -1;
  uint64_t t1 = bench_now_ns();
  return (double)(t1 - t0) * (double)ops / (double)(batches * NREADS); /* per read asked for */
}

/*
 * io_uring nops: NREADS IORING_OP_NOP per io_uring_enter. What one queued request costs the
 * ring's machinery alone, with no file and no copy (the floor under uring-n-4k).
 */
static int nop_setup(bench_ctx *ctx) {
  if (uring_disabled(ctx->err, sizeof ctx->err)) return -1;
  nread_state *s = calloc(1, sizeof *s);
  s->fd = -1;
  s->ring = -1;
  ctx->state = s;
  return ring_open(ctx, s);
}

static double nop_run(bench_ctx *ctx, uint64_t ops) {
  nread_state *s = ctx->state;
  uint64_t batches = (ops + NREADS - 1) / NREADS;
  uint64_t t0 = bench_now_ns();
  for (uint64_t b = 0; b < batches; b++) {
    unsigned tail = *s->sq_tail;
    for (unsigned k = 0; k < NREADS; k++, tail++) {
      unsigned idx = tail & *s->sq_mask;
      memset(&s->sqes[idx], 0, sizeof s->sqes[idx]);
      s->sqes[idx].opcode = IORING_OP_NOP;
      s->sq_array[idx] = idx;
    }
    __atomic_store_n(s->sq_tail, tail, __ATOMIC_RELEASE);
    int r = (int)syscall(SYS_io_uring_enter, s->ring, NREADS, NREADS, IORING_ENTER_GETEVENTS, NULL, 0);
    if (r != (int)NREADS) {
      bench_set_error(ctx, "io_uring_enter submitted %d of %u: %s", r, NREADS, r < 0 ? strerror(errno) : "");
      return -1;
    }
    unsigned head = *s->cq_head;
    for (unsigned seen = 0; seen < NREADS;) {
      unsigned ctail = __atomic_load_n(s->cq_tail, __ATOMIC_ACQUIRE);
      for (; head != ctail; head++, seen++)
        if (s->cqes[head & *s->cq_mask].res != 0) {
          bench_set_error(ctx, "io_uring nop returned %d", s->cqes[head & *s->cq_mask].res);
          return -1;
        }
    }
    __atomic_store_n(s->cq_head, head, __ATOMIC_RELEASE);
  }
  uint64_t t1 = bench_now_ns();
  return (double)(t1 - t0) * (double)ops / (double)(batches * NREADS);
}

const bench_def bench_uring_nop = {"uring-nop", nop_setup, nop_run, nread_teardown, 0, NREADS, PIN_PREFERRED};

const bench_def bench_read_n_4k = {"read-n-4k", nread_setup, read_n_run, nread_teardown, 0, NREADS,
                                   PIN_PREFERRED};
const bench_def bench_uring_n_4k = {"uring-n-4k", uring_setup, uring_run, nread_teardown, 0, NREADS,
                                    PIN_PREFERRED};
