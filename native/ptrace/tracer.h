/*
 * The ptrace tracer engine. One call, tracer_run(), drives every tracee from the calling thread
 * (ptrace requests must come from the thread that attached) until all of them are gone, and
 * hands events to the caller in batches of compact binary records (layout below; the decoder
 * is src/trace/records.ts). Capture specs (what to read from tracee memory for each syscall
 * argument) come from the caller, so the engine knows nothing about syscall semantics.
 */
#ifndef OSLENS_TRACER_H
#define OSLENS_TRACER_H

#include <stddef.h>
#include <stdint.h>

#define TRACER_MAX_NR 512
#define TRACER_ERR_LEN 256

/* Record types. Every record starts with a 32-byte header:
 *   u8 type, u8 flags, u16 ncap, u32 size (whole record), i32 tid, i32 aux, u64 time_ns (realtime),
 *   i32 tgid (the thread group of tid; 0 when unknown), u32 pad */
enum {
  REC_ENTER = 1,     /* u32 nr, u32 pad, u64 args[6], then ncap captures */
  REC_EXIT = 2,      /* u32 nr, u32 pad, i64 ret, then ncap captures; flags&1: entry was not seen */
  REC_EXEC = 3,      /* aux = former tid; then the new program's argv, exactly (/proc/PID/cmdline) */
  REC_EXITED = 4,    /* aux = exit code */
  REC_KILLED = 5,    /* aux = signal; flags&1: core dumped */
  REC_SIGNAL = 6,    /* aux = signo; i32 code, i32 errno, i32 pid, u32 uid, i32 status, u32 pad, u64 addr,
                        u64 utime, u64 stime (SIGCHLD: clock ticks) */
  REC_NEWTASK = 7,   /* aux = parent tid; flags = 1 fork, 2 vfork, 3 clone */
  REC_GROUPSTOP = 8, /* aux = stop signal */
  REC_ATTACHED = 9,
  REC_DETACHED = 10,
  REC_MESSAGE = 11,  /* aux = errno; then text */
  REC_COUNTS = 12,   /* aux = n; then n * {u32 nr, u32 pad, u64 calls, u64 errors, u64 ns, u64 sys_ns}:
                        ns wall time in the calls, sys_ns system CPU time (strace -c's default) */
};

/* A capture: u8 arg, u8 phase (0 entry, 1 exit), u8 kind, u8 flags (1 truncated, 2 fault,
 * 4 CAP_FD_PATH*: an unlinked file, its " (deleted)" suffix removed),
 * u32 len, then len bytes. Capture specs: one u32 per (nr, arg) = kind | argref << 8 | size << 16. */
