/*
 * The benchmark harness contract.
 *
 * Every benchmark is a `bench_def`: optional setup/teardown plus a `run` that performs `ops`
 * operations and returns the nanoseconds they took. `run` reads the clock itself, so it can keep
 * per-batch preparation (a fresh mapping, a cold page cache) outside the timed region.
 * The harness warms up, calibrates the batch size, runs the batches and hands the per-batch
 * ns/op figures to JavaScript, which only does statistics on them.
 */
#ifndef OSLENS_BENCH_H
#define OSLENS_BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define BENCH_ERR_LEN 256

enum { PIN_NEVER = 0, PIN_PREFERRED = 1, PIN_REQUIRED = 2 };

typedef struct {
  uint64_t heap_bytes;   /* fork-large / memcpy-large heap size */
  uint64_t l1_bytes;     /* cache sizes from sysfs, chosen by the caller */
  uint64_t l2_bytes;
  uint64_t llc_bytes;
  const char *tmpdir;    /* a directory on a real disk, for file benchmarks */
  const char *helper_path; /* the oslens-forkhelper executable */
  int cpu;               /* CPU to pin to, -1 for "do not pin" */
  int quick;             /* smaller working sets and fewer batches */
} bench_params;

typedef struct bench_ctx {
  const bench_params *params;
  void *state;           /* owned by the benchmark */
  double aux_ns;         /* optional second figure (total ns): the overhead measured and subtracted,
                            or for noise-probe the thread's CPU time */
  char err[BENCH_ERR_LEN]; /* set with a reason when setup decides to skip */
  char note[BENCH_ERR_LEN]; /* optional: what the run used or saw (huge page kind, a distribution) */
} bench_ctx;

typedef struct {
  const char *id;
  /* Returns 0 to run, non-zero to skip (ctx->err says why). May be NULL. */
  int (*setup)(bench_ctx *ctx);
  /* Performs `ops` operations; returns elapsed ns (negative on failure, ctx->err set). */
  double (*run)(bench_ctx *ctx, uint64_t ops);
  void (*teardown)(bench_ctx *ctx);
  uint64_t fixed_ops;    /* non-zero: do not calibrate, each batch is exactly this many ops */
  uint64_t min_ops;      /* calibration starts here (default 1) */
  int pin;               /* PIN_NEVER, PIN_PREFERRED or PIN_REQUIRED (skip when pinning fails) */
} bench_def;

typedef struct {
  double *ns_per_op;     /* one figure per batch (caller frees) */
  double *aux_per_op;    /* the subtracted overhead per op, per batch (caller frees) */
  int batches;
  uint64_t ops_per_batch;
  int pinned_cpu;        /* CPU the run was pinned to, -1 if not pinned */
  double *waited_ns;     /* per batch: ns its run() call spent runnable but not running (schedstat
                            run_delay), -1 when the kernel has no schedstat (caller frees) */
  char skipped[BENCH_ERR_LEN]; /* non-empty when the benchmark did not run */
  char note[BENCH_ERR_LEN];    /* the benchmark's note (bench_ctx.note), may be empty */
} bench_result;

/* Monotonic clock in nanoseconds (vDSO, ~20 ns: amortised by batch sizes of >= 1 ms). */
static inline uint64_t bench_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Keeps the compiler from deleting work whose result is otherwise unused. */
#define BENCH_KEEP(x) __asm__ volatile("" : : "r"(x) : "memory")

void bench_set_error(bench_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const bench_def *bench_find(const char *id);
const char *const *bench_all_ids(void);
/* Runs one benchmark; returns 0, or -1 with result->skipped set. */
int bench_run(const bench_def *def, const bench_params *params, int batches,
              double target_batch_ns, volatile int *cancel, bench_result *result);

/* Families (one file each). */
extern const bench_def bench_l1_hit, bench_l2_hit, bench_dram, bench_branch_miss, bench_counter_inc;
extern const bench_def bench_syscall_getpid, bench_syscall_getppid, bench_clock_vdso, bench_clock_syscall, bench_write_devnull;
extern const bench_def bench_mutex, bench_ctxsw_thread, bench_ctxsw_process, bench_thread_create;
extern const bench_def bench_fork, bench_fork_large, bench_fork_exec, bench_memcpy_large;
extern const bench_def bench_fault_minor, bench_fault_major;
extern const bench_def bench_read_4k_cached, bench_read_4k_direct;
extern const bench_def bench_tcp_rtt, bench_unix_rtt;
extern const bench_def bench_function_call, bench_signal_catch, bench_wakeup_1ms;
extern const bench_def bench_write_4k, bench_write_fsync_4k;
extern const bench_def bench_tlb_4k, bench_tlb_2m;
extern const bench_def bench_fd_open_close, bench_fd_dup_close, bench_fd_low, bench_fd_high;
extern const bench_def bench_select_10, bench_select_100, bench_select_1000;
extern const bench_def bench_poll_10, bench_poll_100, bench_poll_1000;
extern const bench_def bench_epoll_10, bench_epoll_100, bench_epoll_1000;
extern const bench_def bench_select_10000, bench_poll_10000, bench_epoll_10000, bench_uring_nop;
extern const bench_def bench_wakeup_1ms_hog;
extern const bench_def bench_read_n_4k, bench_uring_n_4k;
extern const bench_def bench_clone_ns;
extern const bench_def bench_unshare_pid, bench_unshare_mnt, bench_unshare_net, bench_unshare_uts;
extern const bench_def bench_shootdown_munmap_0, bench_shootdown_munmap_1, bench_shootdown_munmap_2;
extern const bench_def bench_shootdown_mprotect_0, bench_shootdown_mprotect_1;
extern const bench_def bench_noise_probe; /* internal: the runner's reference loop */

/* Shared helpers. */
int bench_pin_self(int cpu);           /* 0 on success */
int bench_open_tmpfile(bench_ctx *ctx, const char *dir, uint64_t bytes, int flags); /* unlinked */
uint64_t bench_rand64(uint64_t *state); /* xorshift64* */
/* Echoes bytes from `in` to `out` until 'q' or end of file. Async-signal-safe calls only, so it
 * may run in a child forked from a threaded process. */
void bench_echo(int in, int out);
/* oslens-forkhelper in MODE (see forkhelper.c): setup starts it, each run is one batch request. */
int bench_helper_setup(bench_ctx *ctx, uint64_t heap, const char *mode);
double bench_helper_run(bench_ctx *ctx, uint64_t ops);
void bench_helper_teardown(bench_ctx *ctx);

#endif
