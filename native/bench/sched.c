/* Scheduling and threads: mutex, context switches (thread and process), thread creation. */
#include "bench.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t bench_lock = PTHREAD_MUTEX_INITIALIZER;

static double mutex_run(bench_ctx *ctx, uint64_t ops) {
  (void)ctx;
  uint64_t t0 = bench_now_ns();
  for (uint64_t i = 0; i < ops; i++) {
    pthread_mutex_lock(&bench_lock);
    pthread_mutex_unlock(&bench_lock);
  }
  uint64_t t1 = bench_now_ns();
  return (double)(t1 - t0);
}

const bench_def bench_mutex = {"mutex", NULL, mutex_run, NULL, 0, 1000, PIN_PREFERRED};

/*
 * Context switches by ping-pong, in the spirit of lmbench's lat_ctx: two tasks pinned to the same
 * CPU pass one byte back and forth over two pipes, so every hand-off is a switch. A round trip is
 * two switches plus two writes and two reads; the pipe work alone is timed in one task (same
 * calls, no switch) and subtracted, leaving the switch itself.
 */
typedef struct {
  int to_partner[2];
  int to_me[2];
  pthread_t thread;
  pid_t child;
  int have_thread;
} pingpong_state;

static void *partner_thread(void *arg) {
  pingpong_state *s = arg;
  bench_echo(s->to_partner[0], s->to_me[1]);
  return NULL;
}

static int pingpong_setup(bench_ctx *ctx, int use_process) {
  pingpong_state *s = calloc(1, sizeof *s);
  s->child = -1;
  if (pipe2(s->to_partner, O_CLOEXEC) || pipe2(s->to_me, O_CLOEXEC)) {
    bench_set_error(ctx, "pipe: %s", strerror(errno));
    free(s);
    return -1;
  }
  ctx->state = s;
  /* The partner inherits this thread's CPU affinity (one CPU), so both share it. */
  if (use_process) {
    s->child = fork();
    if (s->child < 0) {
      bench_set_error(ctx, "fork: %s", strerror(errno));
      return -1;
    }
    if (s->child == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive oslens, even on Ctrl-C */
      bench_echo(s->to_partner[0], s->to_me[1]);
      _exit(0);
    }
  } else {
    if (pthread_create(&s->thread, NULL, partner_thread, s) != 0) {
      bench_set_error(ctx, "pthread_create failed");
      return -1;
    }
    s->have_thread = 1;
  }
  return 0;
}

static double pingpong_run(bench_ctx *ctx, uint64_t ops) {
  pingpong_state *s = ctx->state;
  uint64_t trips = ops / 2 ? ops / 2 : 1;
  char byte = 'x';
  uint64_t t0 = bench_now_ns();
  for (uint64_t i = 0; i < trips; i++) {
    if (write(s->to_partner[1], &byte, 1) != 1 || read(s->to_me[0], &byte, 1) != 1) {
      bench_set_error(ctx, "ping-pong pipe failed: %s", strerror(errno));
      return -1;
    }
  }
  uint64_t t1 = bench_now_ns();
  /* The same four pipe calls per trip with no partner involved: the mechanism's own cost. */
  int self[2];
  if (pipe2(self, O_CLOEXEC)) {
    bench_set_error(ctx, "pipe: %s", strerror(errno));
    return -1;
  }
  uint64_t t2 = bench_now_ns();
  for (uint64_t i = 0; i < trips; i++) {
    if (write(self[1], &byte, 1) != 1 || read(self[0], &byte, 1) != 1 ||
        write(self[1], &byte, 1) != 1 || read(self[0], &byte, 1) != 1)
      break;
  }
  uint64_t t3 = bench_now_ns();
  close(self[0]);
  close(self[1]);
  double round_trips = (double)(t1 - t0), overhead = (double)(t3 - t2);
  double scale = (double)ops / (double)(trips * 2); /* ops switches from trips round trips */
  ctx->aux_ns = overhead * scale;
  /* On a busy machine the mechanism pass can take longer than the ping-pong itself: a batch
   * swamped by noise counts as 0 (the median over batches stays meaningful), never as a
   * failure (a negative time is the harness's error signal). */
  return round_trips > overhead ? (round_trips - overhead) * scale : 0.0;
}

static void pingpong_teardown(bench_ctx *ctx) {
  pingpong_state *s = ctx->state;
  if (!s) return;
  char quit = 'q';
  if (write(s->to_partner[1], &quit, 1) < 0) { /* the partner is already gone: nothing to stop */
  }
  if (s->have_thread) pthread_join(s->thread, NULL);
  if (s->child > 0) waitpid(s->child, NULL, 0);
  close(s->to_partner[0]);
  close(s->to_partner[1]);
  close(s->to_me[0]);
  close(s->to_me[1]);
  free(s);
}

static int ctxsw_thread_setup(bench_ctx *ctx) { return pingpong_setup(ctx, 0); }
static int ctxsw_process_setup(bench_ctx *ctx) { return pingpong_setup(ctx, 1); }