enum {
  CAP_NONE = 0,
  CAP_PATH = 1,          /* entry: NUL-terminated string, up to 4096 */
  CAP_STR = 2,           /* entry: NUL-terminated string, up to strsize */
  CAP_BUF_IN = 3,        /* entry: min(arg[argref], strsize) bytes */
  CAP_BUF_OUT_RET = 4,   /* exit: min(ret, strsize) bytes */
  CAP_STRUCT_IN = 5,     /* entry: size bytes */
  CAP_STRUCT_OUT = 6,    /* exit (ret >= 0): size bytes */
  CAP_ARGV = 7,          /* entry: string array: u32 count, u32 ncap, ncap * {u32 len|trunc<<31, bytes} */
  CAP_IOV_IN = 8,        /* entry: iovec array of arg[argref] entries: u32 n, u32 ncap, ncap * {u64 base, u64 len, u32 caplen|trunc<<31, bytes} */
  CAP_IOV_OUT = 9,       /* exit: same, data bounded by ret */
  CAP_ARRAY_IN = 10,     /* entry: arg[argref] elements of size bytes (at most 64) */
  CAP_ARRAY_OUT_RET = 11,/* exit: ret elements of size bytes (at most 64) */
  CAP_ARRAY_OUT_ARG = 12,/* exit: arg[argref] elements of size bytes (at most 64) */
  CAP_RAW_IN = 13,       /* entry: min(arg[argref], size) bytes */
  CAP_SOCKADDR_OUT = 14, /* exit: *(u32 *)arg[argref] (at most size) bytes */
  CAP_STRUCT_INOUT = 15, /* entry and exit: size bytes */
  CAP_ARGC = 16,         /* entry: u32 count of a NULL-terminated pointer array */
  CAP_BUF_OUT_ARG = 17,  /* exit (ret >= 0): min(arg[argref], strsize) bytes */
  CAP_FD_PATH = 18,      /* entry: readlink /proc/TID/fd/(int)arg (/proc/TID/cwd for AT_FDCWD), up to
                            4096; fault when it has no path. For -y: read at the stop, while the fd
                            is still the one the call names (close drops it, the tracee reuses it) */
  CAP_FD_PATH_RET = 19,  /* exit (ret >= 0): the same for the fd the call returned; the spec sits in
                            an argument slot the syscall does not use */
  CAP_RECORDS_OUT = 21,  /* exit (ret >= 0): u32 count of the variable-length records in the first
                            ret bytes (getdents: each record's u16 length at offset size) */
  CAP_PATH_OUT = 22,     /* exit (ret >= 0): NUL-terminated string of at most min(ret, 4096) bytes,
                            whatever -s says (getcwd); truncated when no NUL within ret bytes */
  CAP_PAGES_OUT = 23,    /* exit (ret >= 0): one byte per page of arg[argref] bytes (mincore's vector),
                            at most strsize; truncated when there are more */
  /* 24, 32: free */
  CAP_ARG_EXIT = 25,     /* exit (ret >= 0): the argument's own register value, 8 bytes. Return
                            printers see only the exit's captures; this hands them the argument
                            that gives the return its meaning (fcntl's cmd: F_GETFL's flags) */
  CAP_ARRAY_INOUT_ARG = 26, /* entry and exit: arg[argref] elements of size bytes (at most 64): an
                               array the kernel updates in place (poll's fds: events in, revents out) */
  CAP_PTRLEN_IN = 27,    /* entry: {u64 addr, u64 len} at the argument, then min(len, size) bytes at
                            addr (pselect6's sigmask argument); fault only when the pair is unreadable */
  CAP_FD_ARRAY_PATHS = 28, /* for -y, in a slot the syscall does not use: the fds of the array at
                              arg[argref] (the int at the start of each element) and their paths,
                              n * {i32 fd, u32 len | deleted << 31, len bytes} (len 0: no path). size: bits 0-7 the
                              element's size, 8-14 the count (0: arg[argref + 1]), bit 15 set: read
                              at exit (pipe's new fds), else at entry (poll's fds) */
  /* 29-32: dec-proc's kinds. Neither reads at the slot's own register, so both may sit in an
   * argument slot the syscall does not use. */
  CAP_STACK_IN = 29,     /* entry: size bytes at the stack pointer + 8 * argref (argref not an
                            argument: 0-255). rt_sigreturn's signal frame (its saved mask) */
  CAP_PTR_FIELD_OUT = 30,/* exit (ret >= 0): the u64 at arg[argref] + 8 * (size & 0xff) is a
                            pointer; (size >> 8) bytes are read there. clone3's *pidfd, *parent_tid */
  CAP_STRUCT_OUT_ANY = 31, /* exit, also when the call failed: size bytes. nanosleep's remaining
                              time, written when a signal interrupts it (-ERESTART_RESTARTBLOCK) */
  CAP_BUF_OUT_LENP = 33, /* exit (ret >= 0): min(*(int *)arg[argref], strsize) bytes (getsockopt) */
  CAP_MSGHDR_IN = 34,    /* entry: a struct msghdr walked: its 56 bytes; u32 n + msg_name bytes (at
                            most 128); msg_iov as CAP_IOV_IN; u32 n + msg_control bytes (at most
                            4096). A short read of the pointed-to memory gives fewer bytes */
  CAP_MSGHDR_OUT = 35,   /* entry: the 56 bytes (msg_namelen in); exit (ret >= 0): walked as
                            CAP_MSGHDR_IN, iov data bounded by ret (recvmsg) */
  CAP_MMSGHDR_OUT = 36,  /* exit (ret >= 0): u32 n = min(ret, 16), then n * {u32 msg_len, the
                            msghdr walked with iov data bounded by msg_len} (sendmmsg, recvmmsg) */
  /* 37-40: netlink's kinds. Both sit in a slot of an argument that has no capture of its own
   * (sendto's len, sendmsg's flags): they read through arg[argref] and the fd in arg[0]. */
  CAP_NL_IN = 37,        /* entry: the netlink view of the data sent: i32 protocol of the socket fd
                            arg[0] (-2 not a netlink socket: nothing follows; -1 protocol unknown),
                            then size 0: the buffer at arg[argref] of arg[argref + 1] bytes as
                            {u32 len, min(len, 128 KiB) bytes}; size 1: the msghdr at arg[argref],
                            u32 n iovecs, n * {u32 len, u32 caplen, caplen bytes}. Read at the
                            stop, while the fd is still the one the call names */
  CAP_NL_OUT = 38,       /* exit (ret >= 0): the same for the data received, bounded by ret
                            (recvfrom: min(ret, arg[argref + 1])) */
};

