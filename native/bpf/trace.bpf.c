/* trace --ebpf: the syscall stream of the followed processes, one record per call (entry
 * arguments, in-kernel captures of what the ptrace engine reads from tracee memory where it is
 * readable at the tracepoint, then the return value), and the signals they are delivered, in
 * the shape the ptrace engine produces. Records are variable-length (only the captured bytes
 * travel), so a 64 MiB ring holds hundreds of thousands of calls. The per-syscall table (-c, -C,
 * the JSON summary) is counted here too, so it never depends on what reached user space.
 * `trace -c --ebpf` without lines uses syscount.bpf.c instead. */
#include "common.h"

#ifndef CAP_SLOTS
#define CAP_SLOTS 6 /* libtrace.bpf.c has more */
#endif
#define CAP_LEN 256     /* bytes of one buffer or string capture */
#define ARGV_ITEMS 16   /* execve argv strings captured (the count is always exact) */
#define ARGV_ITEM 128   /* bytes of each */
#define DATA_LEN 2048   /* captures of one call, packed */
#define SLACK 2048      /* lets the verifier see a bounded copy at any offset in DATA_LEN */
#define FILTER_SYSCALLS 1
#define MAX_NR 512

/* Capture kinds of src/trace/records.ts (Cap) read here. */
#define CAP_PATH 1
#define CAP_STR 2
#define CAP_BUFIN 3
#define CAP_BUF_OUT_RET 4
#define CAP_STRUCT_IN 5
#define CAP_STRUCT_OUT 6
#define CAP_ARGV 7
#define CAP_ARRAY_IN 10
#define CAP_ARRAY_OUT_RET 11
#define CAP_ARRAY_OUT_ARG 12
#define CAP_RAW_IN 13
#define CAP_SOCKADDR_OUT 14
#define CAP_STRUCT_INOUT 15
#define CAP_ARGC 16
#define CAP_BUF_OUT_ARG 17
#define CAP_RECORDS_OUT 21
#define CAP_PATH_OUT 22
#define CAP_STACK_IN 29
#define CAP_PTR_FIELD_OUT 30
#define CAP_ARG_EXIT 25
#define CAP_ARRAY_INOUT_ARG 26
#define CAP_BUF_OUT_LENP 33
#define MAX_ARRAY 64
/* oslens's own kind: the new program's argv as the kernel laid it out, read at
 * sched_process_exec and sent with the execve (the exec record's argv, exact up to the room). */
#define CAP_EXEC_ARGV 200

#define EV_CALL 1
#define EV_NORETURN 2
#define EV_TASK_EXIT 3
#define EV_SIGNAL 4

#define F_TRUNC 1
#define F_FAULT 2
#define F_EXIT 4 /* captured at the syscall's exit */

/* One capture in call.data: this header, then len bytes, padded to 8. */
struct cap_hdr {
	__u8 arg;
	__u8 kind;
	__u8 flags;
	__u8 pad;
	__u32 len;
};

struct call {
	__u32 kind; /* EV_*; for EV_SIGNAL: nr = signo, ret = si_utime, exit_ns = si_stime */
	__u32 tid;
	__u32 pid;
	__u32 nr;
	__u64 enter_ns;
	__u64 exit_ns;
	__s64 ret;
	__u64 args[6]; /* EV_SIGNAL: code, errno, pid, uid, status, addr */
	__u32 ncap;
	__u32 len; /* bytes used in data */
	__u8 data[DATA_LEN + SLACK];
	/* Not sent (after data): the arguments whose string could not be read at entry, and the
	 * user stack pointer at entry (CAP_STACK_IN: rt_sigreturn's frame). */
	__u32 refetch;
	__u64 sp;
};

#define CALL_HEAD __builtin_offsetof(struct call, data)

/* An AND the compiler cannot drop (it knows the value is smaller already): the verifier then
 * sees the bound it needs for a variable-length copy into call.data. */
#define BOUND(v, mask) asm volatile("%[x] &= " #mask : [x] "+r"(v))

struct captab_row {
	__u32 spec[6]; /* kind | ref << 8 | size << 16 (src/trace/decode.ts buildCaptureTable) */
};

struct sc_stat {
	__u64 count;
	__u64 errors;
	__u64 total_ns;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MAX_NR);
	__type(key, __u32);
	__type(value, struct captab_row);
} captab SEC(".maps");

