/*
 * The ptrace tracer loop (see tracer.h). Design notes:
 * - Tracees are SEIZEd (also the spawned child, which stops itself first), so group-stops are
 *   told apart from signal-delivery-stops (PTRACE_EVENT_STOP) and parked with PTRACE_LISTEN.
 * - PTRACE_GET_SYSCALL_INFO says whether a stop is an entry, an exit or a seccomp stop; no
 *   parity bookkeeping that a missed stop could invert.
 * - With a filter and follow (-f), the spawned child installs a seccomp-bpf program (RET_TRACE
 *   for the wanted numbers) after the tracer set TRACESECCOMP: tasks then run with PTRACE_CONT
 *   and stop only for wanted syscalls (seccomp stop, then PTRACE_SYSCALL for the exit). Without
 *   follow the tracer filters itself (a stop per syscall, only wanted ones reported), as strace
 *   does: a filter is inherited by every child and thread, and the ones nobody traces would get
 *   ENOSYS for the filtered calls.
 * - The spawned command gets what the caller gave oslens, not what Node made of it: its
 *   descriptors (Node marks them close-on-exec), blocking stdio (Node sets O_NONBLOCK on the
 *   shared open file descriptions), its ignored signals and mask (Node resets them).
 * - waitpid uses __WNOTHREAD: only our tracees and our own child, never Node's children.
 */
#include "tracer.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/xattr.h>
#include <sys/user.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WAKE_SIGNAL (SIGRTMAX - 3)
#define BATCH_FLUSH_BYTES (60 * 1024)
#define BATCH_FLUSH_RECORDS 256
#define BATCH_FLUSH_NS (5 * 1000 * 1000ull)
#define MAX_ARRAY 64
#define MAX_ARGV 64
#define MAX_IOV 16
#define MAX_MMSG 16
#define MAX_CONTROL 4096
#define MSGHDR_SIZE 56
#define NL_MAX (128 * 1024) /* netlink data read per capture: strace prints 32 messages at most */
#define TASK_SLOTS 16384

typedef struct {
  int tid;           /* 0 = free slot, -1 = tombstone */
  uint8_t in_syscall;
  uint8_t hidden;    /* the spawned child before its execve: not the user's program yet */
  uint8_t detaching;
  uint8_t group_stopped;
  int tgid;          /* thread group id (the pid of the process) */
  int nr;
  uint64_t t_enter;
  uint64_t stime_enter; /* -c: the process's system time at the entry stop */
  uint64_t args[6];
  uint64_t sp;       /* stack pointer at entry (CAP_STACK_IN) */
} task;

typedef struct {
  uint64_t calls, errors, ns, sys_ns; /* ns: wall time in the call; sys_ns: system CPU time */
} counter;

typedef struct {
  const tracer_opts *o;
  tracer_emit_fn emit;
  void *ctx;
  uint8_t *buf;
  size_t len, cap;
  int nrec;
  uint64_t first_ns;
  task *tasks;
  int ntasks;
  int seccomp;
  int vm_readv_ok;
  int spawned;
  int spawned_pid;
  int handled_seq;   /* the last stop request handled */
  int detach_all;    /* detaching everything: tasks that appear now are detached at once */
  int forwarded;     /* a signal was forwarded to the command while the seccomp filter is on */
  int seccomp_checked;
  int kill_all;      /* killing everything: tasks that appear now are killed at once */
  uint64_t last_signal_ns[65]; /* when a tracee last had a signal-delivery-stop, per signal */
  counter counts[TRACER_MAX_NR];
  uint64_t stop_stime; /* -c: ru_stime of the task at the stop being handled (wait4's rusage) */
} tracer;

/* Stop requests: how and sig, then a new seq; the engine handles each seq once. */
static atomic_int g_req_seq;
static atomic_int g_req_how;
static atomic_int g_req_sig;
static pthread_t g_thread;
static atomic_int g_running;

static void wake_handler(int sig) { (void)sig; }

void tracer_request_stop(int how, int sig) {
  if (how != 0) {
    atomic_store(&g_req_how, how);
    atomic_store(&g_req_sig, sig);
    atomic_fetch_add(&g_req_seq, 1);
  }
  if (atomic_load(&g_running)) pthread_kill(g_thread, WAKE_SIGNAL);
}

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t mono_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- tasks ---------------------------------------------------------------------------------- */

static task *task_find(tracer *t, int tid) {
  unsigned h = ((unsigned)tid * 2654435761u) & (TASK_SLOTS - 1);
  for (int i = 0; i < TASK_SLOTS; i++) {
    task *k = &t->tasks[(h + i) & (TASK_SLOTS - 1)];
    if (k->tid == tid) return k;
    if (k->tid == 0) return NULL;
  }
  return NULL;
}

static task *task_add(tracer *t, int tid) {
  task *k = task_find(t, tid);
  if (k) return k;
  unsigned h = ((unsigned)tid * 2654435761u) & (TASK_SLOTS - 1);
  for (int i = 0; i < TASK_SLOTS; i++) {
    k = &t->tasks[(h + i) & (TASK_SLOTS - 1)];
    if (k->tid <= 0) {
      memset(k, 0, sizeof *k);
      k->tid = tid;
      t->ntasks++;
      return k;
    }
  }
  return NULL;
}

static void task_del(tracer *t, task *k) {
  k->tid = -1;
  t->ntasks--;
}

/* ---- batches -------------------------------------------------------------------------------- */

static void flush(tracer *t) {
  if (t->len == 0) return;
  t->emit(t->ctx, t->buf, t->len);
  t->cap = 64 * 1024;
  t->buf = malloc(t->cap);
  t->len = 0;
  t->nrec = 0;
}

static uint8_t *reserve(tracer *t, size_t n) {
  if (t->len + n > t->cap) {
    size_t cap = t->cap;
    while (t->len + n > cap) cap *= 2;
    uint8_t *b = realloc(t->buf, cap);
    if (!b) abort();
    t->buf = b;
    t->cap = cap;
  }
  uint8_t *p = t->buf + t->len;
  t->len += n;
  return p;
}

#define HDR 32

/* Starts a record; returns its offset (the buffer may move while captures are appended). */
static size_t rec_begin(tracer *t, int type, int tid, int tgid, int aux, uint64_t time, size_t extra) {
  if (t->nrec == 0) t->first_ns = mono_ns();
  size_t off = t->len;
  uint8_t *p = reserve(t, HDR + extra);
  memset(p, 0, HDR + extra);
  p[0] = (uint8_t)type;
  memcpy(p + 8, &tid, 4);
  memcpy(p + 12, &aux, 4);
  memcpy(p + 16, &time, 8);
  memcpy(p + 24, &tgid, 4);
  return off;
}

static void rec_end(tracer *t, size_t off) {
  uint32_t size = (uint32_t)(t->len - off);
  memcpy(t->buf + off + 4, &size, 4);
  t->nrec++;
  if (t->len >= BATCH_FLUSH_BYTES || t->nrec >= BATCH_FLUSH_RECORDS ||
      mono_ns() - t->first_ns >= BATCH_FLUSH_NS)
    flush(t);
}

static void emit_simple(tracer *t, int type, int tid, int tgid, int aux, int flags) {
  size_t off = rec_begin(t, type, tid, tgid, aux, now_ns(), 0);
  t->buf[off + 1] = (uint8_t)flags;
  rec_end(t, off);
}

static void emit_message(tracer *t, int tid, int err, const char *text) {
  size_t n = strlen(text);
  size_t off = rec_begin(t, REC_MESSAGE, tid, 0, err, now_ns(), n);
  memcpy(t->buf + off + HDR, text, n);
  rec_end(t, off);
}

/* ---- tracee memory -------------------------------------------------------------------------- */