const bench_def bench_ctxsw_thread = {"ctxsw-thread", ctxsw_thread_setup, pingpong_run,
                                      pingpong_teardown, 0, 2, PIN_REQUIRED};
const bench_def bench_ctxsw_process = {"ctxsw-process", ctxsw_process_setup, pingpong_run,
                                       pingpong_teardown, 0, 2, PIN_REQUIRED};

static void *empty_thread(void *arg) { return arg; }

static double thread_create_run(bench_ctx *ctx, uint64_t ops) {
  uint64_t t0 = bench_now_ns();
  for (uint64_t i = 0; i < ops; i++) {
    pthread_t t;
    if (pthread_create(&t, NULL, empty_thread, NULL) != 0) {
      bench_set_error(ctx, "pthread_create failed");
      return -1;
    }
    pthread_join(t, NULL);
  }
  uint64_t t1 = bench_now_ns();
  return (double)(t1 - t0);
}

/* Not pinned: a new thread may start on another CPU, which is what real code sees. */
const bench_def bench_thread_create = {"thread-create", NULL, thread_create_run, NULL, 0, 10, PIN_NEVER};

/*
 * Wakeup latency as cyclictest measures it: sleep until an absolute time 1 ms ahead
 * (clock_nanosleep, TIMER_ABSTIME) and record how late the thread woke. The figure is the mean
 * overshoot per sleep; the note gives min, p50, p99 and max over every sleep of the run.
 */
typedef struct {
  double *samples;
  size_t n, cap;
  pthread_t hog;
  int have_hog;
  volatile int stop;
  int hog_cpu;
} wakeup_state;

static int wakeup_setup(bench_ctx *ctx) {
  ctx->state = calloc(1, sizeof(wakeup_state));
  return 0;
}

/* A busy thread on the sleeper's CPU: each wakeup must preempt it (or wait for its slice). */
static void *hog_thread(void *arg) {
  wakeup_state *s = arg;
  bench_pin_self(s->hog_cpu);
  while (!__atomic_load_n(&s->stop, __ATOMIC_RELAXED)) __asm__ volatile("pause");
  return NULL;
}

static int wakeup_hog_setup(bench_ctx *ctx) {
  if (ctx->params->cpu < 0) {
    bench_set_error(ctx, "needs CPU pinning (the hog must share the sleeper's CPU)");
    return -1;
  }
  wakeup_state *s = calloc(1, sizeof *s);
  ctx->state = s;
  s->hog_cpu = ctx->params->cpu;
  if (pthread_create(&s->hog, NULL, hog_thread, s) != 0) {
    bench_set_error(ctx, "pthread_create failed");
    return -1;
  }
  s->have_hog = 1;
  return 0;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static void wakeup_summary(bench_ctx *ctx, wakeup_state *s) {
  double *sorted = malloc(s->n * sizeof *sorted);
  memcpy(sorted, s->samples, s->n * sizeof *sorted);
  qsort(sorted, s->n, sizeof *sorted, cmp_double);
  snprintf(ctx->note, sizeof ctx->note, "overshoot over %zu sleeps: min %.0f, p50 %.0f, p99 %.0f, max %.0f ns",
           s->n, sorted[0], sorted[s->n / 2], sorted[(s->n * 99) / 100], sorted[s->n - 1]);
  free(sorted);
}

static double wakeup_run(bench_ctx *ctx, uint64_t ops) {
  wakeup_state *s = ctx->state;
  double total = 0;
  for (uint64_t i = 0; i < ops; i++) {
    uint64_t target = bench_now_ns() + 1000000;
    struct timespec ts = {(time_t)(target / 1000000000ull), (long)(target % 1000000000ull)};
    int r;
    while ((r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL)) == EINTR) {
    }
    if (r != 0) {
      bench_set_error(ctx, "clock_nanosleep: %s", strerror(r));
      return -1;
    }
    double late = (double)(bench_now_ns() - target);
    total += late;
    if (s->n == s->cap) {
      s->cap = s->cap ? s->cap * 2 : 256;
      s->samples = realloc(s->samples, s->cap * sizeof *s->samples);
    }
    s->samples[s->n++] = late;
  }
  wakeup_summary(ctx, s);
  return total;
}

static void wakeup_teardown(bench_ctx *ctx) {
  wakeup_state *s = ctx->state;
  if (!s) return;
  if (s->have_hog) {
    __atomic_store_n(&s->stop, 1, __ATOMIC_RELAXED);
    pthread_join(s->hog, NULL);
  }
  free(s->samples);
  free(s);
}

const bench_def bench_wakeup_1ms = {"wakeup-1ms", wakeup_setup, wakeup_run, wakeup_teardown, 50, 1,
                                    PIN_PREFERRED};
const bench_def bench_wakeup_1ms_hog = {"wakeup-1ms-hog", wakeup_hog_setup, wakeup_run, wakeup_teardown, 50, 1,
                                        PIN_REQUIRED};
