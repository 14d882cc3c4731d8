/*
 * Namespaces family: what a container start pays in the kernel. The loops run in
 * oslens-forkhelper (forkhelper.c), a small process, so clone-ns is comparable with `fork`:
 * the same fork from the same helper, plus four new namespaces.
 */
#include "bench.h"

#include <unistd.h>

/* Creating namespaces needs CAP_SYS_ADMIN; say so instead of failing on EPERM mid-run. */
static int ns_setup(bench_ctx *ctx, const char *mode) {
  if (geteuid() != 0) {
    bench_set_error(ctx, "creating namespaces needs root (CAP_SYS_ADMIN)");
    return -1;
  }
  return bench_helper_setup(ctx, 0, mode);
}

static int clone_ns_setup(bench_ctx *ctx) { return ns_setup(ctx, "clone-ns"); }
static int unshare_pid_setup(bench_ctx *ctx) { return ns_setup(ctx, "unshare-pid"); }
static int unshare_mnt_setup(bench_ctx *ctx) { return ns_setup(ctx, "unshare-mnt"); }
static int unshare_net_setup(bench_ctx *ctx) { return ns_setup(ctx, "unshare-net"); }
static int unshare_uts_setup(bench_ctx *ctx) { return ns_setup(ctx, "unshare-uts"); }

#define NS_BENCH(name, id, setup) \
  const bench_def name = {id, setup, bench_helper_run, bench_helper_teardown, 0, 1, PIN_NEVER}

NS_BENCH(bench_clone_ns, "clone-ns", clone_ns_setup);
NS_BENCH(bench_unshare_pid, "unshare-pid", unshare_pid_setup);
NS_BENCH(bench_unshare_mnt, "unshare-mnt", unshare_mnt_setup);
NS_BENCH(bench_unshare_net, "unshare-net", unshare_net_setup);
NS_BENCH(bench_unshare_uts, "unshare-uts", unshare_uts_setup);