/* Reads up to len bytes; returns how many were readable from the start (0 on a fault). */
static size_t vm_read(tracer *t, int tid, uint64_t addr, void *dst, size_t len) {
  if (len == 0 || addr == 0) return 0;
  if (t->vm_readv_ok) {
    size_t done = 0;
    while (done < len) {
      /* Page by page after a short read: process_vm_readv stops at the first unmapped page. */
      struct iovec local = {(char *)dst + done, len - done};
      struct iovec remote = {(void *)(uintptr_t)(addr + done), len - done};
      ssize_t n = process_vm_readv(tid, &local, 1, &remote, 1, 0);
      if (n > 0) {
        done += (size_t)n;
        continue;
      }
      if (n < 0 && (errno == ENOSYS || errno == EPERM)) {
        t->vm_readv_ok = 0;
        break;
      }
      return done;
    }
    if (t->vm_readv_ok) return done;
  }
  size_t done = 0;
  while (done < len) {
    errno = 0;
    long word = ptrace(PTRACE_PEEKDATA, tid, (void *)(uintptr_t)(addr + done), 0);
    if (errno) break;
    size_t n = len - done < sizeof word ? len - done : sizeof word;
    memcpy((char *)dst + done, &word, n);
    done += n;
  }
  return done;
}

/* Reads a NUL-terminated string of at most max bytes; *trunc when no NUL within max. */
static size_t vm_read_str(tracer *t, int tid, uint64_t addr, char *dst, size_t max, int *trunc,
                          int *fault) {
  size_t done = 0;
  *trunc = 0;
  *fault = 0;
  while (done < max) {
    size_t to_page = 4096 - ((addr + done) & 4095);
    size_t want = max - done < to_page ? max - done : to_page;
    size_t n = vm_read(t, tid, addr + done, dst + done, want);
    void *nul = memchr(dst + done, 0, n);
    if (nul) return done + (size_t)((char *)nul - (dst + done));
    done += n;
    if (n < want) {
      *fault = done == 0;
      return done;
    }
  }
  *trunc = 1;
  return done;
}

/* Appends one capture; the data is read straight into the batch buffer. */
static size_t cap_begin(tracer *t, int arg, int phase, int kind) {
  size_t off = t->len;
  uint8_t *p = reserve(t, 8);
  p[0] = (uint8_t)arg;
  p[1] = (uint8_t)phase;
  p[2] = (uint8_t)kind;
  p[3] = 0;
  memset(p + 4, 0, 4);
  return off;
}

static void cap_end(tracer *t, size_t off, int flags) {
  uint32_t n = (uint32_t)(t->len - off - 8);
  t->buf[off + 3] = (uint8_t)flags;
  memcpy(t->buf + off + 4, &n, 4);
}

static int cap_bytes(tracer *t, int tid, uint64_t addr, size_t n) {
  size_t at = t->len;
  reserve(t, n);
  size_t got = vm_read(t, tid, addr, t->buf + at, n);
  t->len = at + got;
  return got < n;
}

static void cap_string_item(tracer *t, int tid, uint64_t addr, size_t max) {
  size_t at = t->len;
  reserve(t, 4 + max);
  int trunc, fault;
  size_t n = vm_read_str(t, tid, addr, (char *)t->buf + at + 4, max, &trunc, &fault);
  uint32_t word = (uint32_t)n | (trunc ? 0x80000000u : 0);
  memcpy(t->buf + at, &word, 4);
  t->len = at + 4 + n;
}

static size_t clampsz(uint64_t v, size_t max) { return v > max ? max : (size_t)v; }

/* The path behind a tracee's fd (CAP_FD_PATH*), read into the batch; returns the fault flag. */
static int cap_fd_path(tracer *t, int tid, int fd) {
  char link[64];
  if (fd == -100) /* AT_FDCWD */
    snprintf(link, sizeof link, "/proc/%d/cwd", tid);
  else if (fd >= 0)
    snprintf(link, sizeof link, "/proc/%d/fd/%d", tid, fd);
  else
    return 2;
  size_t at = t->len;
  reserve(t, 4096);
  char *path = (char *)t->buf + at;
  ssize_t n = readlink(link, path, 4096);
  int deleted = 0;
  /* The kernel appends " (deleted)" to an unlinked file's path; a file may also be named so.
   * As strace: deleted when the path with the suffix is not the file the fd refers to. */
  static const char sfx[] = " (deleted)";
  const ssize_t sl = (ssize_t)sizeof sfx - 1;
  if (n > sl + 1 && n < 4096 && memcmp(path + n - sl, sfx, (size_t)sl) == 0) {
    struct stat st_fd, st_path;
    path[n] = '\0';
    if (stat(link, &st_fd) == 0 &&
        (lstat(path, &st_path) != 0 || st_fd.st_ino != st_path.st_ino || st_fd.st_dev != st_path.st_dev)) {
      n -= sl;
      deleted = 1;
    }
  }
  t->len = at + (n > 0 ? (size_t)n : 0);
  return n > 0 ? (n == 4096 ? 1 : 0) | (deleted ? 4 : 0) : 2;
}

/* CAP_RECORDS_OUT: counts the records in the first len bytes at addr, each one's u16 length at
 * offset lenoff (a zero length ends the walk, as the kernel never writes one), reading 64 KiB
 * windows. Appends the u32 count; returns the fault flag when the buffer could not be read. */
static int cap_record_count(tracer *t, int tid, uint64_t addr, uint64_t len, size_t lenoff) {
  enum { WINDOW = 64 * 1024 };
  uint32_t count = 0;
  int flags = 0;
  uint8_t *win = len ? malloc(WINDOW) : NULL;
  uint64_t at = 0, base = 0, got = 0;
  while (win && at + lenoff + 2 <= len) {
    if (at + lenoff + 2 > base + got) { /* the next length field is past the window: slide it */
      base = at;
      got = vm_read(t, tid, addr + at, win, clampsz(len - at, WINDOW));
      if (got < lenoff + 2) {
        flags = 2;
        break;
      }
    }
    uint16_t reclen;
    memcpy(&reclen, win + (at - base) + lenoff, 2);
    count++;
    if (reclen == 0) break;
    at += reclen;
  }
  if (len && !win) flags = 2;
  free(win);
  size_t off = t->len;
  reserve(t, 4);
  memcpy(t->buf + off, &count, 4);
  return flags;
}

/* An iovec array of n entries (CAP_IOV_* layout in tracer.h), data bounded by `left` bytes in
 * all (the return value of a read). Returns the capture flags. */
static int cap_iov(tracer *t, int tid, uint64_t addr, uint64_t n, uint64_t left) {
  uint32_t count = (uint32_t)clampsz(n, 1024), ncap = (uint32_t)clampsz(n, MAX_IOV);
  size_t strsize = (size_t)t->o->strsize;
  int flags = 0;
  struct {
    uint64_t base, len;
  } iov[MAX_IOV];
  size_t got = vm_read(t, tid, addr, iov, ncap * sizeof iov[0]);
  if (got < ncap * sizeof iov[0]) {
    ncap = (uint32_t)(got / sizeof iov[0]);
    flags = 2;
  }
  size_t at = t->len;
  reserve(t, 8);
  memcpy(t->buf + at, &count, 4);
  memcpy(t->buf + at + 4, &ncap, 4);
  for (uint32_t i = 0; i < ncap; i++) {
    uint64_t avail = iov[i].len < left ? iov[i].len : left;
    left -= avail;
    size_t take = clampsz(avail, strsize);
    size_t h = t->len;
    reserve(t, 20);
    memcpy(t->buf + h, &iov[i].base, 8);
    memcpy(t->buf + h + 8, &iov[i].len, 8);
    size_t d = t->len;
    reserve(t, take);
    size_t rd = vm_read(t, tid, iov[i].base, t->buf + d, take);
    t->len = d + rd;
    uint32_t word = (uint32_t)rd | (avail > take ? 0x80000000u : 0);
    memcpy(t->buf + h + 16, &word, 4);
  }
  return flags;
}

