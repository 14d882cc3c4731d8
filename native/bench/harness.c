/* The harness: pinning, warm-up, batch-size calibration, batches. */
#include "bench.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const bench_def *const all_benches[] = {
    &bench_l1_hit,        &bench_l2_hit,        &bench_dram,          &bench_branch_miss,
    &bench_counter_inc,   &bench_syscall_getpid, &bench_syscall_getppid, &bench_clock_vdso,   &bench_clock_syscall,
    &bench_write_devnull, &bench_mutex,         &bench_ctxsw_thread,  &bench_ctxsw_process,
    &bench_thread_create, &bench_fork,          &bench_fork_large,    &bench_fork_exec,
    &bench_memcpy_large,  &bench_fault_minor,   &bench_fault_major,   &bench_read_4k_cached,
    &bench_read_4k_direct, &bench_tcp_rtt,      &bench_unix_rtt,
    &bench_function_call, &bench_signal_catch,  &bench_wakeup_1ms,    &bench_write_4k,
    &bench_write_fsync_4k, &bench_tlb_4k,       &bench_tlb_2m,        &bench_fd_open_close,
    &bench_fd_dup_close,  &bench_fd_low,        &bench_fd_high,       &bench_select_10,
    &bench_select_100,    &bench_select_1000,   &bench_poll_10,       &bench_poll_100,
    &bench_poll_1000,     &bench_epoll_10,      &bench_epoll_100,     &bench_epoll_1000,
    &bench_read_n_4k,     &bench_uring_n_4k,    &bench_clone_ns,
    &bench_unshare_pid,   &bench_unshare_mnt,   &bench_unshare_net,   &bench_unshare_uts,
    &bench_shootdown_munmap_0, &bench_shootdown_munmap_1, &bench_shootdown_munmap_2,
    &bench_shootdown_mprotect_0, &bench_shootdown_mprotect_1, &bench_select_10000, &bench_poll_10000,
    &bench_epoll_10000,   &bench_uring_nop,     &bench_wakeup_1ms_hog,
};
#define N_BENCHES (sizeof all_benches / sizeof all_benches[0])
/* Run by the runner itself, not benchmarks: bench_find knows them, bench_all_ids does not. */
static const bench_def *const internal_benches[] = {&bench_noise_probe};

void bench_set_error(bench_ctx *ctx, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(ctx->err, sizeof ctx->err, fmt, ap);
  va_end(ap);
}

const bench_def *bench_find(const char *id) {
  for (size_t i = 0; i < N_BENCHES; i++)
    if (strcmp(all_benches[i]->id, id) == 0) return all_benches[i];
  for (size_t i = 0; i < sizeof internal_benches / sizeof internal_benches[0]; i++)
    if (strcmp(internal_benches[i]->id, id) == 0) return internal_benches[i];
  return NULL;
}

const char *const *bench_all_ids(void) {
  static const char *ids[N_BENCHES + 1];
  for (size_t i = 0; i < N_BENCHES; i++) ids[i] = all_benches[i]->id;
  ids[N_BENCHES] = NULL;
  return ids;
}

int bench_pin_self(int cpu) {
  if (cpu < 0) return -1;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return sched_setaffinity(0, sizeof set, &set); /* 0 = the calling thread */
}

uint64_t bench_rand64(uint64_t *state) {
  uint64_t x = *state;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  *state = x;
  return x * 0x2545F4914F6CDD1Dull;
}

/*
 * Creates a file of `bytes` in `dir`, filled with non-zero data and synced to disk, then unlinks
 * it at once: the open descriptor keeps it alive, and nothing is left behind even on SIGKILL.
 * The returned descriptor is reopened with `flags` (through /proc/self/fd) when flags != 0.
 */
int bench_open_tmpfile(bench_ctx *ctx, const char *dir, uint64_t bytes, int flags) {
  char path[4096];
  snprintf(path, sizeof path, "%s/oslens-bench-XXXXXX", dir);
  int fd = mkstemp(path);
  if (fd < 0) {
    bench_set_error(ctx, "cannot create a file in %s: %s", dir, strerror(errno));
    return -1;
  }
  int reopened = -1;
  if (flags) reopened = open(path, O_RDONLY | flags);
  int reopen_errno = errno;
  unlink(path);
  char block[65536];
  for (size_t i = 0; i < sizeof block; i++) block[i] = (char)(i * 131 + 7);
  for (uint64_t done = 0; done < bytes;) {
    size_t n = bytes - done < sizeof block ? (size_t)(bytes - done) : sizeof block;
    ssize_t w = write(fd, block, n);
    if (w <= 0) {
      bench_set_error(ctx, "cannot write the test file in %s: %s", dir, strerror(errno));
      close(fd);
      if (reopened >= 0) close(reopened);
      return -1;
    }
    done += (uint64_t)w;
  }
  fsync(fd);
  if (!flags) return fd;
  close(fd);
  if (reopened < 0) {
    errno = reopen_errno;
    bench_set_error(ctx, "cannot reopen the test file: %s", strerror(errno));
    return -1;
  }
  return reopened;
}