typedef void (*tracer_emit_fn)(void *ctx, uint8_t *batch, size_t len); /* takes ownership (free()) */

typedef struct {
  const char *path;         /* spawn: resolved executable; NULL to attach */
  char *const *argv;
  char *const *envp;
  const int *pids;          /* attach: tids (with follow: all threads of each one's process) */
  int npids;
  int follow;               /* -f: follow forks, vforks and clones */
  int strsize;              /* -s */
  int emit_syscalls;        /* send syscall records (not with plain -c) */
  int count;                /* keep per-syscall counts in native (-c/-C) */
  int use_filter;
  uint8_t filter[TRACER_MAX_NR / 8]; /* wanted syscall numbers */
  const uint32_t *capture;  /* TRACER_MAX_NR * 6 specs, or NULL */
  int spin_us;              /* busy-poll for this long before blocking in waitpid */
  /* Spawn: what the caller of oslens gave it, for the command to get the same (Node changes them
   * in its own process at start-up; bin/oslens records them before). */
  const int *keep_fds;      /* descriptors to inherit; NULL = unknown: just 0, 1 and 2 */
  int nkeep_fds;
  int stdio_nonblock[3];    /* O_NONBLOCK of fds 0-2 as given: 0, 1, or -1 unknown (= blocking) */
  int saved_stdio[3];       /* copies of the caller's fds 0-2 (Node reopens a terminal), or -1 */
  uint64_t sig_ignored;     /* bit N-1: signal N was SIG_IGN (as /proc/PID/status SigIgn) */
  uint64_t sig_blocked;     /* the signal mask (SigBlk) */
} tracer_opts;

typedef struct {
  int spawned_pid;
  int status;               /* wait status of the spawned command, -1 when attached */
  int seccomp;              /* 1 when the seccomp-bpf filter was installed (only with follow) */
  int detached_on_signal;   /* the signal oslens got and forwarded to the command before detaching */
  char err[TRACER_ERR_LEN]; /* set when tracing could not start */
} tracer_result;

/* Runs to completion on the calling thread. Returns 0, or -1 with result->err set. */
int tracer_run(const tracer_opts *opts, tracer_emit_fn emit, void *ctx, tracer_result *result);

/* From any thread. how: 1 = detach from every tracee (leave them running); 2 = kill spawned
 * tracees; 3 = oslens got signal sig: unless the command got it too (Ctrl-C reaches the whole
 * foreground process group), forward it to the spawned command and detach, as strace does;
 * 0 = only wake the engine up again (a request is handled once however often it is woken). */
void tracer_request_stop(int how, int sig);

#endif