/* u32 len, then up to max bytes at addr (a fault reads as fewer bytes; the printer compares). */
static void cap_sized(tracer *t, int tid, uint64_t addr, uint64_t want, size_t max) {
  size_t at = t->len;
  reserve(t, 4);
  size_t n = clampsz(want, max), d = t->len;
  reserve(t, n);
  size_t got = addr ? vm_read(t, tid, addr, t->buf + d, n) : 0;
  t->len = d + got;
  uint32_t w = (uint32_t)got;
  memcpy(t->buf + at, &w, 4);
}

/* A struct msghdr and what it points to (CAP_MSGHDR_* layout in tracer.h). Returns the capture
 * flags, or -1 (nothing appended) when the msghdr itself is unreadable. */
static int cap_msghdr(tracer *t, int tid, uint64_t addr, uint64_t data_bound) {
  struct {
    uint64_t name;
    uint32_t namelen, pad;
    uint64_t iov, iovlen, control, controllen;
    int32_t flags, pad2;
  } m;
  size_t at = t->len;
  reserve(t, MSGHDR_SIZE);
  if (vm_read(t, tid, addr, &m, MSGHDR_SIZE) != MSGHDR_SIZE) {
    t->len = at;
    return -1;
  }
  memcpy(t->buf + at, &m, MSGHDR_SIZE);
  cap_sized(t, tid, m.name, m.namelen, 128);
  int flags = m.iov ? cap_iov(t, tid, m.iov, m.iovlen, data_bound) : 0;
  if (!m.iov) memset(reserve(t, 8), 0, 8);
  cap_sized(t, tid, m.control, m.controllen, MAX_CONTROL);
  return flags;
}

/* The netlink protocol of a tracee's socket fd (NETLINK_ROUTE = 0...), -1 when it is a netlink
 * socket of unknown protocol, -2 when it is not one. As strace: the socket's protocol name
 * (getxattr system.sockprotoname), then its inode looked up in the tracee's /proc/net/netlink. */
static int32_t netlink_protocol(int tid, int fd) {
  char path[64], name[32], link[64];
  if (fd < 0) return -2;
  snprintf(path, sizeof path, "/proc/%d/fd/%d", tid, fd);
  ssize_t n = getxattr(path, "system.sockprotoname", name, sizeof name - 1);
  if (n <= 0) return -2;
  name[n] = '\0';
  if (strcmp(name, "NETLINK") != 0) return -2;
  ssize_t l = readlink(path, link, sizeof link - 1);
  unsigned long inode;
  if (l <= 0) return -1;
  link[l] = '\0';
  if (sscanf(link, "socket:[%lu]", &inode) != 1) return -1;
  snprintf(path, sizeof path, "/proc/%d/net/netlink", tid);
  FILE *f = fopen(path, "re");
  if (!f) return -1;
  char line[256];
  int32_t proto = -1;
  /* sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode */
  while (fgets(line, sizeof line, f)) {
    unsigned long sk, ino;
    int eth;
    if (sscanf(line, "%lx %d %*s %*s %*s %*s %*s %*s %*s %lu", &sk, &eth, &ino) == 3 && ino == inode) {
      proto = eth;
      break;
    }
  }
  fclose(f);
  return proto;
}

/* CAP_NL_IN / CAP_NL_OUT (layout in tracer.h): `bound` caps the data (recv's ret). Returns the
 * capture flags: 1 when some data was past NL_MAX. */
static int cap_netlink(tracer *t, task *k, int ref, int msghdr, uint64_t bound) {
  int32_t proto = netlink_protocol(k->tid, (int)(int32_t)k->args[0]);
  memcpy(reserve(t, 4), &proto, 4);
  if (proto == -2) return 0;
  size_t room = NL_MAX;
  int flags = 0;
  if (!msghdr) {
    uint64_t len = k->args[(ref + 1) % 6] < bound ? k->args[(ref + 1) % 6] : bound;
    uint32_t total = (uint32_t)clampsz(len, UINT32_MAX);
    memcpy(reserve(t, 4), &total, 4);
    if (total > room) flags = 1;
    cap_bytes(t, k->tid, k->args[ref], clampsz(total, room));
    return flags;
  }
  struct {
    uint64_t name;
    uint32_t namelen, pad;
    uint64_t iov, iovlen, control, controllen;
    int32_t mflags, pad2;
  } m;
  struct {
    uint64_t base, len;
  } iov[MAX_IOV];
  uint32_t n = 0;
  size_t at = t->len;
  reserve(t, 4);
  if (vm_read(t, k->tid, k->args[ref], &m, MSGHDR_SIZE) == MSGHDR_SIZE && m.iov) {
    n = (uint32_t)clampsz(m.iovlen, MAX_IOV);
    n = (uint32_t)(vm_read(t, k->tid, m.iov, iov, n * sizeof iov[0]) / sizeof iov[0]);
  }
  memcpy(t->buf + at, &n, 4);
  for (uint32_t i = 0; i < n; i++) {
    uint64_t len = iov[i].len < bound ? iov[i].len : bound;
    bound -= len;
    uint32_t total = (uint32_t)clampsz(len, UINT32_MAX);
    size_t h = t->len;
    reserve(t, 8);
    size_t want = clampsz(total, room);
    if (want < total) flags = 1;
    size_t got = t->len;
    cap_bytes(t, k->tid, iov[i].base, want);
    got = t->len - got;
    room -= got;
    uint32_t caplen = (uint32_t)got;
    memcpy(t->buf + h, &total, 4);
    memcpy(t->buf + h + 4, &caplen, 4);
  }
  return flags;
}