/* -e trace=SET: 1 for the syscalls to show. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MAX_NR);
	__type(key, __u32);
	__type(value, __u8);
} wanted SEC(".maps");

/* Calls, errors and time per syscall, counted whether or not the record found room. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, MAX_NR);
	__type(key, __u32);
	__type(value, struct sc_stat);
} counts SEC(".maps");

/* Sized by user space (--buffer); this is the default. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 << 20);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct call);
} inflight SEC(".maps");

/* A record for events that are not calls (signals, exits): too big for the stack. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct call);
} scratch SEC(".maps");

static __always_inline void send(struct call *c)
{
	__u64 size = CALL_HEAD + c->len;
	if (size > sizeof(*c))
		size = sizeof(*c);
	if (bpf_ringbuf_output(&events, c, size, wakeup_flags(&events)) != 0)
		count_lost();
}

static __always_inline __u64 arg_at(struct call *c, __u32 i)
{
	/* Constant indexes keep the verifier happy. */
	switch (i) {
	case 0: return c->args[0];
	case 1: return c->args[1];
	case 2: return c->args[2];
	case 3: return c->args[3];
	case 4: return c->args[4];
	default: return c->args[5];
	}
}

/* Opens a capture at the end of c->data; NULL when there is no room left. */
static __always_inline struct cap_hdr *cap_open(struct call *c, int arg, __u32 kind, __u32 flags)
{
	__u32 off = c->len;
	struct cap_hdr *h;
	if (c->ncap >= CAP_SLOTS || off > DATA_LEN - sizeof(struct cap_hdr) - 8)
		return 0;
	h = (void *)&c->data[off];
	h->arg = arg;
	h->kind = kind;
	h->flags = flags;
	h->pad = 0;
	h->len = 0;
	return h;
}

/* Closes it with len bytes of data. */
static __always_inline void cap_close(struct call *c, struct cap_hdr *h, __u32 len)
{
	h->len = len;
	c->len += sizeof(*h) + ((len + 7) & ~7);
	c->ncap++;
}

static __always_inline __u32 room(struct call *c)
{
	__u32 used = c->len + sizeof(struct cap_hdr);
	return used >= DATA_LEN ? 0 : DATA_LEN - used;
}

/* `want` bytes of user memory at addr (at most CAP_LEN, and the room left). */
static __always_inline void cap_bytes(struct call *c, int arg, __u32 kind, __u32 flags, __u64 addr, __u64 want)
{
	struct cap_hdr *h = cap_open(c, arg, kind, flags);
	__u32 off, n, max;
	if (!h)
		return;
	max = room(c);
	if (max > CAP_LEN)
		max = CAP_LEN;
	if (want > max) {
		h->flags |= F_TRUNC;
		want = max;
	}
	n = want;
	BOUND(n, 511); /* at most CAP_LEN, and well inside SLACK */
	off = c->len + sizeof(*h);
	BOUND(off, 2047); /* DATA_LEN - 1 */
	if (n && bpf_probe_read_user(&c->data[off], n, (void *)addr) < 0) {
		h->flags |= F_FAULT;
		n = 0;
	}
	cap_close(c, h, n);
}

static __always_inline void cap_string(struct call *c, int arg, __u32 kind, __u32 flags, __u64 addr)
{
	struct cap_hdr *h = cap_open(c, arg, kind, flags);
	__u32 off, max;
	long n;
	if (!h)
		return;
	max = room(c);
	if (max > CAP_LEN)
		max = CAP_LEN;
	off = c->len + sizeof(*h);
	BOUND(off, 2047);
	BOUND(max, 511);
	n = bpf_probe_read_user_str(&c->data[off], max, (void *)addr);
	if (n < 0) {
		h->flags |= F_FAULT;
		/* At entry, a page that is not resident cannot be read (the tracepoint cannot sleep,
		 * so it cannot fault it in); the kernel's own copy of the string will have, so it
		 * is read again at the exit. */
		if (!(flags & F_EXIT))
			c->refetch |= 1u << (arg & 7);
		n = 0;
	} else if (n > 0) {
		if (n == max)
			h->flags |= F_TRUNC;
		n--; /* without the NUL */
	}
	cap_close(c, h, n & (SLACK - 1));
}

/* The argument's own value (CAP_ARG_EXIT: what gives a return value its meaning). */
static __always_inline void cap_value(struct call *c, int arg, __u32 kind, __u64 value)
{
	struct cap_hdr *h = cap_open(c, arg, kind, F_EXIT);
	__u32 off;
	if (!h)
		return;
	off = c->len + sizeof(*h);
	BOUND(off, 2047);
	*(__u64 *)&c->data[off] = value;
	cap_close(c, h, 8);
}

