/*
 * The floor for any ptrace syscall tracer on this machine: the least a tracer can do per
 * syscall (stop at entry and exit, PTRACE_GET_SYSCALL_INFO, count, resume), nothing else.
 * npm run bench:trace compiles and runs it on the same workload as the tools it compares.
 *
 *   ptrace-floor MODE CMD ARGS...   prints the wall time in seconds and the stops seen
 *   MODE: block  - blocking waitpid, no pinning (what strace does)
 *         pinned - tracer and tracee pinned to one CPU (each stop is a switch between them)
 *         spin   - tracer polls waitpid(WNOHANG) on CPU 0, tracee on CPU 1 (no sleep/wake
 *                  on the tracer's side; the tracee's CPU still idles and is woken per stop)
 */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void pin(int cpu) {
  cpu_set_t s;
  CPU_ZERO(&s);
  CPU_SET(cpu, &s);
  if (sched_setaffinity(0, sizeof s, &s) != 0) {
    perror("ptrace-floor: sched_setaffinity (pinned and spin need CPUs 0 and 1)");
    _exit(3);
  }
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: ptrace-floor block|pinned|spin CMD ARGS...\n");
    return 2;
  }
  const char *mode = argv[1];
  int spin = strcmp(mode, "spin") == 0;
  int tracer_cpu = strcmp(mode, "pinned") == 0 ? 1 : spin ? 0 : -1;
  int tracee_cpu = tracer_cpu < 0 ? -1 : 1;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  pid_t child = fork();
  if (child == 0) {
    if (tracee_cpu >= 0) pin(tracee_cpu);
    ptrace(PTRACE_TRACEME, 0, 0, 0);
    raise(SIGSTOP); /* the tracer sets its options before the exec */
    execvp(argv[2], argv + 2);
    _exit(127);
  }
  if (tracer_cpu >= 0) pin(tracer_cpu);
  int status;
  waitpid(child, &status, 0);
  ptrace(PTRACE_SETOPTIONS, child, 0, PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL);
  ptrace(PTRACE_SYSCALL, child, 0, 0);
  unsigned long stops = 0, calls[512] = {0};
  for (;;) {
    pid_t p;
    do p = waitpid(child, &status, spin ? WNOHANG : 0);
    while (p == 0);
    if (p < 0 || WIFEXITED(status) || WIFSIGNALED(status)) break;
    int sig = 0;
    if (WSTOPSIG(status) == (SIGTRAP | 0x80)) {
      struct __ptrace_syscall_info info;
      ptrace(PTRACE_GET_SYSCALL_INFO, child, (void *)sizeof info, &info);
      if (info.op == PTRACE_SYSCALL_INFO_ENTRY && info.entry.nr < 512) calls[info.entry.nr]++;
      stops++;
    } else if (WSTOPSIG(status) != SIGTRAP) {
      sig = WSTOPSIG(status); /* a real signal: deliver it */
    }
    ptrace(PTRACE_SYSCALL, child, 0, (void *)(long)sig);
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  printf("%.3f %lu\n", s, stops);
  return 0;
}