static void capture(tracer *t, task *k, int phase, int64_t ret, uint16_t *ncap) {
  if (!t->o->capture || k->nr < 0 || k->nr >= TRACER_MAX_NR) return;
  const uint32_t *spec = t->o->capture + (size_t)k->nr * 6;
  size_t strsize = (size_t)t->o->strsize;
  for (int a = 0; a < 6; a++) {
    uint32_t s = spec[a];
    int kind = (int)(s & 0xff), rawref = (int)((s >> 8) & 0xff), ref = rawref % 6;
    size_t size = s >> 16;
    uint64_t addr = k->args[a];
    if (kind == CAP_STACK_IN) addr = k->sp + 8ull * (unsigned)rawref;
    if (kind == CAP_PTR_FIELD_OUT) {
      /* The pointer is read at exit: the struct holding it is the tracee's to change meanwhile. */
      addr = 0;
      if (phase == 1 && ret >= 0 && k->args[ref] &&
          vm_read(t, k->tid, k->args[ref] + 8ull * (size & 0xff), &addr, 8) != 8)
        addr = 0;
      size >>= 8;
    }
    /* fd 0 is not NULL, nor is an argument value 0 */
    int fd_kind = kind == CAP_FD_PATH || kind == CAP_FD_PATH_RET || kind == CAP_ARG_EXIT ||
                  kind == CAP_FD_ARRAY_PATHS || kind == CAP_NL_IN || kind == CAP_NL_OUT;
    if (kind == CAP_NONE || (addr == 0 && !fd_kind)) continue;
    int exit_kind = kind == CAP_BUF_OUT_RET || kind == CAP_STRUCT_OUT || kind == CAP_IOV_OUT ||
                    kind == CAP_ARRAY_OUT_RET || kind == CAP_ARRAY_OUT_ARG ||
                    kind == CAP_SOCKADDR_OUT || kind == CAP_BUF_OUT_ARG || kind == CAP_FD_PATH_RET ||
                    kind == CAP_BUF_OUT_LENP || kind == CAP_MMSGHDR_OUT || kind == CAP_RECORDS_OUT ||
                    kind == CAP_PATH_OUT || kind == CAP_PAGES_OUT || kind == CAP_ARG_EXIT ||
                    kind == CAP_PTR_FIELD_OUT || kind == CAP_STRUCT_OUT_ANY || kind == CAP_NL_OUT;
    if (kind == CAP_STRUCT_INOUT || kind == CAP_MSGHDR_OUT || kind == CAP_ARRAY_INOUT_ARG)
      exit_kind = phase;
    if (kind == CAP_FD_ARRAY_PATHS) exit_kind = (int)((size >> 15) & 1);
    if (exit_kind != phase) continue;
    if (phase == 1 && ret < 0 && kind != CAP_STRUCT_OUT_ANY) continue;
    size_t off = cap_begin(t, a, phase, kind);
    int flags = 0;
    switch (kind) {
      case CAP_PATH:
      case CAP_STR: {
        /* A string of exactly -s bytes is not truncated: read one more byte to see its NUL. */
        size_t max = kind == CAP_PATH ? 4096 : strsize + 1;
        reserve(t, max);
        t->len -= max;
        int trunc, fault;
        size_t n = vm_read_str(t, k->tid, addr, (char *)t->buf + t->len, max, &trunc, &fault);
        if (kind == CAP_STR && n > strsize) {
          n = strsize;
          trunc = 1;
        }
        t->len += n;
        flags = (trunc ? 1 : 0) | (fault ? 2 : 0);
        break;
      }
      case CAP_BUF_IN:
      case CAP_BUF_OUT_RET:
      case CAP_BUF_OUT_ARG: {
        uint64_t n = kind == CAP_BUF_IN || kind == CAP_BUF_OUT_ARG ? k->args[ref] : (uint64_t)ret;
        if (kind == CAP_BUF_OUT_ARG && (int64_t)n < 0) n = 0;
        flags = (n > strsize ? 1 : 0) | (cap_bytes(t, k->tid, addr, clampsz(n, strsize)) ? 2 : 0);
        break;
      }
      case CAP_STRUCT_IN:
      case CAP_STRUCT_OUT:
      case CAP_STRUCT_INOUT:
      case CAP_STACK_IN:
      case CAP_PTR_FIELD_OUT:
      case CAP_STRUCT_OUT_ANY:
        flags = cap_bytes(t, k->tid, addr, size) ? 2 : 0;
        break;
      case CAP_RAW_IN:
        flags = cap_bytes(t, k->tid, addr, clampsz(k->args[ref], size)) ? 2 : 0;
        break;
      case CAP_FD_PATH:
        flags = cap_fd_path(t, k->tid, (int)(int32_t)addr);
        break;
      case CAP_FD_PATH_RET:
        flags = cap_fd_path(t, k->tid, (int)ret);
        break;
      case CAP_FD_ARRAY_PATHS: {
        size_t stride = size & 0xff, n = (size >> 8) & 0x7f;
        if (n == 0) n = clampsz(k->args[(ref + 1) % 6], MAX_ARRAY);
        if (stride < 4 || n > MAX_ARRAY) break;
        uint8_t elems[MAX_ARRAY * 255];
        size_t got = vm_read(t, k->tid, k->args[ref], elems, n * stride) / stride;
        for (size_t i = 0; i < got; i++) {
          int32_t fd;
          memcpy(&fd, elems + i * stride, 4);
          size_t at = t->len;
          reserve(t, 8);
          memcpy(t->buf + at, &fd, 4);
          int f = cap_fd_path(t, k->tid, fd);
          uint32_t len = f & 2 ? 0 : (uint32_t)(t->len - at - 8) | (f & 4 ? 0x80000000u : 0);
          memcpy(t->buf + at + 4, &len, 4);
        }
        if (got < n) flags = 2;
        break;
      }
      case CAP_RECORDS_OUT:
        flags = cap_record_count(t, k->tid, addr, (uint64_t)ret, size);
        break;
      case CAP_PATH_OUT: {
        size_t max = clampsz((uint64_t)ret, 4096);
        reserve(t, max);
        t->len -= max;
        int trunc, fault;
        size_t n = vm_read_str(t, k->tid, addr, (char *)t->buf + t->len, max, &trunc, &fault);
        t->len += n;
        flags = (trunc ? 1 : 0) | (fault ? 2 : 0);
        break;
      }
      case CAP_PAGES_OUT: {
        uint64_t pages = k->args[ref] / 4096 + (k->args[ref] % 4096 ? 1 : 0);
        flags = (pages > strsize ? 1 : 0) | (cap_bytes(t, k->tid, addr, clampsz(pages, strsize)) ? 2 : 0);
        break;
      }
      case CAP_ARG_EXIT:
        memcpy(reserve(t, 8), &addr, 8);
        break;
      case CAP_SOCKADDR_OUT: {
        uint32_t alen = 0;
        if (vm_read(t, k->tid, k->args[ref], &alen, 4) == 4)
          flags = cap_bytes(t, k->tid, addr, clampsz(alen, size)) ? 2 : 0;
        else
          flags = 2;
        break;
      }
      case CAP_PTRLEN_IN: {
        uint64_t pair[2];
        if (vm_read(t, k->tid, addr, pair, sizeof pair) != sizeof pair) {
          flags = 2;
          break;
        }
        memcpy(reserve(t, sizeof pair), pair, sizeof pair);
        /* An unreadable sigset is not a fault of the capture: the printer sees it by the length. */
        if (pair[0] != 0) cap_bytes(t, k->tid, pair[0], clampsz(pair[1], size));
        break;
      }
      case CAP_ARRAY_IN:
      case CAP_ARRAY_INOUT_ARG:
      case CAP_ARRAY_OUT_ARG:
      case CAP_ARRAY_OUT_RET: {
        uint64_t n = kind == CAP_ARRAY_OUT_RET ? (uint64_t)ret : k->args[ref];
        flags = (n > MAX_ARRAY ? 1 : 0) | (cap_bytes(t, k->tid, addr, clampsz(n, MAX_ARRAY) * size) ? 2 : 0);
        break;
      }
      case CAP_ARGV:
      case CAP_ARGC: {
        uint64_t ptrs[MAX_ARGV];
        uint32_t count = 0, ncap = 0;
        size_t at = t->len;
        reserve(t, 8);
        for (;;) {
          uint64_t p;
          if (vm_read(t, k->tid, addr + 8ull * count, &p, 8) != 8) {
            flags = 2;
            break;
          }
          if (p == 0 || count >= 65536) break;
          if (count < MAX_ARGV) ptrs[count] = p;
          count++;
        }
        if (kind == CAP_ARGV) {
          ncap = count < MAX_ARGV ? count : MAX_ARGV;
          for (uint32_t i = 0; i < ncap; i++) cap_string_item(t, k->tid, ptrs[i], strsize);
        }
        memcpy(t->buf + at, &count, 4);
        memcpy(t->buf + at + 4, &ncap, 4);
        break;
      }
      case CAP_IOV_IN:
      case CAP_IOV_OUT:
        flags = cap_iov(t, k->tid, addr, k->args[ref], kind == CAP_IOV_OUT ? (uint64_t)ret : UINT64_MAX);
        break;
      case CAP_BUF_OUT_LENP: {
        int32_t n = 0;
        if (vm_read(t, k->tid, k->args[ref], &n, 4) != 4 || n < 0) {
          flags = 2;
          break;
        }
        flags = ((size_t)n > strsize ? 1 : 0) | (cap_bytes(t, k->tid, addr, clampsz((uint64_t)n, strsize)) ? 2 : 0);
        break;
      }
      case CAP_MSGHDR_IN:
        flags = cap_msghdr(t, k->tid, addr, UINT64_MAX) < 0 ? 2 : 0;
        break;
      case CAP_MSGHDR_OUT:
        if (phase == 0)
          flags = cap_bytes(t, k->tid, addr, MSGHDR_SIZE) ? 2 : 0;
        else
          flags = cap_msghdr(t, k->tid, addr, (uint64_t)ret) < 0 ? 2 : 0;
        break;
      case CAP_MMSGHDR_OUT: {
        /* struct mmsghdr: a msghdr and the kernel's u32 msg_len, padded to 64 bytes. */
        uint32_t n = (uint32_t)clampsz((uint64_t)ret, MAX_MMSG);
        size_t at = t->len;
        memcpy(reserve(t, 4), &n, 4);
        for (uint32_t i = 0; i < n; i++) {
          uint32_t len = 0;
          size_t item = t->len;
          if (vm_read(t, k->tid, addr + 64ull * i + MSGHDR_SIZE, &len, 4) == 4) {
            memcpy(reserve(t, 4), &len, 4);
            if (cap_msghdr(t, k->tid, addr + 64ull * i, len) >= 0) continue;
          }
          t->len = item; /* only whole entries */
          n = i;
          flags = 2;
        }
        memcpy(t->buf + at, &n, 4);
        break;
      }
      case CAP_NL_IN:
        flags = cap_netlink(t, k, ref, (int)(size & 1), UINT64_MAX);
        break;
      case CAP_NL_OUT:
        flags = cap_netlink(t, k, ref, (int)(size & 1), (uint64_t)ret);
        break;
      default:
        break;
    }
    cap_end(t, off, flags);
    (*ncap)++;
  }
}

