/* Memory and process family: fork (small, large heap, with exec), memcpy, minor/major faults. */
#include "bench.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096u

/*
 * The fork benchmarks run in oslens-forkhelper (see forkhelper.c), a small C process, so that
 * "fork" measures a small process and "fork-large" a process whose only bulk is its heap, instead
 * of Node's own address space. Setup starts the helper; each batch is one request over a pipe.
 */
typedef struct {
  pid_t pid;
  FILE *to;
  FILE *from;
} helper_state;

int bench_helper_setup(bench_ctx *ctx, uint64_t heap, const char *mode) {
  int in[2], out[2];
  if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC)) { /* dup2 below clears CLOEXEC on 0 and 1 */
    bench_set_error(ctx, "pipe: %s", strerror(errno));
    return -1;
  }
  char heap_arg[32];
  snprintf(heap_arg, sizeof heap_arg, "%llu", (unsigned long long)heap);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    char *const argv[] = {(char *)ctx->params->helper_path, heap_arg, (char *)mode, NULL};
    execv(ctx->params->helper_path, argv);
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  if (pid < 0) {
    close(in[1]);
    close(out[0]);
    bench_set_error(ctx, "fork: %s", strerror(errno));
    return -1;
  }
  helper_state *s = calloc(1, sizeof *s);
  s->pid = pid;
  s->to = fdopen(in[1], "w");
  s->from = fdopen(out[0], "r");
  ctx->state = s;
  char line[BENCH_ERR_LEN];
  if (!fgets(line, sizeof line, s->from) || strncmp(line, "ready", 5) != 0) {
    bench_set_error(ctx, "fork helper %s did not start: %s", ctx->params->helper_path,
                    line[0] ? line : "no output (not built?)");
    return -1;
  }
  return 0;
}

double bench_helper_run(bench_ctx *ctx, uint64_t ops) {
  helper_state *s = ctx->state;
  char line[BENCH_ERR_LEN] = "";
  fprintf(s->to, "%llu\n", (unsigned long long)ops);
  fflush(s->to);
  if (!fgets(line, sizeof line, s->from) || strncmp(line, "error", 5) == 0) {
    line[strcspn(line, "\n")] = 0;
    bench_set_error(ctx, "fork helper: %s", line[0] ? line : "exited");
    return -1;
  }
  return strtod(line, NULL);
}

void bench_helper_teardown(bench_ctx *ctx) {
  helper_state *s = ctx->state;
  if (!s) return;
  fclose(s->to); /* end of input: the helper exits */
  fclose(s->from);
  waitpid(s->pid, NULL, 0);
  free(s);
}

static int fork_setup(bench_ctx *ctx) { return bench_helper_setup(ctx, 0, "fork"); }
static int fork_exec_setup(bench_ctx *ctx) { return bench_helper_setup(ctx, 0, "fork-exec"); }
static int fork_large_setup(bench_ctx *ctx) {
  return bench_helper_setup(ctx, ctx->params->heap_bytes, "fork");
}

const bench_def bench_fork = {"fork", fork_setup, bench_helper_run, bench_helper_teardown, 0, 1, PIN_NEVER};
const bench_def bench_fork_exec = {"fork-exec", fork_exec_setup, bench_helper_run, bench_helper_teardown, 0, 1,
                                   PIN_NEVER};
const bench_def bench_fork_large = {"fork-large", fork_large_setup, bench_helper_run, bench_helper_teardown,
                                    1, 1, PIN_NEVER};

/* Buffers in ordinary 4 KiB pages, every one touched, as a big malloc'd heap would be. */
typedef struct {
  char *heap;
  char *copy; /* memcpy-large only */
  size_t bytes;
} heap_state;

static char *map_touched(bench_ctx *ctx, size_t bytes) {
  char *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    bench_set_error(ctx, "cannot map a %zu MiB heap: %s", bytes >> 20, strerror(errno));
    return NULL;
  }
  madvise(p, bytes, MADV_NOHUGEPAGE);
  memset(p, 1, bytes);
  return p;
}

/* Two touched buffers of the fork-large heap size: what fork would cost if it copied the heap. */
static int memcpy_large_setup(bench_ctx *ctx) {
  heap_state *s = calloc(1, sizeof *s);
  s->bytes = ctx->params->heap_bytes;
  ctx->state = s;
  s->heap = map_touched(ctx, s->bytes);
  if (!s->heap) return -1;
  if (!(s->copy = map_touched(ctx, s->bytes))) return -1;
  return 0;
}

static void heap_teardown(bench_ctx *ctx) {
  heap_state *s = ctx->state;
  if (!s) return;
  if (s->heap) munmap(s->heap, s->bytes);
  if (s->copy) munmap(s->copy, s->bytes);
  free(s);
}


