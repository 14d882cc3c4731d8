/*
 * oslens-demohelper: the parts of `oslens demo` that Node cannot do itself (fork a plain
 * process, crash a thread, time raw syscalls, scan a file with mmap). One mode per demo; it
 * prints `key=value` lines on stdout and exits. It dies with its parent (PR_SET_PDEATHSIG) and
 * never dumps core, so nothing it does outlives oslens or litters the disk.
 *   cow MIB            touch MIB of heap, fork, child writes half: fork time and child faults
 *   threads N          create/join timing (free to use any CPU, then pinned to one), then
 *                      /proc/self/status with N idle threads alive
 *   crash-thread       worker threads, one dereferences NULL: the whole process dies
 *   crash-child        a forked child dereferences NULL: the parent reports it and lives
 *   random N           getrandom(2) vs read(2) of /dev/random and /dev/urandom, ns per call
 *   scan read|mmap FILE cold|warm   sum a file sequentially, with time and faults
 *   spin MS            wait for a stdin line, then busy-loop MS ms recording the longest gap
 *   vfork-hold N SECS  N processes blocked in vfork (state D, counted in the load average),
 *                      each child paused until SECS pass (alarm) or it is killed
 *   sigterm HOW SECS   a process that survives SIGTERM: ignore | block | handle | dstate
 *   hog MIB            wait for a stdin line, then touch MIB MiB, 1 MiB at a time
 *   printf             one printf to stdout (line-buffered, as on a terminal): the lesson that
 *                      follows a printf through libc to its write(2) (`trace --lib`)
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* sched_setaffinity, sched_getcpu (the build defines it already) */
#endif
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int die(const char *what) {
  printf("error=%s: %s\n", what, strerror(errno));
  return 1;
}

static long minflt_self(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_minflt;
}

/* ---- cow ---- */
static int mode_cow(long mib) {
  size_t len = (size_t)mib << 20, page = (size_t)sysconf(_SC_PAGESIZE);
  char *heap = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (heap == MAP_FAILED) return die("mmap");
  madvise(heap, len, MADV_NOHUGEPAGE); /* 4 KiB pages, so one fault per page written */
  for (size_t i = 0; i < len; i += page) heap[i] = 1;
  int pipefd[2];
  if (pipe(pipefd) != 0) return die("pipe");
  uint64_t t0 = now_ns();
  pid_t pid = fork();
  if (pid < 0) return die("fork");
  if (pid == 0) {
    uint64_t t1 = now_ns();
    long before = minflt_self();
    size_t pages = 0;
    for (size_t i = 0; i < len / 2; i += page, pages++) heap[i] = 2;
    long after = minflt_self();
    uint64_t t2 = now_ns();
    char buf[256];
    int n = snprintf(buf, sizeof buf, "fork_ns=%llu\nchild_pages_written=%zu\nchild_minflt=%ld\nchild_write_ns=%llu\n",
                     (unsigned long long)(t1 - t0), pages, after - before, (unsigned long long)(t2 - t1));
    if (write(pipefd[1], buf, (size_t)n) < 0) _exit(1);
    _exit(0);
  }
  close(pipefd[1]);
  int status;
  waitpid(pid, &status, 0);
  char buf[512];
  ssize_t n = read(pipefd[0], buf, sizeof buf - 1);
  if (n > 0) fwrite(buf, 1, (size_t)n, stdout);
  /* The parent's pages were never copied: its first byte is still 1. */
  printf("heap_mib=%ld\npages_total=%zu\nparent_sees=%d\n", mib, len / page, heap[0]);
  return 0;
}

/* ---- threads ---- */
static int gate[2];
static void *idle_thread(void *arg) {
  char c;
  (void)arg;
  while (read(gate[0], &c, 1) < 0 && errno == EINTR) {
  }
  return NULL;
}
static void *nothing(void *arg) { return arg; }

static void print_status(const char *prefix) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  if (!f) return;
  while (fgets(line, sizeof line, f)) {
    if (!strncmp(line, "Threads:", 8) || !strncmp(line, "VmSize:", 7) || !strncmp(line, "VmRSS:", 6)) {
      char key[32];
      long val;
      if (sscanf(line, "%31[^:]: %ld", key, &val) == 2) printf("%s_%s=%ld\n", prefix, key, val);
    }
  }
  fclose(f);
}