/* ---- stops ---------------------------------------------------------------------------------- */

static int wanted(tracer *t, int nr) {
  if (!t->o->use_filter) return 1;
  if (nr < 0 || nr >= TRACER_MAX_NR) return 0;
  return (t->o->filter[nr / 8] >> (nr % 8)) & 1;
}

static void resume(tracer *t, task *k, int sig) {
  int req = (t->seccomp && !k->in_syscall) ? PTRACE_CONT : PTRACE_SYSCALL;
  ptrace(req, k->tid, 0, (void *)(uintptr_t)sig);
}

static void syscall_entry(tracer *t, task *k, int nr, const uint64_t *args, uint64_t sp, uint64_t time) {
  k->in_syscall = 1;
  k->nr = nr;
  k->sp = sp;
  k->t_enter = time;
  k->stime_enter = t->stop_stime;
  memcpy(k->args, args, sizeof k->args);
  if (k->hidden && nr == SYS_execve) k->hidden = 0;
  if (k->hidden || !wanted(t, nr) || !t->o->emit_syscalls) return;
  size_t off = rec_begin(t, REC_ENTER, k->tid, k->tgid, 0, time, 56);
  uint32_t unr = (uint32_t)nr;
  memcpy(t->buf + off + HDR, &unr, 4);
  memcpy(t->buf + off + HDR + 8, args, 48);
  uint16_t ncap = 0;
  capture(t, k, 0, 0, &ncap);
  memcpy(t->buf + off + 2, &ncap, 2);
  rec_end(t, off);
}

static void syscall_exit(tracer *t, task *k, int64_t ret, uint64_t time) {
  int unseen = !k->in_syscall;
  if (unseen) {
    errno = 0;
    long orig = ptrace(PTRACE_PEEKUSER, k->tid, (void *)offsetof(struct user_regs_struct, orig_rax), 0);
    k->nr = errno ? -1 : (int)orig;
    k->t_enter = time;
    k->stime_enter = t->stop_stime;
  }
  k->in_syscall = 0;
  int nr = k->nr;
  if (k->hidden || !wanted(t, nr)) return;
  if (t->o->count && nr >= 0 && nr < TRACER_MAX_NR) {
    counter *c = &t->counts[nr];
    c->calls++;
    if (ret < 0 && ret >= -4095) c->errors++;
    c->ns += time - k->t_enter;
    if (t->stop_stime > k->stime_enter) c->sys_ns += t->stop_stime - k->stime_enter;
  }
  if (!t->o->emit_syscalls) return;
  size_t off = rec_begin(t, REC_EXIT, k->tid, k->tgid, 0, time, 16);
  t->buf[off + 1] = (uint8_t)unseen;
  uint32_t unr = (uint32_t)nr;
  memcpy(t->buf + off + HDR, &unr, 4);
  memcpy(t->buf + off + HDR + 8, &ret, 8);
  uint16_t ncap = 0;
  if (!unseen) capture(t, k, 1, ret, &ncap);
  memcpy(t->buf + off + 2, &ncap, 2);
  rec_end(t, off);
}

static void syscall_stop(tracer *t, task *k, uint64_t time) {
  struct __ptrace_syscall_info info;
  memset(&info, 0, sizeof info);
  if (ptrace(PTRACE_GET_SYSCALL_INFO, k->tid, (void *)sizeof info, &info) <= 0) return;
  if (info.op == PTRACE_SYSCALL_INFO_ENTRY) {
    syscall_entry(t, k, (int)info.entry.nr, (const uint64_t *)info.entry.args, info.stack_pointer, time);
  } else if (info.op == PTRACE_SYSCALL_INFO_SECCOMP) {
    syscall_entry(t, k, (int)info.seccomp.nr, (const uint64_t *)info.seccomp.args, info.stack_pointer, time);
  } else if (info.op == PTRACE_SYSCALL_INFO_EXIT) {
    syscall_exit(t, k, info.exit.rval, time);
  }
}

/* A signal record carries the first 48 bytes of the siginfo_t as the kernel gave it (si_signo,
 * si_errno, si_code, then the union up to SIGCHLD's si_stime): which union fields mean something
 * depends on the signal and si_code, which the printer (src/trace/decode/printers/signal.ts,
 * strace's printsiginfo) decides. */
#define SIGINFO_BYTES 48
static void emit_signal(tracer *t, task *k, int sig, uint64_t time) {
  siginfo_t si;
  memset(&si, 0, sizeof si);
  ptrace(PTRACE_GETSIGINFO, k->tid, 0, &si);
  size_t off = rec_begin(t, REC_SIGNAL, k->tid, k->tgid, sig, time, SIGINFO_BYTES);
  memcpy(t->buf + off + HDR, &si, SIGINFO_BYTES);
  rec_end(t, off);
}

static int is_stop_signal(int sig) {
  return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

/* The first size-1 bytes of /proc/TID/status, NUL-terminated; 0 when the task is gone. */
static int read_status(int tid, char *buf, size_t size) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/status", tid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  ssize_t n = read(fd, buf, size - 1);
  close(fd);
  if (n <= 0) return 0;
  buf[n] = 0;
  return 1;
}

/* The Tgid: line of /proc/TID/status; 0 when the task is gone. */
static int read_tgid(int tid) {
  char buf[1024];
  if (!read_status(tid, buf, sizeof buf)) return 0;
  char *p = strstr(buf, "\nTgid:");
  return p ? atoi(p + 6) : 0;
}

/* Whether signal sig is pending for tid (SigPnd: the thread's, ShdPnd: its process's). */
static int signal_pending(int tid, int sig) {
  char buf[2048];
  if (!read_status(tid, buf, sizeof buf)) return 0;
  uint64_t bit = 1ull << (sig - 1);
  for (const char *key = "\nSigPnd:"; key; key = strcmp(key, "\nSigPnd:") == 0 ? "\nShdPnd:" : NULL) {
    char *p = strstr(buf, key);
    if (p && (strtoull(p + strlen(key), NULL, 16) & bit)) return 1;
  }
  return 0;
}