struct records_ctx {
	__u64 addr;
	__u64 len;
	__u32 lenoff;
	__u32 at;
	__u32 count;
	__u32 fault;
	__u32 done; /* the walk reached the end of the bytes, or a zero length (as tracer.c stops) */
};

/* One record per call (bpf_loop): its u16 length at lenoff; a zero length ends the walk. */
static long record_step(__u32 i, struct records_ctx *x)
{
	__u16 reclen = 0;
	if ((__u64)x->at + x->lenoff + 2 > x->len) {
		x->done = 1;
		return 1;
	}
	if (bpf_probe_read_user(&reclen, 2, (void *)(x->addr + x->at + x->lenoff)) < 0) {
		x->fault = 1;
		return 1;
	}
	x->count++;
	if (!reclen) {
		x->done = 1;
		return 1;
	}
	x->at += reclen;
	return 0;
}

/* CAP_RECORDS_OUT (getdents): a u32 count of the records in the ret bytes the call wrote, as
 * tracer.c counts them. Read at the exit, where the pages the kernel just wrote are mapped. */
static __always_inline void cap_records(struct call *c, int arg, __u64 addr, __u64 len, __u32 lenoff)
{
	struct cap_hdr *h = cap_open(c, arg, CAP_RECORDS_OUT, F_EXIT);
	struct records_ctx x = {.addr = addr, .len = len, .lenoff = lenoff};
	__u32 off;
	if (!h)
		return;
	bpf_loop(1 << 16, record_step, &x, 0);
	if (x.fault || !x.done) { /* unreadable, or more records than the loop walks */
		h->flags |= F_FAULT;
		cap_close(c, h, 0);
		return;
	}
	off = c->len + sizeof(*h);
	BOUND(off, 2047);
	*(__u32 *)&c->data[off] = x.count;
	cap_close(c, h, 4);
}

struct argv_ctx {
	struct call *c;
	__u64 addr;
	__u32 count;
	__u32 ncap;
	__u32 at; /* where the next item goes */
	__u32 done;
	__u32 with_strings;
};

/* One argv item per call (bpf_loop): a u32 len | trunc << 31, then the bytes. */
static long argv_item(__u32 i, struct argv_ctx *x)
{
	struct call *c = x->c;
	__u64 p = 0;
	__u32 at;
	long n;
	if (bpf_probe_read_user(&p, sizeof(p), (void *)(x->addr + 8ull * i)) < 0)
		return 1;
	if (!p) {
		x->done = 1;
		return 1;
	}
	x->count++;
	if (!x->with_strings || x->ncap >= ARGV_ITEMS || x->at + 4 + ARGV_ITEM > DATA_LEN)
		return 0;
	at = x->at & (DATA_LEN - 1);
	n = bpf_probe_read_user_str(&c->data[(at + 4) & (DATA_LEN - 1)], ARGV_ITEM, (void *)p);
	if (n < 0)
		n = 0;
	else if (n > 0)
		n--;
	*(__u32 *)&c->data[at] = (__u32)n | (n == ARGV_ITEM - 1 ? 1u << 31 : 0);
	x->at += 4 + (n & (ARGV_ITEM - 1));
	x->ncap++;
	return 0;
}

/* execve's argv (or envp's count): u32 count, u32 ncap, ncap items, as tracer.c lays it out. */
static __always_inline void cap_argv(struct call *c, int arg, __u32 kind, __u64 addr)
{
	struct cap_hdr *h = cap_open(c, arg, kind, 0);
	struct argv_ctx x = {};
	__u32 start, off;
	if (!h || room(c) < 8)
		return;
	start = c->len + sizeof(*h);
	x.c = c;
	x.addr = addr;
	x.at = start + 8;
	x.with_strings = kind == CAP_ARGV;
	bpf_loop(4096, argv_item, &x, 0);
	if (!x.done)
		h->flags |= F_FAULT;
	off = start & (DATA_LEN - 1);
	*(__u32 *)&c->data[off] = x.count;
	*(__u32 *)&c->data[(off + 4) & (DATA_LEN - 1)] = x.ncap;
	cap_close(c, h, (x.at - start) & (DATA_LEN - 1));
}

/* Bytes an output argument's kind lets the call write at its address; ~0 when it cannot be told
 * here (iovecs, msghdrs...: anywhere); 0 for inputs and non-memory kinds. */
