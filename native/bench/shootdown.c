/*
 * TLB shootdown: unmapping or write-protecting memory must remove the old translation from every
 * CPU that may cache it. With the process alone on its CPU the kernel flushes locally (invlpg);
 * with another thread of the same process running on another CPU, it also sends that CPU an
 * interrupt (IPI) and waits until it has flushed. The spinning threads run user code in the same
 * address space the whole time, so their CPUs stay in the mm's CPU mask (not in lazy TLB mode)
 * and each flush must reach them.
 *
 * munmap: a fresh 64 KiB mapping, every page written (so this CPU caches it), then munmap, which
 *   alone is timed. mprotect: one 64 KiB mapping, written, made read-only (the flush) and
 *   writable again, then written again; the whole round is timed.
 */
#include "bench.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define SD_PAGES 16
#define SD_PAGE 4096
#define SD_BYTES (SD_PAGES * SD_PAGE)
#define SD_MAX_OTHERS 2

typedef struct {
  int others;                  /* spinning threads on other CPUs */
  int cpus[SD_MAX_OTHERS];     /* where they spin */
  pthread_t threads[SD_MAX_OTHERS];
  int started;                 /* threads created (to join) */
  atomic_int running;          /* threads that reached their CPU and spin */
  atomic_int stop;
  char *range;                 /* mprotect: the one mapping */
  double spin_cpu_ns, wall_ns; /* the spinners' CPU time and the wall time of the runs: how much
                                  of the time a flush really had another CPU to reach */
} sd_state;

typedef struct {
  sd_state *s;
  int cpu;
} spinner_arg;

static void *spinner(void *arg) {
  spinner_arg a = *(spinner_arg *)arg;
  free(arg);
  bench_pin_self(a.cpu);
  /* On a busy machine a normal thread gets a share of its CPU, and while it is off the CPU the
   * flush need not reach it: real-time priority (root) keeps it on, for the few ms of a batch
   * (the kernel still leaves ~5% to normal tasks). Without it the note says how much it ran. */
  struct sched_param sp = {.sched_priority = 1};
  pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
  atomic_fetch_add(&a.s->running, 1);
  /* user code in this mm, all the time: the kernel cannot skip this CPU when flushing */
  while (!atomic_load_explicit(&a.s->stop, memory_order_relaxed)) __asm__ volatile("pause");
  return NULL;
}

static void sd_teardown(bench_ctx *ctx) {
  sd_state *s = ctx->state;
  if (!s) return;
  atomic_store(&s->stop, 1);
  for (int i = 0; i < s->started; i++) pthread_join(s->threads[i], NULL);
  if (s->range) munmap(s->range, SD_BYTES);
  free(s);
  ctx->state = NULL;
}

/* Other CPUs this process may use, apart from the benchmark's own. The harness pinned this
 * thread to one CPU, so the mask is read from the main thread (pid = the thread group's id). */
static int other_cpus(const bench_ctx *ctx, int *out, int want) {
  cpu_set_t set;
  if (sched_getaffinity(getpid(), sizeof set, &set) != 0) return 0;
  int n = 0;
  for (int c = 0; c < CPU_SETSIZE && n < want; c++)
    if (c != ctx->params->cpu && CPU_ISSET(c, &set)) out[n++] = c;
  return n;
}