/* A stop of a task being detached: let it go, re-delivering the signal it was stopped for. */
static void detach_at_stop(tracer *t, task *k, int status) {
  int sig = WSTOPSIG(status), event = (unsigned)status >> 16, deliver = 0;
  if (sig != (SIGTRAP | 0x80) && event == 0) deliver = sig; /* signal-delivery-stop */
  ptrace(PTRACE_DETACH, k->tid, 0, (void *)(uintptr_t)deliver);
  emit_simple(t, REC_DETACHED, k->tid, k->tgid, 0, 0);
  task_del(t, k);
}

static void detach_everything(tracer *t) {
  t->detach_all = 1;
  for (int i = 0; i < TASK_SLOTS; i++) {
    task *k = &t->tasks[i];
    if (k->tid <= 0 || k->detaching) continue;
    k->detaching = 1;
    ptrace(PTRACE_INTERRUPT, k->tid, 0, 0);
  }
}

static void kill_everything(tracer *t) {
  t->kill_all = 1; /* and the tasks still being born */
  for (int i = 0; i < TASK_SLOTS; i++)
    if (t->tasks[i].tid > 0) kill(t->tasks[i].tid, SIGKILL);
}

/* Did a tracee get signal sig itself (the terminal sends Ctrl-C to the whole foreground process
 * group, oslens and the command alike)? Then it is the command's to handle, exactly as without
 * oslens, and the trace goes on to show what it does. Node hands the signal to JS some time
 * after the kernel sent it, so: pending now, or delivered in the last two seconds. */
static int tracee_got_signal(tracer *t, int sig) {
  if (t->last_signal_ns[sig] && mono_ns() - t->last_signal_ns[sig] < 2000000000ull) return 1;
  for (int i = 0; i < TASK_SLOTS; i++)
    if (t->tasks[i].tid > 0 && signal_pending(t->tasks[i].tid, sig)) return 1;
  return 0;
}

static void handle(tracer *t, int pid, int status, tracer_result *res);

/*
 * waitpid for the next stop. With -c, wait4's rusage gives the task's system time at the stop,
 * as strace reads it: the kernel reports getrusage(RUSAGE_BOTH) of the stopped task's process
 * (all its threads, and the children it reaped), so a wait4 is charged its children's time,
 * exactly as in strace -c.
 */
static int wait_stop(tracer *t, int *status, int flags) {
  if (!t->o->count) return waitpid(-1, status, __WALL | __WNOTHREAD | flags);
  struct rusage ru;
  int pid = wait4(-1, status, __WALL | __WNOTHREAD | flags, &ru);
  if (pid > 0) t->stop_stime = (uint64_t)ru.ru_stime.tv_sec * 1000000000ull + (uint64_t)ru.ru_stime.tv_usec * 1000ull;
  return pid;
}

static void handle_stop_request(tracer *t, tracer_result *res) {
  t->handled_seq = atomic_load(&g_req_seq);
  int how = atomic_load(&g_req_how), sig = atomic_load(&g_req_sig);
  if (how == 1) {
    detach_everything(t);
  } else if (how == 2) {
    if (t->spawned) kill_everything(t);
    else detach_everything(t);
  } else if (how == 3 && sig > 0 && sig < 65) {
    /* Take in the stops already waiting first: the tracee's own delivery of sig may be there. */
    int status, pid;
    while ((pid = wait_stop(t, &status, WNOHANG)) > 0) handle(t, pid, status, res);
    if (tracee_got_signal(t, sig)) return;
    if (!t->spawned) {
      detach_everything(t);
    } else if (t->forwarded) {
      kill_everything(t); /* a second signal while the filter keeps us from detaching */
    } else {
      /* strace's cleanup(): the spawned command gets the signal (woken first if stopped), then
       * every tracee is detached. A seccomp filter cannot be left behind (its RET_TRACE calls
       * would fail with ENOSYS once nobody traces), so then the trace goes on to the end. */
      task *root = task_find(t, t->spawned_pid);
      if (root && root->group_stopped) kill(t->spawned_pid, SIGCONT);
      kill(t->spawned_pid, sig);
      if (t->seccomp) {
        t->forwarded = 1;
      } else {
        res->detached_on_signal = sig;
        detach_everything(t);
      }
    }
  }
}

static void new_task(tracer *t, int tid, int tgid) {
  task *k = task_add(t, tid);
  if (!k) return;
  if (!k->tgid) k->tgid = tgid ? tgid : read_tgid(tid);
  if (t->detach_all) k->detaching = 1;
  if (t->kill_all) kill(tid, SIGKILL);
}

/* The spawned command's seccomp filter can fail to install (no CAP_SYS_ADMIN and no_new_privs
 * refused): then nothing would stop, so filter in the tracer instead. */
static void check_seccomp(tracer *t, int pid, tracer_result *res) {
  char path[64], buf[2048];
  snprintf(path, sizeof path, "/proc/%d/status", pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return;
  buf[n] = 0;
  char *p = strstr(buf, "\nSeccomp:");
  if (p && atoi(p + 9) != 2) {
    t->seccomp = 0;
    res->seccomp = 0;
    emit_message(t, pid, 0, "the seccomp filter could not be installed; filtering in the tracer");
  }
}

/* The argv the new program got, as the kernel laid it out (/proc/PID/cmdline), after the header. */
static void append_cmdline(tracer *t, int pid) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/cmdline", pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  for (;;) {
    size_t at = t->len;
    reserve(t, 65536);
    ssize_t n = read(fd, t->buf + at, 65536);
    t->len = at + (n > 0 ? (size_t)n : 0);
    if (n <= 0) break;
  }
  close(fd);
}

static void handle(tracer *t, int pid, int status, tracer_result *res) {
  task *k = task_find(t, pid);
  if (WIFEXITED(status) || WIFSIGNALED(status)) {
    int tgid = k ? k->tgid : 0;
    if (WIFEXITED(status))
      emit_simple(t, REC_EXITED, pid, tgid, WEXITSTATUS(status), 0);
    else
      emit_simple(t, REC_KILLED, pid, tgid, WTERMSIG(status), WCOREDUMP(status) ? 1 : 0);
    if (pid == res->spawned_pid) res->status = status;
    if (k) task_del(t, k);
    return;
  }
  if (!WIFSTOPPED(status)) return;
  if (!k) {
    /* A new task can stop before its parent reports the fork event. */
    new_task(t, pid, 0);
    k = task_find(t, pid);
    if (!k) return;
  }
  uint64_t time = now_ns();
  int sig = WSTOPSIG(status), event = (unsigned)status >> 16;
  if (k->detaching) {
    detach_at_stop(t, k, status);
    return;
  }
  k->group_stopped = 0;
  if (sig == (SIGTRAP | 0x80)) {
    syscall_stop(t, k, time);
    resume(t, k, 0);
    return;
  }
  switch (event) {
    case PTRACE_EVENT_STOP:
      if (is_stop_signal(sig)) {
        if (!k->hidden) emit_simple(t, REC_GROUPSTOP, pid, k->tgid, sig, 0);
        k->group_stopped = 1;
        ptrace(PTRACE_LISTEN, pid, 0, 0);
      } else {
        resume(t, k, 0);
      }
      return;
    case PTRACE_EVENT_SECCOMP:
      syscall_stop(t, k, time);
      ptrace(PTRACE_SYSCALL, pid, 0, 0);
      return;
    case PTRACE_EVENT_FORK:
    case PTRACE_EVENT_VFORK:
    case PTRACE_EVENT_CLONE: {
      unsigned long child = 0;
      ptrace(PTRACE_GETEVENTMSG, pid, 0, &child);
      if (child) {
        /* fork and vfork make a process; clone a thread or (without CLONE_THREAD) a process. */
        int tgid = event == PTRACE_EVENT_CLONE ? read_tgid((int)child) : (int)child;
        new_task(t, (int)child, tgid ? tgid : k->tgid);
        task *c = task_find(t, (int)child);
        int kind = event == PTRACE_EVENT_FORK ? 1 : event == PTRACE_EVENT_VFORK ? 2 : 3;
        size_t off = rec_begin(t, REC_NEWTASK, (int)child, c ? c->tgid : 0, pid, time, 0);
        t->buf[off + 1] = (uint8_t)kind;
        rec_end(t, off);
      }
      resume(t, k, 0);
      return;
    }
    case PTRACE_EVENT_EXEC: {
      unsigned long former = 0;
      ptrace(PTRACE_GETEVENTMSG, pid, 0, &former);
      if ((int)former != pid) {
        /* A non-leader thread exec'd: it now has the leader's tid and its old tid is gone. */
        task *old = task_find(t, (int)former);
        if (old) {
          k->in_syscall = old->in_syscall;
          k->nr = old->nr;
          k->t_enter = old->t_enter;
          memcpy(k->args, old->args, sizeof k->args);
          task_del(t, old);
        }
      }
      if (t->seccomp && !t->seccomp_checked && pid == t->spawned_pid) {
        t->seccomp_checked = 1;
        check_seccomp(t, pid, res);
      }
      k->hidden = 0;
      size_t off = rec_begin(t, REC_EXEC, pid, k->tgid, (int)former, time, 0);
      if (t->o->emit_syscalls) append_cmdline(t, pid);
      rec_end(t, off);
      resume(t, k, 0);
      return;
    }
    default:
      if (event) {
        resume(t, k, 0);
        return;
      }
  }
  /* signal-delivery-stop: report, then deliver the signal. */
  if (sig > 0 && sig < 65) t->last_signal_ns[sig] = mono_ns();
  if (!k->hidden) emit_signal(t, k, sig, time);
  resume(t, k, sig);
}

