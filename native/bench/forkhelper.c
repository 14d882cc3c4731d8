/*
 * oslens-forkhelper: a small process that times fork for oslens.
 *
 * Forking from inside Node would measure Node's own page tables (hundreds of MiB mapped), not
 * "a small process". So the fork benchmarks start this ~1 MiB program instead, optionally give
 * it a large touched heap, and ask it over a pipe to run batches:
 *   usage: oslens-forkhelper HEAP_BYTES MODE
 *     MODE: fork | fork-exec | clone-ns (fork into new pid, mount, net and uts namespaces)
 *           | unshare-mnt | unshare-net | unshare-uts (one unshare per op, no fork)
 *           | unshare-pid (fork, and unshare(CLONE_NEWPID) in the child)
 *   stdin:  one line per batch, the number of operations
 *   stdout: one line per batch, elapsed nanoseconds (or "error: ...")
 * It exits at end of input, and with its parent (PR_SET_PDEATHSIG), so nothing outlives oslens.
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The namespaces a container runtime creates for each container (user namespaces aside). */
#define CONTAINER_NS (CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWUTS)

static int unshare_flag(const char *mode) {
  if (strcmp(mode, "unshare-mnt") == 0) return CLONE_NEWNS;
  if (strcmp(mode, "unshare-net") == 0) return CLONE_NEWNET;
  if (strcmp(mode, "unshare-uts") == 0) return CLONE_NEWUTS;
  return 0;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: oslens-forkhelper HEAP_BYTES fork|fork-exec|clone-ns|unshare-NS\n");
    return 2;
  }
  int clone_flags = strcmp(argv[2], "clone-ns") == 0 ? CONTAINER_NS : 0;
  int unshare_ns = unshare_flag(argv[2]);
  /* A second unshare(CLONE_NEWPID) fails (EINVAL) until a child has entered the first one, so
   * unshare-pid forks and unshares in the child: compare it with plain `fork`. */
  int child_unshare = strcmp(argv[2], "unshare-pid") == 0 ? CLONE_NEWPID : 0;
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  size_t heap = (size_t)strtoull(argv[1], NULL, 10);
  int do_exec = strcmp(argv[2], "fork-exec") == 0;
  if (heap) {
    /* Ordinary 4 KiB pages, every one touched: what a big malloc'd heap looks like. */
    char *p = mmap(NULL, heap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
      printf("error: cannot map a %zu MiB heap: %s\n", heap >> 20, strerror(errno));
      return 1;
    }
    madvise(p, heap, MADV_NOHUGEPAGE);
    memset(p, 1, heap);
  }
  printf("ready\n");
  fflush(stdout);
  unsigned long long ops;
  while (scanf("%llu", &ops) == 1) {
    uint64_t t0 = now_ns();
    if (unshare_ns) {
      /* Each call makes a fresh namespace of the kind and drops this process's previous one
       * (unshare(CLONE_NEWPID) applies to later children only, so it needs no fork either). */
      for (unsigned long long i = 0; i < ops; i++) {
        if (unshare(unshare_ns) != 0) {
          printf("error: unshare: %s\n", strerror(errno));
          fflush(stdout);
          return 1;
        }
      }
      printf("%llu\n", (unsigned long long)(now_ns() - t0));
      fflush(stdout);
      continue;
    }
    for (unsigned long long i = 0; i < ops; i++) {
      /* A raw clone with fork's semantics (no new stack), so the flags are the only difference. */
      pid_t pid = clone_flags ? (pid_t)syscall(SYS_clone, clone_flags | SIGCHLD, NULL, NULL, NULL, 0)
                              : fork();
      if (pid < 0) {
        printf(clone_flags ? "error: clone: %s\n" : "error: fork: %s\n", strerror(errno));
        fflush(stdout);
        return 1;
      }
      if (pid == 0) {
        if (child_unshare && unshare(child_unshare) != 0) _exit(1);
        if (do_exec) {
          char *const child_argv[] = {"/bin/true", NULL};
          char *const envp[] = {NULL};
          execve("/bin/true", child_argv, envp);
        }
        _exit(do_exec ? 127 : 0);
      }
      int status;
      while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        printf("error: child exited with status %d%s\n", status,
               do_exec ? " (could /bin/true run?)" : "");
        fflush(stdout);
        return 1;
      }
    }
    printf("%llu\n", (unsigned long long)(now_ns() - t0));
    fflush(stdout);
  }
  return 0;
}