static double memcpy_large_run(bench_ctx *ctx, uint64_t ops) {
  heap_state *s = ctx->state;
  uint64_t t0 = bench_now_ns();
  for (uint64_t i = 0; i < ops; i++) {
    memcpy(s->copy, s->heap, s->bytes);
    BENCH_KEEP(s->copy);
  }
  return (double)(bench_now_ns() - t0);
}

const bench_def bench_memcpy_large = {"memcpy-large", memcpy_large_setup, memcpy_large_run,
                                      heap_teardown, 1, 1, PIN_PREFERRED};

/* Minor faults: first write to fresh anonymous 4 KiB pages (zero-fill, no I/O). The mapping is
 * made and removed outside the timed region. */
static double fault_minor_run(bench_ctx *ctx, uint64_t ops) {
  size_t bytes = (size_t)ops * PAGE;
  char *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    bench_set_error(ctx, "mmap: %s", strerror(errno));
    return -1;
  }
  madvise(p, bytes, MADV_NOHUGEPAGE); /* one fault per 4 KiB page, not per 2 MiB */
  uint64_t t0 = bench_now_ns();
  for (size_t off = 0; off < bytes; off += PAGE) p[off] = 1;
  uint64_t t1 = bench_now_ns();
  munmap(p, bytes);
  return (double)(t1 - t0);
}

const bench_def bench_fault_minor = {"fault-minor", NULL, fault_minor_run, NULL, 4096, 1,
                                     PIN_PREFERRED};

/*
 * Major faults: first read of file-backed pages that are not in the page cache. The file lives
 * on a real disk (tmpfs has no backing store to fault from); before each batch its pages are
 * dropped with POSIX_FADV_DONTNEED, and MADV_RANDOM turns read-ahead off so that every touched
 * page is one fault and one device read. getrusage confirms the faults really were major.
 */
typedef struct {
  int fd;
  size_t bytes;
  size_t next; /* offset of the next window, so batches walk the file */
} major_state;

static int fault_major_setup(bench_ctx *ctx) {
  struct statfs fs;
  if (statfs(ctx->params->tmpdir, &fs) == 0 && fs.f_type == TMPFS_MAGIC) {
    bench_set_error(ctx, "%s is tmpfs (RAM): no disk to fault from; set TMPDIR to a disk",
                    ctx->params->tmpdir);
    return -1;
  }
  major_state *s = calloc(1, sizeof *s);
  s->bytes = ctx->params->quick ? (16u << 20) : (64u << 20);
  s->fd = bench_open_tmpfile(ctx, ctx->params->tmpdir, s->bytes, 0);
  if (s->fd < 0) {
    free(s);
    return -1;
  }
  ctx->state = s;
  return 0;
}

static double fault_major_run(bench_ctx *ctx, uint64_t ops) {
  major_state *s = ctx->state;
  size_t bytes = (size_t)ops * PAGE;
  if (bytes > s->bytes) bytes = s->bytes;
  if (s->next + bytes > s->bytes) s->next = 0;
  off_t off = (off_t)s->next;
  s->next += bytes;
  if (posix_fadvise(s->fd, off, (off_t)bytes, POSIX_FADV_DONTNEED) != 0) {
    bench_set_error(ctx, "posix_fadvise(DONTNEED) failed");
    return -1;
  }
  char *p = mmap(NULL, bytes, PROT_READ, MAP_SHARED, s->fd, off);
  if (p == MAP_FAILED) {
    bench_set_error(ctx, "mmap of the test file: %s", strerror(errno));
    return -1;
  }
  madvise(p, bytes, MADV_RANDOM);
  struct rusage before, after;
  getrusage(RUSAGE_THREAD, &before);
  uint64_t t0 = bench_now_ns();
  for (size_t o = 0; o < bytes; o += PAGE) BENCH_KEEP(((volatile char *)p)[o]);
  uint64_t t1 = bench_now_ns();
  getrusage(RUSAGE_THREAD, &after);
  munmap(p, bytes);
  long major = after.ru_majflt - before.ru_majflt;
  if (major < (long)(bytes / PAGE) / 2) {
    bench_set_error(ctx, "only %ld of %zu touches were major faults: the page cache kept the file",
                    major, bytes / PAGE);
    return -1;
  }
  return (double)(t1 - t0) * (double)ops / (double)(bytes / PAGE);
}

static void fault_major_teardown(bench_ctx *ctx) {
  major_state *s = ctx->state;
  if (!s) return;
  close(s->fd);
  free(s);
}

const bench_def bench_fault_major = {"fault-major", fault_major_setup, fault_major_run,
                                     fault_major_teardown, 256, 1, PIN_PREFERRED};