void bench_echo(int in, int out) {
  char byte;
  while (read(in, &byte, 1) == 1 && byte != 'q') {
    if (write(out, &byte, 1) != 1) break;
  }
}

/*
 * The calling thread's run_delay: ns it spent runnable on a run queue while another task had the
 * CPU (/proc/thread-self/schedstat, CONFIG_SCHED_INFO). Sleeping does not count, so it is the
 * share of the CPU lost to other work even for benchmarks that block. -1 when unavailable.
 */
static double run_delay_ns(void) {
  int fd = open("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  char buf[128];
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return -1;
  buf[n] = 0;
  unsigned long long exec_ns, delay_ns;
  if (sscanf(buf, "%llu %llu", &exec_ns, &delay_ns) != 2) return -1;
  return (double)delay_ns;
}

int bench_run(const bench_def *def, const bench_params *params, int batches,
              double target_batch_ns, volatile int *cancel, bench_result *result) {
  memset(result, 0, sizeof *result);
  result->pinned_cpu = -1;

  /* Pin the calling thread for the whole run; restore its mask afterwards. */
  cpu_set_t saved;
  int have_saved = sched_getaffinity(0, sizeof saved, &saved) == 0;
  if (params->cpu >= 0 && def->pin != PIN_NEVER) {
    if (bench_pin_self(params->cpu) == 0) {
      result->pinned_cpu = params->cpu;
    } else if (def->pin == PIN_REQUIRED) {
      snprintf(result->skipped, sizeof result->skipped, "cannot pin to CPU %d: %s", params->cpu,
               strerror(errno));
      return -1;
    }
  } else if (def->pin == PIN_REQUIRED) {
    snprintf(result->skipped, sizeof result->skipped, "needs CPU pinning, which is disabled");
    return -1;
  }

  bench_ctx ctx;
  memset(&ctx, 0, sizeof ctx);
  ctx.params = params;
  int rc = 0;
  if (def->setup && def->setup(&ctx) != 0) {
    snprintf(result->skipped, sizeof result->skipped, "%s", ctx.err[0] ? ctx.err : "setup failed");
    rc = -1;
    goto out_teardown; /* setups leave state that teardown can release, or NULL */
  }

  /* Warm-up (caches, page tables, lazy binding), then calibrate ops so a batch lasts
   * target_batch_ns: clock overhead (~20 ns) becomes noise next to it. */
  uint64_t ops = def->fixed_ops ? def->fixed_ops : (def->min_ops ? def->min_ops : 1);
  double t = def->run(&ctx, ops);
  while (t >= 0 && !def->fixed_ops && t < target_batch_ns && ops < (1ull << 40)) {
    uint64_t next = t > 0 ? (uint64_t)(ops * (target_batch_ns / t) * 1.1) : ops * 8;
    ops = next > ops * 16 ? ops * 16 : (next > ops ? next : ops * 2);
    t = def->run(&ctx, ops);
  }
  if (t < 0) goto out_failed;

  result->ns_per_op = calloc((size_t)batches, sizeof(double));
  result->aux_per_op = calloc((size_t)batches, sizeof(double));
  result->ops_per_batch = ops;
  result->waited_ns = calloc((size_t)batches, sizeof(double));
  for (int b = 0; b < batches; b++) {
    if (cancel && *cancel) {
      snprintf(result->skipped, sizeof result->skipped, "cancelled");
      rc = -1;
      goto out_teardown;
    }
    ctx.aux_ns = 0;
    double delay0 = run_delay_ns(); /* outside run(), so outside its timed region */
    t = def->run(&ctx, ops);
    double delay1 = run_delay_ns();
    if (t < 0) goto out_failed;
    result->waited_ns[b] = delay0 >= 0 && delay1 >= 0 ? delay1 - delay0 : -1;
    result->ns_per_op[b] = t / (double)ops;
    result->aux_per_op[b] = ctx.aux_ns / (double)ops;
    result->batches = b + 1;
  }
  goto out_teardown;

out_failed:
  snprintf(result->skipped, sizeof result->skipped, "%s", ctx.err[0] ? ctx.err : "run failed");
  rc = -1;
out_teardown:
  snprintf(result->note, sizeof result->note, "%s", ctx.note);
  if (def->teardown) def->teardown(&ctx);
  if (have_saved) sched_setaffinity(0, sizeof saved, &saved);
  return rc;
}