static __always_inline __u64 written_len(struct call *c, __u32 kind, __u32 ref, __u32 size, __s64 ret)
{
	__u64 r = ret > 0 ? (__u64)ret : 0;
	switch (kind) {
	case CAP_BUF_OUT_RET:
	case CAP_RECORDS_OUT:
	case CAP_PATH_OUT:
		return r;
	case CAP_STRUCT_OUT:
	case CAP_STRUCT_INOUT:
	case CAP_SOCKADDR_OUT:
	case 31: /* CAP_STRUCT_OUT_ANY */
		return size;
	case CAP_ARRAY_OUT_RET:
		return r * size;
	case CAP_BUF_OUT_ARG:
		return arg_at(c, ref);
	case CAP_ARRAY_OUT_ARG:
	case CAP_ARRAY_INOUT_ARG:
		return arg_at(c, ref) * size;
	case 0: case CAP_PATH: case CAP_STR: case CAP_BUFIN: case CAP_STRUCT_IN: case CAP_ARGV:
	case 8: /* iovecs in */ case CAP_ARRAY_IN: case CAP_RAW_IN: case CAP_ARGC: case 18: case 19:
	case CAP_ARG_EXIT: case 27: case 28: case CAP_STACK_IN: case 34: case 37:
		return 0;
	default:
		return ~0ull;
	}
}

/* Whether the call may have written over the string at addr (readlink(p, p, n), a getxattr whose
 * value buffer is its name...): then what the memory holds at the exit is not the argument, and
 * the re-read is not done (the address is shown, as before). */
static __always_inline int written_over(struct call *c, struct captab_row *row, __u64 addr, __s64 ret)
{
#pragma unroll
	for (int j = 0; j < 6; j++) {
		__u32 spec = row->spec[j];
		__u64 b = c->args[j], len = written_len(c, spec & 0xff, (spec >> 8) & 0xff, spec >> 16, ret);
		if (!len || !b)
			continue;
		if (len > (1ull << 40))
			len = 1ull << 40;
		if (addr < b + len && b < addr + CAP_LEN)
			return 1;
	}
	return 0;
}

