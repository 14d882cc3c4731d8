/*
 * Page table & TLB family: the same random pointer chase over a working set far beyond the TLB's
 * reach, once in 4 KiB pages and once in 2 MiB pages. Both miss the caches (the set is much larger
 * than the LLC); with 4 KiB pages every load also misses the TLB and walks the page table, with
 * 2 MiB pages the TLB covers the whole set. The difference is the walk.
 */
#include "bench.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define SMALL_PAGE 4096ull
#define HUGE_PAGE (2ull << 20)
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25 /* Linux 6.1; older headers lack it, older kernels say EINVAL */
#endif

typedef struct {
  char *map;     /* what munmap releases */
  size_t map_bytes;
  void **start;  /* first slot of the cycle */
} tlb_state;

/*
 * 1 GiB, or 4x the last-level cache when that is larger, in --quick too: the page tables of the
 * 4 KiB case (2 MiB of PTEs per GiB) then no longer fit a near cache on most machines. (A CI run
 * once measured 2 MiB pages slower than 4 KiB ones over 256 MiB: see the warm-up lap in setup.)
 */
static uint64_t working_set(const bench_ctx *ctx) {
  uint64_t bytes = 1ull << 30;
  uint64_t from_llc = 4 * ctx->params->llc_bytes;
  if (from_llc > bytes) bytes = (from_llc + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
  return bytes;
}

/* AnonHugePages of this process, in KiB (the THP check after touching the set). */
static long anon_huge_kib(void) {
  FILE *f = fopen("/proc/self/smaps_rollup", "r");
  if (!f) return -1;
  char line[256];
  long kib = -1;
  while (fgets(line, sizeof line, f))
    if (sscanf(line, "AnonHugePages: %ld kB", &kib) == 1) break;
  fclose(f);
  return kib;
}

/* MemAvailable in bytes, or -1: the set is touched in full, so it must fit without swapping. */
static long long mem_available(void) {
  FILE *f = fopen("/proc/meminfo", "r");
  if (!f) return -1;
  char line[256];
  long long kib = -1;
  while (fgets(line, sizeof line, f))
    if (sscanf(line, "MemAvailable: %lld kB", &kib) == 1) break;
  fclose(f);
  return kib < 0 ? -1 : kib << 10;
}

static int thp_mode_allows_madvise(void) {
  FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
  if (!f) return 0;
  char line[128] = "";
  if (!fgets(line, sizeof line, f)) line[0] = 0;
  fclose(f);
  return strstr(line, "[never]") == NULL && line[0] != 0;
}

/*
 * One slot per 4 KiB page, at a random cache line inside it, linked in one random cycle: every
 * load lands on a new page, and the hardware prefetcher cannot guess the next one.
 */
static int build_cycle(tlb_state *s, char *base, uint64_t bytes) {
  size_t pages = (size_t)(bytes / SMALL_PAGE);
  size_t *order = malloc(pages * sizeof *order);
  void **slot = malloc(pages * sizeof *slot);
  if (pages == 0 || !order || !slot) {
    free(order);
    free(slot);
    return -1;
  }
  uint64_t seed = 0x9E3779B97F4A7C15ull;
  for (size_t i = 0; i < pages; i++) order[i] = i;
  for (size_t i = pages - 1; i > 0; i--) {
    size_t j = (size_t)(bench_rand64(&seed) % (i + 1));
    size_t t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  for (size_t i = 0; i < pages; i++)
    slot[i] = base + order[i] * SMALL_PAGE + (bench_rand64(&seed) % (SMALL_PAGE / 64)) * 64;
  for (size_t i = 0; i < pages; i++) *(void **)slot[i] = slot[(i + 1) % pages];
  s->start = slot[0];
  free(slot);
  free(order);
  return 0;
}

static int tlb_setup(bench_ctx *ctx, int huge) {
  uint64_t bytes = working_set(ctx);
  long long avail = mem_available();
  if (avail >= 0 && (uint64_t)avail < bytes + bytes / 4) {
    bench_set_error(ctx, "needs %llu MiB of memory, %lld MiB available", (unsigned long long)(bytes >> 20),
                    avail >> 20);
    return -1;
  }
  tlb_state *s = calloc(1, sizeof *s);
  char *base = NULL;
  if (huge) {
    /* Reserved huge pages first (exact), else THP on a 2 MiB-aligned range. */
    s->map = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
    if (s->map != MAP_FAILED) {
      s->map_bytes = bytes;
      base = s->map;
      memset(base, 0, bytes);
      snprintf(ctx->note, sizeof ctx->note, "2 MiB pages from MAP_HUGETLB (vm.nr_hugepages)");
    } else if (!thp_mode_allows_madvise()) {
      free(s);
      bench_set_error(ctx, "no 2 MiB pages: vm.nr_hugepages cannot hold %llu MiB and THP is 'never'",
                      (unsigned long long)(bytes >> 20));
      return -1;
    } else {
      s->map_bytes = bytes + HUGE_PAGE;
      s->map = mmap(NULL, s->map_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (s->map == MAP_FAILED) goto no_memory;
      base = (char *)(((uintptr_t)s->map + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
      long before = anon_huge_kib();
      madvise(base, bytes, MADV_HUGEPAGE);
      memset(base, 0, bytes);
      long got = anon_huge_kib() - before;
      /* A fragmented or busy machine may fault part of the range in 4 KiB pages; MADV_COLLAPSE
       * (Linux 6.1) rebuilds them as huge pages synchronously. A partly covered set would measure
       * a mix of both page sizes, so less than 90% is a skip, not a figure. */
      if (got < (long)(bytes >> 10) * 9 / 10 && madvise(base, bytes, MADV_COLLAPSE) == 0)
        got = anon_huge_kib() - before;
      if (got < 0) got = 0;
      snprintf(ctx->note, sizeof ctx->note,
               "2 MiB pages from THP (madvise MADV_HUGEPAGE): %ld of %llu MiB in huge pages", got >> 10,
               (unsigned long long)(bytes >> 20));
      if (got < (long)(bytes >> 10) * 9 / 10) {
        bench_set_error(ctx, "THP gave only %ld of %llu MiB in huge pages (fragmented memory?)", got >> 10,
                        (unsigned long long)(bytes >> 20));
        ctx->state = s;
        return -1;
      }
    }
  } else {
    s->map_bytes = bytes;
    s->map = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (s->map == MAP_FAILED) goto no_memory;
    base = s->map;
    madvise(base, bytes, MADV_NOHUGEPAGE);
    memset(base, 0, bytes);
    snprintf(ctx->note, sizeof ctx->note, "4 KiB pages (MADV_NOHUGEPAGE)");
  }
  if (build_cycle(s, base, bytes) != 0) {
    bench_set_error(ctx, "cannot allocate the cycle's index for %llu MiB", (unsigned long long)(bytes >> 20));
    ctx->state = s;
    return -1;
  }
  /* One full lap before timing. The memset walks the set in order, leaving its last part and (in
   * 4 KiB pages) the page-table entries it just filled in the caches, and a --quick run times
   * fewer loads than the cycle has slots: without the lap the 4 KiB chase was timed partly warm,
   * and over 256 MiB it came out level with the 2 MiB one (noise decided the order). */
  void **p = s->start;
  for (uint64_t i = 0; i < bytes / SMALL_PAGE; i++) p = *p;
  BENCH_KEEP(p);
  ctx->state = s;
  return 0;
no_memory:
  free(s);
  bench_set_error(ctx, "cannot map %llu MiB: %s", (unsigned long long)(bytes >> 20), strerror(errno));
  return -1;
}

static double tlb_run(bench_ctx *ctx, uint64_t ops) {
  tlb_state *s = ctx->state;
  void **p = s->start;
  uint64_t t0 = bench_now_ns();
  for (uint64_t i = 0; i < ops; i++) p = *p;
  uint64_t t1 = bench_now_ns();
  BENCH_KEEP(p);
  s->start = p; /* continue the cycle next batch */
  return (double)(t1 - t0);
}

static void tlb_teardown(bench_ctx *ctx) {
  tlb_state *s = ctx->state;
  if (!s) return;
  munmap(s->map, s->map_bytes);
  free(s);
}

static int tlb_4k_setup(bench_ctx *ctx) { return tlb_setup(ctx, 0); }
static int tlb_2m_setup(bench_ctx *ctx) { return tlb_setup(ctx, 1); }

const bench_def bench_tlb_4k = {"tlb-4k", tlb_4k_setup, tlb_run, tlb_teardown, 0, 1000, PIN_PREFERRED};
const bench_def bench_tlb_2m = {"tlb-2m", tlb_2m_setup, tlb_run, tlb_teardown, 0, 1000, PIN_PREFERRED};
