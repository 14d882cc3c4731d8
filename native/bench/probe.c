/*
 * The noise probe (not a benchmark: not in `bench --list`). Fixed CPU-only work, a dependent
 * multiply-add chain with no memory traffic, timed twice: in wall time and in the thread's CPU
 * time (CLOCK_THREAD_CPUTIME_ID, which leaves out the time the thread waited for the CPU and,
 * with paravirt steal accounting, the time the hypervisor took the vCPU). On a quiet CPU the two
 * agree and every run of the probe takes the same time; another task on the CPU makes wall
 * exceed CPU time, and a slower clock or a busy SMT sibling makes both grow. The runner runs it
 * between benchmarks (src/bench/noise.ts reads the figures).
 */
#include "bench.h"

static uint64_t thread_cpu_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Returns wall ns; ctx->aux_ns gets the thread's CPU ns over the same stretch. */
static double probe_run(bench_ctx *ctx, uint64_t ops) {
  uint64_t x = 1;
  uint64_t c0 = thread_cpu_ns();
  uint64_t t0 = bench_now_ns();
  for (uint64_t i = 0; i < ops; i++) {
    x = x * 6364136223846793005ull + 1442695040888963407ull; /* each step needs the last */
    BENCH_KEEP(x);
  }
  uint64_t t1 = bench_now_ns();
  uint64_t c1 = thread_cpu_ns();
  ctx->aux_ns = (double)(c1 - c0);
  return (double)(t1 - t0);
}

/* ~0.5 ms a batch at 2-3 GHz: short enough to run often, long enough for the clocks' resolution. */
const bench_def bench_noise_probe = {"noise-probe", NULL, probe_run, NULL, 400000, 0, PIN_PREFERRED};