static int sd_setup(bench_ctx *ctx, int others, int mprotect_mode) {
  if (ctx->params->cpu < 0) {
    bench_set_error(ctx, "needs CPU pinning (the other threads must be on other CPUs)");
    return -1;
  }
  sd_state *s = calloc(1, sizeof *s);
  ctx->state = s;
  s->others = others;
  if (others > 0 && other_cpus(ctx, s->cpus, others) < others) {
    bench_set_error(ctx, "needs %d CPUs (this one and %d other%s); the run may use %d", others + 1, others,
                    others == 1 ? "" : "s", 1 + other_cpus(ctx, s->cpus, SD_MAX_OTHERS));
    return -1;
  }
  for (int i = 0; i < others; i++) {
    spinner_arg *a = malloc(sizeof *a);
    a->s = s;
    a->cpu = s->cpus[i];
    if (pthread_create(&s->threads[i], NULL, spinner, a) != 0) {
      free(a);
      bench_set_error(ctx, "pthread_create failed");
      return -1;
    }
    s->started++;
  }
  /* time only once every spinner runs on its CPU */
  while (atomic_load(&s->running) < others) sched_yield();
  if (mprotect_mode) {
    s->range = mmap(NULL, SD_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (s->range == MAP_FAILED) {
      s->range = NULL;
      bench_set_error(ctx, "mmap: %s", strerror(errno));
      return -1;
    }
    memset(s->range, 1, SD_BYTES);
  }
  return 0;
}

static double thread_cpu_ns(pthread_t t) {
  clockid_t id;
  struct timespec ts;
  if (pthread_getcpuclockid(t, &id) != 0 || clock_gettime(id, &ts) != 0) return 0;
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static double spinners_cpu_ns(sd_state *s) {
  double sum = 0;
  for (int i = 0; i < s->started; i++) sum += thread_cpu_ns(s->threads[i]);
  return sum;
}

/* Around each run: the note says how much of the time the spinners really ran (on a busy
 * machine other tasks take their CPUs, and a CPU running another process needs no IPI). */
static void spin_begin(sd_state *s, double *cpu0, uint64_t *t0) {
  *cpu0 = spinners_cpu_ns(s);
  *t0 = bench_now_ns();
}

static void spin_end(bench_ctx *ctx, sd_state *s, double cpu0, uint64_t t0) {
  if (s->others == 0) return;
  s->wall_ns += (double)(bench_now_ns() - t0) * s->others;
  s->spin_cpu_ns += spinners_cpu_ns(s) - cpu0;
  int share = s->wall_ns > 0 ? (int)(100 * s->spin_cpu_ns / s->wall_ns + 0.5) : 0;
  if (s->others == 1)
    snprintf(ctx->note, sizeof ctx->note, "1 thread spinning on CPU %d, running %d%% of the time", s->cpus[0], share);
  else
    snprintf(ctx->note, sizeof ctx->note, "2 threads spinning on CPUs %d and %d, running %d%% of the time", s->cpus[0],
             s->cpus[1], share);
}

static void touch(char *p) {
  for (int i = 0; i < SD_PAGES; i++) ((volatile char *)p)[i * SD_PAGE] = (char)i;
}

static double munmap_run(bench_ctx *ctx, uint64_t ops) {
  sd_state *s = ctx->state;
  double cpu0;
  uint64_t w0;
  spin_begin(s, &cpu0, &w0);
  double total = 0;
  for (uint64_t i = 0; i < ops; i++) {
    char *p = mmap(NULL, SD_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
      bench_set_error(ctx, "mmap: %s", strerror(errno));
      return -1;
    }
    touch(p);
    uint64_t t0 = bench_now_ns();
    munmap(p, SD_BYTES);
    total += (double)(bench_now_ns() - t0);
  }
  spin_end(ctx, s, cpu0, w0);
  return total;
}

static double mprotect_run(bench_ctx *ctx, uint64_t ops) {
  sd_state *s = ctx->state;
  double cpu0;
  uint64_t w0;
  spin_begin(s, &cpu0, &w0);
  uint64_t t0 = bench_now_ns();
  for (uint64_t i = 0; i < ops; i++) {
    if (mprotect(s->range, SD_BYTES, PROT_READ) != 0 || mprotect(s->range, SD_BYTES, PROT_READ | PROT_WRITE) != 0) {
      bench_set_error(ctx, "mprotect: %s", strerror(errno));
      return -1;
    }
    touch(s->range);
  }
  double elapsed = (double)(bench_now_ns() - t0);
  spin_end(ctx, s, cpu0, w0);
  return elapsed;
}

static int munmap0_setup(bench_ctx *ctx) { return sd_setup(ctx, 0, 0); }
static int munmap1_setup(bench_ctx *ctx) { return sd_setup(ctx, 1, 0); }
static int munmap2_setup(bench_ctx *ctx) { return sd_setup(ctx, 2, 0); }
static int mprotect0_setup(bench_ctx *ctx) { return sd_setup(ctx, 0, 1); }
static int mprotect1_setup(bench_ctx *ctx) { return sd_setup(ctx, 1, 1); }

const bench_def bench_shootdown_munmap_0 = {"shootdown-munmap-0", munmap0_setup, munmap_run, sd_teardown, 0, 16, PIN_REQUIRED};
const bench_def bench_shootdown_munmap_1 = {"shootdown-munmap-1", munmap1_setup, munmap_run, sd_teardown, 0, 16, PIN_REQUIRED};
const bench_def bench_shootdown_munmap_2 = {"shootdown-munmap-2", munmap2_setup, munmap_run, sd_teardown, 0, 16, PIN_REQUIRED};
const bench_def bench_shootdown_mprotect_0 = {"shootdown-mprotect-0", mprotect0_setup, mprotect_run, sd_teardown, 0, 16, PIN_REQUIRED};
const bench_def bench_shootdown_mprotect_1 = {"shootdown-mprotect-1", mprotect1_setup, mprotect_run, sd_teardown, 0, 16, PIN_REQUIRED};