static uint64_t cpu_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Wall and CPU time (creator and threads) of one create + join, averaged over `reps`. */
static int time_create_join(int reps, uint64_t *wall, uint64_t *cpu) {
  uint64_t t0 = now_ns(), c0 = cpu_ns();
  for (int i = 0; i < reps; i++) {
    pthread_t t;
    if (pthread_create(&t, NULL, nothing, NULL) != 0) return -1;
    pthread_join(t, NULL);
  }
  *wall = (now_ns() - t0) / reps;
  *cpu = (cpu_ns() - c0) / reps;
  return 0;
}

static int mode_threads(long n) {
  const int reps = 200;
  uint64_t wall, cpu;
  cpu_set_t all, one;
  /* Wall time includes waiting for a CPU on a busy host; the process's CPU time (creator and
   * threads) is what creating a thread costs. Free to use any CPU, the new thread usually starts
   * on another one: its wake-up and the creator's are cross-CPU (an IPI, and in a VM an exit to
   * the hypervisor and often a halted vCPU to wake), which varies several-fold with what the
   * other CPUs are doing. Pinned to one CPU, what is left is the creation itself. */
  if (time_create_join(reps, &wall, &cpu) != 0) return die("pthread_create");
  printf("create_join_ns=%llu\ncreate_join_cpu_ns=%llu\n", (unsigned long long)wall, (unsigned long long)cpu);
  if (sched_getaffinity(0, sizeof all, &all) == 0) {
    CPU_ZERO(&one);
    CPU_SET(sched_getcpu(), &one);
    if (sched_setaffinity(0, sizeof one, &one) == 0) {
      if (time_create_join(reps, &wall, &cpu) != 0) return die("pthread_create");
      printf("create_join_pinned_ns=%llu\ncreate_join_pinned_cpu_ns=%llu\n", (unsigned long long)wall,
             (unsigned long long)cpu);
      sched_setaffinity(0, sizeof all, &all);
    }
  }
  pthread_attr_t attr;
  size_t stack = 0;
  pthread_attr_init(&attr);
  pthread_attr_getstacksize(&attr, &stack);
  printf("default_stack_bytes=%zu\n", stack);
  if (pipe(gate) != 0) return die("pipe");
  print_status("before");
  pthread_t *ts = calloc((size_t)n, sizeof *ts);
  long started = 0;
  for (; started < n; started++)
    if (pthread_create(&ts[started], NULL, idle_thread, NULL) != 0) break;
  printf("started=%ld\n", started);
  print_status("after");
  close(gate[1]); /* EOF wakes every reader */
  for (long i = 0; i < started; i++) pthread_join(ts[i], NULL);
  free(ts);
  return 0;
}

/* ---- crashes ---- */
static volatile int *volatile null_ptr;
static void *worker(void *arg) {
  long id = (long)arg;
  for (int i = 0; i < 5; i++) {
    printf("worker=%ld tick=%d\n", id, i);
    fflush(stdout);
    usleep(20000);
    if (id == 0 && i == 2) *null_ptr = 1; /* SIGSEGV: ends the whole thread group */
  }
  printf("worker=%ld done\n", id);
  fflush(stdout);
  return NULL;
}

static int mode_crash_thread(void) {
  pthread_t t[3];
  for (long i = 0; i < 3; i++) pthread_create(&t[i], NULL, worker, (void *)i);
  for (int i = 0; i < 3; i++) pthread_join(t[i], NULL);
  printf("survived=1\n");
  return 0;
}