static __always_inline void capture(struct call *c, struct captab_row *row, int exit, __s64 ret)
{
	__u32 strsize = cfg.strsize > CAP_LEN ? CAP_LEN : cfg.strsize;
#pragma unroll
	for (int i = 0; i < 6; i++) {
		__u32 spec = row->spec[i], kind = spec & 0xff, ref = (spec >> 8) & 0xff, size = spec >> 16;
		__u64 addr = c->args[i], n;
		int at_exit;
		/* rt_sigreturn: the signal frame on the user stack, whatever the argument registers hold. */
		if (kind == CAP_STACK_IN) {
			if (!exit)
				cap_bytes(c, i, kind, 0, c->sp + 8ull * ref, size);
			continue;
		}
		/* clone3's *parent_tid / *pidfd: a pointer in the struct at arg[ref], in a slot the call
		 * does not use (so whatever that register holds). */
		if (kind == CAP_PTR_FIELD_OUT) {
			__u64 p = 0;
			if (exit && ret >= 0 &&
			    bpf_probe_read_user(&p, 8, (void *)(arg_at(c, ref) + 8ull * (size & 0xff))) == 0 && p)
				cap_bytes(c, i, kind, F_EXIT, p, size >> 8);
			continue;
		}
		if (kind == 0 || addr == 0)
			continue;
		/* A string unreadable at entry, read again at the exit, even of a failed call (an
		 * ENOENT path was copied in too). Not after execve (its memory is the new program's),
		 * nor where the call may have written over it. */
		if (exit && (c->refetch & (1u << i)) && (kind == CAP_PATH || kind == CAP_STR) &&
		    c->nr != 59 && c->nr != 322) {
			if (!written_over(c, row, addr, ret))
				cap_string(c, i, kind, F_EXIT, addr);
			continue;
		}
		at_exit = kind == CAP_BUF_OUT_RET || kind == CAP_STRUCT_OUT || kind == CAP_ARRAY_OUT_RET ||
			  kind == CAP_ARRAY_OUT_ARG || kind == CAP_SOCKADDR_OUT || kind == CAP_BUF_OUT_ARG ||
			  kind == CAP_PATH_OUT || kind == CAP_ARG_EXIT || kind == CAP_BUF_OUT_LENP ||
			  kind == CAP_RECORDS_OUT;
		if (kind == CAP_STRUCT_INOUT || kind == CAP_ARRAY_INOUT_ARG)
			at_exit = exit;
		if (at_exit != exit || (exit && ret < 0))
			continue;
		switch (kind) {
		case CAP_PATH:
		case CAP_STR:
			cap_string(c, i, kind, 0, addr);
			break;
		case CAP_PATH_OUT: /* getcwd: a string the call wrote */
			cap_string(c, i, kind, F_EXIT, addr);
			break;
		case CAP_ARG_EXIT:
			cap_value(c, i, kind, addr);
			break;
		case CAP_RECORDS_OUT:
			cap_records(c, i, addr, (__u64)ret, size);
			break;
		case CAP_BUF_OUT_LENP: {
			__s32 len = 0;
			if (bpf_probe_read_user(&len, 4, (void *)arg_at(c, ref)) == 0 && len >= 0)
				cap_bytes(c, i, kind, F_EXIT | ((__u32)len > strsize ? F_TRUNC : 0), addr,
					  (__u32)len > strsize ? strsize : len);
			break;
		}
		case CAP_BUFIN:
		case CAP_BUF_OUT_ARG:
		case CAP_BUF_OUT_RET:
			n = kind == CAP_BUF_OUT_RET ? (__u64)ret : arg_at(c, ref);
			if ((__s64)n < 0)
				n = 0;
			cap_bytes(c, i, kind, (exit ? F_EXIT : 0) | (n > strsize ? F_TRUNC : 0), addr,
				  n > strsize ? strsize : n);
			break;
		case CAP_STRUCT_IN:
		case CAP_STRUCT_OUT:
		case CAP_STRUCT_INOUT:
			cap_bytes(c, i, kind, exit ? F_EXIT : 0, addr, size);
			break;
		case CAP_RAW_IN:
			n = arg_at(c, ref);
			cap_bytes(c, i, kind, 0, addr, n > size ? size : n);
			break;
		case CAP_ARRAY_IN:
		case CAP_ARRAY_INOUT_ARG:
		case CAP_ARRAY_OUT_ARG:
		case CAP_ARRAY_OUT_RET:
			n = kind == CAP_ARRAY_OUT_RET ? (__u64)ret : arg_at(c, ref);
			cap_bytes(c, i, kind, (exit ? F_EXIT : 0) | (n > MAX_ARRAY ? F_TRUNC : 0), addr,
				  (n > MAX_ARRAY ? MAX_ARRAY : n) * size);
			break;
		case CAP_SOCKADDR_OUT: {
			__u32 alen = 0;
			if (bpf_probe_read_user(&alen, 4, (void *)arg_at(c, ref)) == 0)
				cap_bytes(c, i, kind, F_EXIT, addr, alen > size ? size : alen);
			break;
		}
		case CAP_ARGV:
		case CAP_ARGC:
			cap_argv(c, i, kind, addr);
			break;
		default:
			break; /* iovecs, msghdrs, fd paths...: not read in kernel (README: trace --ebpf) */
		}
	}
}