/* ---- start: spawn or attach ----------------------------------------------------------------- */

static struct sock_fprog build_filter(const tracer_opts *o) {
  size_t cap = 8 + 3 * TRACER_MAX_NR, n = 0;
  struct sock_filter *f = calloc(cap, sizeof *f);
#define OP(code, k_, jt_, jf_) f[n++] = (struct sock_filter){(code), (jt_), (jf_), (k_)}
  OP(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch), 0, 0);
  OP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0);
  OP(BPF_RET | BPF_K, SECCOMP_RET_ALLOW, 0, 0);
  OP(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr), 0, 0);
  for (int lo = 0; lo < TRACER_MAX_NR; lo++) {
    if (!((o->filter[lo / 8] >> (lo % 8)) & 1)) continue;
    int hi = lo;
    while (hi + 1 < TRACER_MAX_NR && ((o->filter[(hi + 1) / 8] >> ((hi + 1) % 8)) & 1)) hi++;
    if (lo == hi) {
      OP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)lo, 0, 1);
    } else {
      OP(BPF_JMP | BPF_JGE | BPF_K, (unsigned)lo, 0, 2);
      OP(BPF_JMP | BPF_JGT | BPF_K, (unsigned)hi, 1, 0);
    }
    OP(BPF_RET | BPF_K, SECCOMP_RET_TRACE, 0, 0);
    lo = hi;
  }
  OP(BPF_RET | BPF_K, SECCOMP_RET_ALLOW, 0, 0);
#undef OP
  struct sock_fprog prog = {(unsigned short)n, f};
  return prog;
}

/* In the child, between fork and exec: async-signal-safe calls only. */

/* "/proc/self/fd/N" without snprintf. */
static void fd_path(char *buf, int fd) {
  static const char prefix[] = "/proc/self/fd/";
  memcpy(buf, prefix, sizeof prefix - 1);
  char *p = buf + sizeof prefix - 1;
  char digits[12];
  int n = 0;
  do digits[n++] = (char)('0' + fd % 10);
  while ((fd /= 10) > 0);
  while (n > 0) *p++ = digits[--n];
  *p = 0;
}

/* Gives fd (0-2) the O_NONBLOCK state the caller gave oslens. Node sets O_NONBLOCK when it uses
 * its stdio, and the flag belongs to the open file description:
 * - a terminal: libuv opened the tty again for Node alone (so as not to change it under other
 *   processes) and set the flag there. The child has the caller's own description back when
 *   bin/oslens kept a copy (saved_stdio); else it opens the tty again (/proc/self/fd/N): a new
 *   description much like the shell's (O_LARGEFILE may differ), without touching Node's.
 * - a pipe, a socket, anything else: Node's is the caller's own description, shared with the
 *   child. It gets its flags back in place (the child sees that very description, flags and
 *   all); Node's writes to it then block, which Node copes with, and it puts its start-up
 *   flags back when it exits anyway. (Opening a pipe again would show O_LARGEFILE.) */
static void give_stdio_flags(int fd, int want_nonblock) {
  int fl = fcntl(fd, F_GETFL);
  if (fl < 0 || !!(fl & O_NONBLOCK) == !!want_nonblock) return;
  int wanted_fl = want_nonblock ? fl | O_NONBLOCK : fl & ~O_NONBLOCK;
  struct stat st;
  /* Not a pty master: opening /dev/ptmx again would make a new terminal. */
  if (fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) && isatty(fd) && st.st_rdev != makedev(5, 2)) {
    char path[32];
    fd_path(path, fd);
    int fresh = open(path, (fl & (O_ACCMODE | O_APPEND)) | O_NOCTTY | O_CLOEXEC | (wanted_fl & O_NONBLOCK));
    if (fresh >= 0 && dup2(fresh, fd) == fd) {
      close(fresh);
      return;
    }
    if (fresh >= 0) close(fresh);
  }
  fcntl(fd, F_SETFL, wanted_fl);
}

static void child_exec(const tracer_opts *o, struct sock_fprog *prog) {
  /* Signals: the caller's ignored set and mask (Node resets ignored ones to SIG_DFL at start-up
   * and ignores SIGPIPE itself). Handlers are reset by execve anyway. */
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  for (int s = 1; s < 65; s++) {
    if (s == SIGKILL || s == SIGSTOP) continue;
    sa.sa_handler = (o->sig_ignored >> (s - 1)) & 1 ? SIG_IGN : SIG_DFL;
    sigaction(s, &sa, NULL); /* fails for glibc's own 32 and 33: they are left as they are */
  }
  sigset_t mask;
  sigemptyset(&mask);
  for (int s = 1; s < 65; s++)
    if ((o->sig_blocked >> (s - 1)) & 1) sigaddset(&mask, s);
  sigprocmask(SIG_SETMASK, &mask, NULL);
  /* Descriptors: Node marked every inherited one close-on-exec, and opened /dev/null on 0-2
   * when the caller had them closed. Give the command exactly the caller's set. */
  for (int fd = 0; fd < 3; fd++)
    if (o->saved_stdio[fd] > 2 && dup2(o->saved_stdio[fd], fd) == fd) close(o->saved_stdio[fd]);
  if (o->keep_fds) {
    for (int fd = 0; fd < 3; fd++) {
      int kept = 0;
      for (int i = 0; i < o->nkeep_fds; i++) kept |= o->keep_fds[i] == fd;
      if (!kept) close(fd);
    }
    for (int i = 0; i < o->nkeep_fds; i++) fcntl(o->keep_fds[i], F_SETFD, 0);
  } else {
    for (int fd = 0; fd < 3; fd++) fcntl(fd, F_SETFD, 0);
  }
  for (int fd = 0; fd < 3; fd++) give_stdio_flags(fd, o->stdio_nonblock[fd] > 0);
  raise(SIGSTOP); /* the tracer seizes us now, then sends SIGCONT */
  if (prog) {
    /* With CAP_SYS_ADMIN (root) a filter needs nothing else. Without, it needs no_new_privs, as
     * strace --seccomp-bpf always sets: an unprivileged tracer's tracee gains no privileges on
     * exec anyway (setuid bits are ignored under ptrace), but the flag stays after a detach. */
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, prog) < 0) {
      prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
      syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, prog);
    }
  }
  execve(o->path, o->argv, o->envp);
  int err = errno;
  static const char msg[] = "oslens: exec failed: ";
  (void)!write(2, msg, sizeof msg - 1);
  const char *s = strerror(err);
  (void)!write(2, s, strlen(s));
  (void)!write(2, "\n", 1);
  _exit(127);
}