static int mode_crash_child(void) {
  pid_t pid = fork();
  if (pid < 0) return die("fork");
  if (pid == 0) {
    *null_ptr = 1;
    _exit(0);
  }
  pthread_t t;
  pthread_create(&t, NULL, worker, (void *)1L); /* a sibling thread keeps working meanwhile */
  int status;
  waitpid(pid, &status, 0);
  pthread_join(t, NULL);
  printf("child_signal=%d\n", WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  printf("survived=1\n");
  return 0;
}

/* ---- random ---- */
static int mode_random(long n) {
  unsigned char buf[32];
  ssize_t r = getrandom(buf, sizeof buf, GRND_NONBLOCK);
  printf("seeded=%d\n", r == (ssize_t)sizeof buf ? 1 : 0);
  uint64_t t0 = now_ns();
  for (long i = 0; i < n; i++)
    if (getrandom(buf, sizeof buf, 0) != (ssize_t)sizeof buf) return die("getrandom");
  printf("getrandom_ns=%llu\n", (unsigned long long)((now_ns() - t0) / (uint64_t)n));
  const char *devs[] = {"/dev/random", "/dev/urandom"};
  for (int d = 0; d < 2; d++) {
    int fd = open(devs[d], O_RDONLY | O_CLOEXEC);
    if (fd < 0) return die(devs[d]);
    t0 = now_ns();
    for (long i = 0; i < n; i++)
      if (read(fd, buf, sizeof buf) != (ssize_t)sizeof buf) return die("read");
    uint64_t held = (now_ns() - t0) / (uint64_t)n;
    close(fd);
    t0 = now_ns();
    for (long i = 0; i < n; i++) { /* what naive code does: open, read, close each time */
      fd = open(devs[d], O_RDONLY | O_CLOEXEC);
      if (fd < 0 || read(fd, buf, sizeof buf) != (ssize_t)sizeof buf) return die(devs[d]);
      close(fd);
    }
    uint64_t each = (now_ns() - t0) / (uint64_t)n;
    printf("%s_read_ns=%llu\n%s_open_read_close_ns=%llu\n", d ? "urandom" : "random", (unsigned long long)held,
           d ? "urandom" : "random", (unsigned long long)each);
  }
  return 0;
}

/* ---- scan ---- */
static int mode_scan(const char *how, const char *path, const char *cache) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return die("open");
  struct stat st;
  if (fstat(fd, &st) != 0) return die("fstat");
  size_t len = (size_t)st.st_size;
  if (!strcmp(cache, "cold")) {
    fdatasync(fd);
    if (posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) != 0) return die("posix_fadvise");
  } else {
    /* warm: read once so every page is cached */
    static char warm[1 << 20];
    while (read(fd, warm, sizeof warm) > 0) {
    }
    lseek(fd, 0, SEEK_SET);
  }
  struct rusage r0, r1;
  getrusage(RUSAGE_SELF, &r0);
  uint64_t t0 = now_ns(), sum = 0;
  if (!strcmp(how, "mmap")) {
    const uint64_t *p = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) return die("mmap");
    for (size_t i = 0; i < len / 8; i += 8) sum += p[i]; /* one word per cache line */
    munmap((void *)p, len);
  } else {
    static uint64_t buf[(1 << 20) / 8];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0)
      for (size_t i = 0; i < (size_t)n / 8; i += 8) sum += buf[i];
  }
  uint64_t ns = now_ns() - t0;
  getrusage(RUSAGE_SELF, &r1);
  close(fd);
  printf("bytes=%zu\nns=%llu\nminflt=%ld\nmajflt=%ld\nsum=%llu\n", len, (unsigned long long)ns,
         r1.ru_minflt - r0.ru_minflt, r1.ru_majflt - r0.ru_majflt, (unsigned long long)sum);
  return 0;
}

/* ---- spin ---- */
static int mode_spin(long ms) {
  char line[16];
  printf("ready=1\n");
  fflush(stdout);
  if (!fgets(line, sizeof line, stdin)) return 0;
  uint64_t start = now_ns(), end = start + (uint64_t)ms * 1000000ull, last = start, max_gap = 0;
  long gaps = 0;
  for (uint64_t t = start; t < end; t = now_ns()) {
    uint64_t gap = t - last;
    if (gap > max_gap) max_gap = gap;
    if (gap > 5000000ull) gaps++;
    last = t;
  }
  printf("max_gap_ns=%llu\ngaps_over_5ms=%ld\n", (unsigned long long)max_gap, gaps);
  return 0;
}

