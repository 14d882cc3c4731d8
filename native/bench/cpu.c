/* CPU family: cache hierarchy by pointer chasing, branch misprediction, a counter increment. */
#include "bench.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define LINE 64 /* one pointer per cache line, so every load touches a new line */

typedef struct {
  void **buf;
  size_t bytes;
  void **cursor; /* carried across batches so each batch continues the chase */
} chase_state;

/*
 * Links the lines of a buffer into one random cycle (Sattolo's algorithm), so each load depends
 * on the previous one and the hardware prefetcher cannot guess the next address.
 */
static int chase_setup(bench_ctx *ctx, size_t bytes) {
  size_t lines = bytes / LINE;
  if (lines < 2) {
    bench_set_error(ctx, "working set of %zu bytes is too small", bytes);
    return -1;
  }
  chase_state *s = calloc(1, sizeof *s);
  s->bytes = lines * LINE;
  s->buf = mmap(NULL, s->bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (s->buf == MAP_FAILED) {
    free(s);
    bench_set_error(ctx, "cannot map %zu bytes", bytes);
    return -1;
  }
  /* Huge pages keep TLB misses from dominating the DRAM figure (best effort). */
  madvise(s->buf, s->bytes, MADV_HUGEPAGE);
  size_t *order = malloc(lines * sizeof *order);
  for (size_t i = 0; i < lines; i++) order[i] = i;
  uint64_t seed = 0x9E3779B97F4A7C15ull;
  for (size_t i = lines - 1; i > 0; i--) {
    size_t j = (size_t)(bench_rand64(&seed) % i); /* j < i: a single cycle */
    size_t tmp = order[i];
    order[i] = order[j];
    order[j] = tmp;
  }
  /* order is now a cyclic permutation: line k points to line order[k]. */
  const size_t stride = LINE / sizeof(void *);
  for (size_t k = 0; k < lines; k++) s->buf[k * stride] = &s->buf[order[k] * stride];
  free(order);
  s->cursor = s->buf;
  ctx->state = s;
  return 0;
}

static double chase_run(bench_ctx *ctx, uint64_t ops) {
  chase_state *s = ctx->state;
  void **p = s->cursor;
  uint64_t t0 = bench_now_ns();
  for (uint64_t i = 0; i < ops; i++) p = (void **)*p;
  uint64_t t1 = bench_now_ns();
  s->cursor = p;
  BENCH_KEEP(p);
  return (double)(t1 - t0);
}

static void chase_teardown(bench_ctx *ctx) {
  chase_state *s = ctx->state;
  if (!s) return;
  munmap(s->buf, s->bytes);
  free(s);
}

/* Half of L1d: fits with room for the stack and the loop. */
static int l1_setup(bench_ctx *ctx) { return chase_setup(ctx, ctx->params->l1_bytes / 2); }
/* Twice L1d but half of L2: misses L1, hits L2. */
static int l2_setup(bench_ctx *ctx) {
  size_t bytes = ctx->params->l2_bytes / 2;
  if (bytes < ctx->params->l1_bytes * 2) bytes = ctx->params->l1_bytes * 2;
  return chase_setup(ctx, bytes);
}
/* Far beyond the last-level cache: 8x LLC, at least 256 MiB (64 MiB in quick mode). */
static int dram_setup(bench_ctx *ctx) {
  size_t floor = ctx->params->quick ? (64u << 20) : (256u << 20);
  size_t bytes = ctx->params->llc_bytes * 8;
  if (bytes < floor) bytes = floor;
  return chase_setup(ctx, bytes);
}

const bench_def bench_l1_hit = {"l1-hit", l1_setup, chase_run, chase_teardown, 0, 1000, PIN_PREFERRED};
const bench_def bench_l2_hit = {"l2-hit", l2_setup, chase_run, chase_teardown, 0, 1000, PIN_PREFERRED};
const bench_def bench_dram = {"dram", dram_setup, chase_run, chase_teardown, 0, 1000, PIN_PREFERRED};

/*
 * Branch misprediction: the same loop over random bytes and over a predictable pattern with the
 * same values. The empty asm in one arm keeps the compiler from turning the branch into a
 * conditional move. A random bit mispredicts half the time, so cost per miss = delta / (n/2).
 */
#define BRANCH_N (1u << 16) /* long enough that the predictor cannot memorise it */
typedef struct {
  unsigned char random[BRANCH_N];
  unsigned char sorted[BRANCH_N];
} branch_state;

static int branch_setup(bench_ctx *ctx) {
  branch_state *s = malloc(sizeof *s);
  uint64_t seed = 12345;
  size_t ones = 0;
  for (size_t i = 0; i < BRANCH_N; i++) {
    s->random[i] = (unsigned char)(bench_rand64(&seed) & 1);
    ones += s->random[i];
  }
  /* Same number of taken branches, all grouped: the predictor learns it after one flip. */
  for (size_t i = 0; i < BRANCH_N; i++) s->sorted[i] = i < BRANCH_N - ones ? 0 : 1;
  ctx->state = s;
  return 0;
}

static __attribute__((noinline)) uint64_t branch_loop(const unsigned char *data, uint64_t n) {
  uint64_t a = 0, b = 0;
  for (uint64_t i = 0; i < n; i++) {
    if (data[i & (BRANCH_N - 1)]) {
      __asm__ volatile("" ::: "memory");
      a += i;
    } else {
      b ^= i;
    }
  }
  return a + b;
}

static double branch_run(bench_ctx *ctx, uint64_t ops) {
  branch_state *s = ctx->state;
  uint64_t n = ops * 2; /* ~ops mispredictions in the random pass */
  uint64_t t0 = bench_now_ns();
  BENCH_KEEP(branch_loop(s->sorted, n));
  uint64_t t1 = bench_now_ns();
  BENCH_KEEP(branch_loop(s->random, n));
  uint64_t t2 = bench_now_ns();
  ctx->aux_ns = (double)(t1 - t0); /* the predictable pass: the loop itself */
  /* Noise can make the predictable pass the slower one: 0, not the harness's error signal. */
  return t2 - t1 > t1 - t0 ? (double)(t2 - t1) - (double)(t1 - t0) : 0.0;
}

static void free_state(bench_ctx *ctx) { free(ctx->state); }

const bench_def bench_branch_miss = {"branch-miss", branch_setup, branch_run, free_state, 0, 1000, PIN_PREFERRED};

/* An in-memory counter: a volatile load-add-store, which the compiler must keep. */
static double counter_run(bench_ctx *ctx, uint64_t ops) {
  (void)ctx;
  static volatile uint64_t counter;
  uint64_t t0 = bench_now_ns();
  for (uint64_t i = 0; i < ops; i++) counter = counter + 1;
  uint64_t t1 = bench_now_ns();
  return (double)(t1 - t0);
}

const bench_def bench_counter_inc = {"counter-inc", NULL, counter_run, NULL, 0, 1000, PIN_PREFERRED};