static long base_options(const tracer_opts *o) {
  long opts = PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEEXEC;
  if (o->follow) opts |= PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE;
  return opts;
}

static int spawn(tracer *t, tracer_result *res) {
  const tracer_opts *o = t->o;
  /* seccomp-bpf only when following: see the notes at the top. */
  int use_seccomp = o->use_filter && o->follow;
  struct sock_fprog prog = {0, NULL};
  if (use_seccomp) prog = build_filter(o);
  pid_t pid = fork();
  if (pid < 0) {
    snprintf(res->err, sizeof res->err, "fork: %s", strerror(errno));
    free(prog.filter);
    return -1;
  }
  if (pid == 0) child_exec(o, use_seccomp ? &prog : NULL);
  free(prog.filter);
  int st;
  if (waitpid(pid, &st, WSTOPPED | __WNOTHREAD) < 0 || !WIFSTOPPED(st)) {
    snprintf(res->err, sizeof res->err, "the child did not stop for the tracer");
    kill(pid, SIGKILL);
    return -1;
  }
  /* EXITKILL for a command oslens started: it ends with oslens, like every command oslens runs
   * (bench helpers, time, watch, the eBPF tools), and a tracee left with the seccomp filter and no
   * tracer would get ENOSYS for every filtered call. strace leaves it running unless
   * --kill-on-exit; attached processes (-p) are never killed. */
  long opts = base_options(o) | PTRACE_O_EXITKILL | (use_seccomp ? PTRACE_O_TRACESECCOMP : 0);
  if (ptrace(PTRACE_SEIZE, pid, 0, (void *)opts) < 0) {
    snprintf(res->err, sizeof res->err, "PTRACE_SEIZE: %s", strerror(errno));
    kill(pid, SIGKILL);
    return -1;
  }
  t->seccomp = use_seccomp;
  res->seccomp = use_seccomp;
  res->spawned_pid = pid;
  t->spawned = 1;
  t->spawned_pid = pid;
  task *k = task_add(t, pid);
  k->hidden = 1;
  k->tgid = pid;
  kill(pid, SIGCONT);
  return 0;
}

/* Without follow, strace -p attaches the one thread named (a tid): not its siblings. */
static int attach_thread(tracer *t, int tid, tracer_result *res) {
  if (task_find(t, tid)) return 0;
  if (ptrace(PTRACE_SEIZE, tid, 0, (void *)base_options(t->o)) < 0) {
    snprintf(res->err, sizeof res->err, "attach: ptrace(PTRACE_SEIZE, %d): %s", tid, strerror(errno));
    return -1;
  }
  task *k = task_add(t, tid);
  k->tgid = read_tgid(tid);
  ptrace(PTRACE_INTERRUPT, tid, 0, 0);
  emit_simple(t, REC_ATTACHED, tid, k->tgid, tid, 0);
  return 0;
}

/* With follow: every thread of the process, as strace -f -p does. */
static int attach_process(tracer *t, int pid, tracer_result *res) {
  long opts = base_options(t->o);
  char path[64];
  int added = 1, attached = 0, tgid = read_tgid(pid);
  /* Threads can be created while we attach: rescan until a pass finds nothing new. */
  while (added) {
    added = 0;
    snprintf(path, sizeof path, "/proc/%d/task", pid);
    DIR *d = opendir(path);
    if (!d) {
      if (attached) break;
      snprintf(res->err, sizeof res->err, "attach %d: %s", pid, strerror(errno));
      return -1;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
      int tid = atoi(e->d_name);
      if (tid <= 0 || task_find(t, tid)) continue;
      if (ptrace(PTRACE_SEIZE, tid, 0, (void *)opts) < 0) {
        int err = errno;
        if (err == ESRCH) continue;
        if (!attached) {
          closedir(d);
          snprintf(res->err, sizeof res->err, "attach: ptrace(PTRACE_SEIZE, %d): %s", tid, strerror(err));
          return -1;
        }
        emit_message(t, tid, err, "cannot attach to a thread");
        continue;
      }
      task *k = task_add(t, tid);
      k->tgid = tgid ? tgid : pid;
      ptrace(PTRACE_INTERRUPT, tid, 0, 0);
      emit_simple(t, REC_ATTACHED, tid, k->tgid, pid, 0);
      attached++;
      added = 1;
    }
    closedir(d);
  }
  return 0;
}

int tracer_run(const tracer_opts *o, tracer_emit_fn emit, void *ctx, tracer_result *res) {
  memset(res, 0, sizeof *res);
  res->status = -1;
  tracer *t = calloc(1, sizeof *t);
  t->o = o;
  t->emit = emit;
  t->ctx = ctx;
  t->cap = 64 * 1024;
  t->buf = malloc(t->cap);
  t->tasks = calloc(TASK_SLOTS, sizeof(task));
  t->vm_readv_ok = 1;

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = wake_handler; /* no SA_RESTART: the signal interrupts waitpid */
  sigaction(WAKE_SIGNAL, &sa, NULL);
  sigset_t wake;
  sigemptyset(&wake);
  sigaddset(&wake, WAKE_SIGNAL);
  pthread_sigmask(SIG_UNBLOCK, &wake, NULL);
  t->handled_seq = atomic_load(&g_req_seq);
  g_thread = pthread_self();
  atomic_store(&g_running, 1);

  int rc = 0;
  if (o->path) {
    rc = spawn(t, res);
  } else {
    for (int i = 0; i < o->npids && rc == 0; i++)
      rc = o->follow ? attach_process(t, o->pids[i], res) : attach_thread(t, o->pids[i], res);
    if (rc != 0) {
      /* Leave nothing half-attached. */
      for (int i = 0; i < TASK_SLOTS; i++)
        if (t->tasks[i].tid > 0) t->tasks[i].detaching = 1;
      t->detach_all = 1;
    }
  }

  while (t->ntasks > 0) {
    if (atomic_load(&g_req_seq) != t->handled_seq) {
      handle_stop_request(t, res);
      continue; /* it may have taken in every stop there was */
    }
    int status;
    int pid = wait_stop(t, &status, WNOHANG);
    if (pid == 0 && o->spin_us > 0) {
      uint64_t until = mono_ns() + (uint64_t)o->spin_us * 1000;
      while (pid == 0 && mono_ns() < until) pid = wait_stop(t, &status, WNOHANG);
    }
    if (pid == 0) {
      flush(t);
      if (atomic_load(&g_req_seq) != t->handled_seq) continue;
      pid = wait_stop(t, &status, 0);
    }
    if (pid < 0) {
      if (errno == EINTR) continue;
      break; /* ECHILD: nothing left */
    }
    handle(t, pid, status, res);
  }

  if (o->count) {
    int n = 0;
    for (int i = 0; i < TRACER_MAX_NR; i++) n += t->counts[i].calls > 0;
    size_t off = rec_begin(t, REC_COUNTS, 0, 0, n, now_ns(), (size_t)n * 40);
    uint8_t *p = t->buf + off + HDR;
    for (int i = 0; i < TRACER_MAX_NR; i++) {
      if (!t->counts[i].calls) continue;
      uint32_t nr = (uint32_t)i;
      memcpy(p, &nr, 4);
      memcpy(p + 8, &t->counts[i], 32);
      p += 40;
    }
    rec_end(t, off);
  }
  flush(t);
  free(t->buf);
  atomic_store(&g_running, 0);
  free(t->tasks);
  free(t);
  return rc;
}