/* ---- vfork-hold ---- */
/*
 * A vfork parent sleeps in TASK_KILLABLE (shown as D, counted in the load average) until its
 * child execs or exits. The child only pauses: raw syscalls, nothing that touches the shared
 * stack, and an alarm bounds it even if nobody cleans up. SIGKILL to either ends both.
 */
static void vfork_block(long secs) {
  pid_t c = vfork();
  if (c == 0) {
    syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    syscall(SYS_alarm, (unsigned)secs);
    for (;;) syscall(SYS_pause);
  }
}

static int mode_vfork_hold(long n, long secs) {
  for (long i = 0; i < n; i++) {
    pid_t h = fork();
    if (h < 0) return die("fork");
    if (h == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      vfork_block(secs);
      _exit(0);
    }
    printf("holder=%d\n", (int)h);
  }
  printf("ready=1\n");
  while (wait(NULL) > 0) {
  }
  return 0;
}

/* ---- sigterm ---- */
static volatile sig_atomic_t caught;
static void on_term(int sig) {
  (void)sig;
  caught++;
}

static int mode_sigterm(const char *how, long secs) {
  alarm((unsigned)secs); /* never outlives the demo by much */
  if (!strcmp(how, "ignore")) signal(SIGTERM, SIG_IGN);
  else if (!strcmp(how, "block")) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigprocmask(SIG_BLOCK, &set, NULL);
  } else if (!strcmp(how, "handle") || !strcmp(how, "dstate")) {
    struct sigaction sa = {0};
    sa.sa_handler = on_term;
    sigaction(SIGTERM, &sa, NULL);
  } else return die("sigterm: unknown HOW");
  printf("ready=1\n");
  /* dstate: the handler cannot run while the vfork wait holds the task in D; SIGKILL can. */
  if (!strcmp(how, "dstate")) vfork_block(secs);
  for (;;) {
    pause();
    if (caught) printf("caught=%d\n", (int)caught);
  }
}

/* ---- hog ---- */
static int mode_hog(long mib) {
  char line[16];
  printf("ready=1\n");
  if (!fgets(line, sizeof line, stdin)) return 0;
  for (long i = 1; i <= mib; i++) {
    char *p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return die("mmap");
    memset(p, (int)i, 1 << 20);
    printf("touched=%ld\n", i);
  }
  return 0;
}

static int mode_printf(void) {
  printf("hello from %s, pid %d\n", "C", (int)getpid());
  return 0;
}

int main(int argc, char **argv) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  struct rlimit nocore = {0, 0};
  setrlimit(RLIMIT_CORE, &nocore);
  setvbuf(stdout, NULL, _IOLBF, 0);
  const char *mode = argc > 1 ? argv[1] : "";
  long n = argc > 2 ? strtol(argv[2], NULL, 10) : 0;
  if (!strcmp(mode, "cow") && n > 0) return mode_cow(n);
  if (!strcmp(mode, "threads") && n > 0) return mode_threads(n);
  if (!strcmp(mode, "crash-thread")) return mode_crash_thread();
  if (!strcmp(mode, "crash-child")) return mode_crash_child();
  if (!strcmp(mode, "random") && n > 0) return mode_random(n);
  if (!strcmp(mode, "scan") && argc == 5) return mode_scan(argv[2], argv[3], argv[4]);
  if (!strcmp(mode, "spin") && n > 0) return mode_spin(n);
  if (!strcmp(mode, "vfork-hold") && n > 0 && argc == 4) return mode_vfork_hold(n, strtol(argv[3], NULL, 10));
  if (!strcmp(mode, "sigterm") && argc == 4) return mode_sigterm(argv[2], strtol(argv[3], NULL, 10));
  if (!strcmp(mode, "hog") && n > 0) return mode_hog(n);
  if (!strcmp(mode, "printf")) return mode_printf();
  fprintf(stderr, "usage: oslens-demohelper cow MIB | threads N | crash-thread | crash-child | random N |\n"
                  "       scan read|mmap FILE cold|warm | spin MS | vfork-hold N SECS |\n"
                  "       sigterm ignore|block|handle|dstate SECS | hog MIB\n");
  return 2;
}