static __always_inline void count_call(__u32 nr, __s64 ret, __u64 ns, int returned)
{
	struct sc_stat *s = bpf_map_lookup_elem(&counts, &nr);
	if (!s)
		return;
	s->count++;
	s->total_ns += ns;
	if (returned && ret < 0 && ret >= -4095)
		s->errors++;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(trace_enter, struct pt_regs *regs, long id)
{
	struct captab_row *row;
	struct call *c;
	__u32 nr = id;
	__u64 pid_tgid;

	if (id < 0 || id >= MAX_NR || !traced_current_nr(id))
		return 0;
	if (cfg.flags & FILTER_SYSCALLS) {
		__u8 *w = bpf_map_lookup_elem(&wanted, &nr);
		if (!w || !*w)
			return 0;
	}
	c = bpf_task_storage_get(&inflight, bpf_get_current_task_btf(), 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!c)
		return 0;
	pid_tgid = bpf_get_current_pid_tgid();
	c->kind = EV_CALL;
	c->tid = (__u32)pid_tgid;
	c->pid = pid_tgid >> 32;
	c->nr = nr;
	c->enter_ns = bpf_ktime_get_ns();
	c->exit_ns = 0;
	c->ret = 0;
	c->args[0] = regs->di;
	c->args[1] = regs->si;
	c->args[2] = regs->dx;
	c->args[3] = regs->r10;
	c->args[4] = regs->r8;
	c->args[5] = regs->r9;
	c->sp = regs->sp;
	c->ncap = 0;
	c->len = 0;
	c->refetch = 0;
	row = bpf_map_lookup_elem(&captab, &nr);
	if (row)
		capture(c, row, 0, 0);
	/* exit and exit_group never return: report them now. */
	if (nr == 60 || nr == 231) {
		c->kind = EV_NORETURN;
		count_call(nr, 0, 0, 0);
		send(c);
		c->enter_ns = 0;
	}
	return 0;
}

/* The syscall number is the one stored at entry: at exit, orig_ax is -1 after rt_sigreturn. */
SEC("tp_btf/sys_exit")
int BPF_PROG(trace_exit, struct pt_regs *regs, long ret)
{
	struct call *c = bpf_task_storage_get(&inflight, bpf_get_current_task_btf(), 0, 0);
	struct captab_row *row;
	__u32 nr;
	if (!c || !c->enter_ns)
		return 0;
	c->exit_ns = bpf_ktime_get_ns();
	c->ret = ret;
	nr = c->nr;
	count_call(nr, ret, c->exit_ns - c->enter_ns, 1);
	row = bpf_map_lookup_elem(&captab, &nr);
	if (row)
		capture(c, row, 1, ret);
	send(c);
	c->enter_ns = 0;
	return 0;
}

static __always_inline struct call *scratch_call(__u32 kind, __u32 tid, __u32 pid)
{
	__u32 zero = 0;
	struct call *c = bpf_map_lookup_elem(&scratch, &zero);
	if (!c)
		return 0;
	c->kind = kind;
	c->tid = tid;
	c->pid = pid;
	c->enter_ns = bpf_ktime_get_ns();
	c->exit_ns = c->enter_ns;
	c->ncap = 0;
	c->len = 0;
	return c;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(trace_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct call *c = bpf_task_storage_get(&inflight, p, 0, 0);
	struct cap_hdr *h;
	__u64 start, len;
	__u32 off, n, max;
	if (!c || !c->enter_ns)
		return 0; /* its execve was not traced */
	h = cap_open(c, 0, CAP_EXEC_ARGV, F_EXIT);
	if (!h)
		return 0;
	start = BPF_CORE_READ(p, mm, arg_start);
	len = BPF_CORE_READ(p, mm, arg_end) - start;
	max = room(c);
	if (len > max) {
		h->flags |= F_TRUNC;
		len = max;
	}
	n = len;
	BOUND(n, 2047); /* DATA_LEN - 1 */
	off = c->len + sizeof(*h);
	BOUND(off, 2047);
	if (n && bpf_probe_read_user(&c->data[off], n, (void *)start) < 0) {
		h->flags |= F_FAULT;
		n = 0;
	}
	cap_close(c, h, n);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(trace_task_exit, struct task_struct *p)
{
	struct call *c;
	if (!traced_current())
		return 0;
	c = scratch_call(EV_TASK_EXIT, p->pid, p->tgid);
	if (!c)
		return 0;
	c->nr = 0;
	c->ret = p->exit_code; /* wait status: code << 8 | signal */
	send(c);
	return 0;
}

/* A signal the task is about to handle (or ignore): ptrace's signal-delivery stop. */
SEC("tp_btf/signal_deliver")
int BPF_PROG(trace_signal, int sig, struct kernel_siginfo *info, struct k_sigaction *ka)
{
	__u64 pid_tgid;
	struct call *c;
	/* SIGKILL is shown as the exit it causes, as ptrace shows it. */
	if (sig == 9 || !traced_current())
		return 0;
	pid_tgid = bpf_get_current_pid_tgid();
	c = scratch_call(EV_SIGNAL, (__u32)pid_tgid, pid_tgid >> 32);
	if (!c)
		return 0;
	c->nr = sig;
	/* SIGCHLD's child CPU times (clock ticks): in the fields a signal does not otherwise use. */
	c->ret = BPF_CORE_READ(info, _sifields._sigchld._utime);
	c->exit_ns = BPF_CORE_READ(info, _sifields._sigchld._stime);
	c->args[0] = BPF_CORE_READ(info, si_code);
	c->args[1] = BPF_CORE_READ(info, si_errno);
	c->args[2] = BPF_CORE_READ(info, _sifields._kill._pid);
	c->args[3] = BPF_CORE_READ(info, _sifields._kill._uid);
	c->args[4] = BPF_CORE_READ(info, _sifields._sigchld._status);
	c->args[5] = (__u64)BPF_CORE_READ(info, _sifields._sigfault._addr);
	send(c);
	return 0;
}
