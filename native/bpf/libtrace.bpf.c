/* trace --lib: trace.bpf.c's syscall stream plus uprobes and uretprobes on library functions,
 * all in the one ring buffer `events`. A library call's entry is sent when it starts, each
 * syscall when it returns, the call's return when it returns: the ring's order is the order they
 * happened in on each thread, so user space can nest the syscalls under the call that made them.
 * One pair of programs serves every function: user space attaches them once per function with a
 * BPF cookie, the function's index in `libfuncs`. Calls and time per function are counted here
 * (`libcounts`), so -c never depends on what reached user space. */
#define CAP_SLOTS 8 /* six arguments, the stack words of a variadic call, a returned string */
#include "trace.bpf.c"

#define EV_LIBENTER 5 /* nr = function index; ret = depth (library calls open before it) */
#define EV_LIBRETURN 6 /* enter_ns = its entry (0: unknown), ret = rax, args[0] = depth */
#define LIB_COUNT_ONLY 2 /* cfg.flags, -c: count, send nothing */
#define LIB_DEPTH 32
#define MAX_FUNCS 8192

/* What to read at a function's entry (per argument) and at its return (src/ebpf/libtrace.ts). */
#define LARG_STR 1 /* a NUL-terminated string */
#define LARG_BUF 2 /* bytes, as many as argument ref says (at most -s) */
#define LARG_MAYBE_STR 3 /* a variadic argument: the string it points at, if it points at one */
#define LARG_BUF_PRODUCT 4 /* bytes, as many as arguments ref times ref + 1 say (fwrite) */
#define LRET_STR 1 /* the return value is a string */
#define CAP_LIB_STACK 40 /* the stack words after the return address: variadic arguments 7.. */
#define CAP_LIB_RET 41 /* the string at the return value */

struct libfunc {
	__u8 arg[6];
	__u8 ref[6];
	__u8 ret;
	__u8 stack_words;
	__u8 pad[2];
};

struct libstat {
	__u64 count;
	__u64 total_ns;
};

struct libframe {
	__u32 depth;
	__u32 fn[LIB_DEPTH];
	__u64 ts[LIB_DEPTH];
	__u64 sp[LIB_DEPTH]; /* the stack pointer at entry (where the return address is) */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MAX_FUNCS);
	__type(key, __u32);
	__type(value, struct libfunc);
} libfuncs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, MAX_FUNCS);
	__type(key, __u32);
	__type(value, struct libstat);
} libcounts SEC(".maps");

/* The library calls open on each thread, innermost last: their functions and entry times. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct libframe);
} libstack SEC(".maps");

/* The record being built, per thread (too big for the stack; the programs are sleepable, so a
 * per-CPU buffer could be shared by two threads preempting each other). */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct call);
} libcall SEC(".maps");

static __always_inline struct call *lib_record(__u32 kind, __u32 fn)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct call *c = bpf_task_storage_get(&libcall, bpf_get_current_task_btf(), 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!c)
		return 0;
	c->kind = kind;
	c->tid = (__u32)pid_tgid;
	c->pid = pid_tgid >> 32;
	c->nr = fn;
	c->ncap = 0;
	c->len = 0;
	c->refetch = 0;
	return c;
}

/*
 * The programs are sleepable (uprobe.s) for this: a string the program has not touched yet (a
 * printf format in a .rodata page never faulted in) cannot be read by the non-faulting
 * bpf_probe_read_user_str. For what the function itself is about to read (its string and buffer
 * arguments), reading one byte with the faulting bpf_copy_from_user first brings the page in,
 * as the function would a moment later. A variadic argument is only maybe a string: it is read
 * without faulting, so the traced program's memory is never touched where it would not be.
 */
static __always_inline void fault_in(__u64 addr, __u64 len)
{
	char b;
	bpf_copy_from_user(&b, 1, (void *)addr);
	if ((addr & 4095) + len > 4096)
		bpf_copy_from_user(&b, 1, (void *)((addr | 4095) + 1));
}

SEC("uprobe.s")
int lib_enter(struct pt_regs *ctx)
{
	__u32 fn = bpf_get_attach_cookie(ctx), depth = 0;
	struct libframe *st;
	struct libstat *stat;
	struct libfunc *spec;
	struct call *c;
	__u64 now;

	if (fn >= MAX_FUNCS || !traced_current())
		return 0;
	now = bpf_ktime_get_ns();
	st = bpf_task_storage_get(&libstack, bpf_get_current_task_btf(), 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (st) {
		depth = st->depth;
		/* A call made from where an open call's frame was (or above it) means that call was
		 * left without returning (longjmp, a C++ exception): it is no longer open. A call
		 * inside an open one always has a lower stack pointer. */
		for (int i = 0; i < LIB_DEPTH && depth > 0 && depth <= LIB_DEPTH; i++) {
			if (st->sp[(depth - 1) & (LIB_DEPTH - 1)] > ctx->sp)
				break;
			depth--;
		}
		if (depth < LIB_DEPTH) {
			st->fn[depth & (LIB_DEPTH - 1)] = fn;
			st->ts[depth & (LIB_DEPTH - 1)] = now;
			st->sp[depth & (LIB_DEPTH - 1)] = ctx->sp;
		}
		st->depth = depth + 1;
	}
	stat = bpf_map_lookup_elem(&libcounts, &fn);
	if (stat)
		__sync_fetch_and_add(&stat->count, 1); /* atomic: a sleepable program can be preempted */
	if (cfg.flags & LIB_COUNT_ONLY)
		return 0;
	c = lib_record(EV_LIBENTER, fn);
	spec = bpf_map_lookup_elem(&libfuncs, &fn);
	if (!c || !spec)
		return 0;
	c->enter_ns = now;
	c->exit_ns = 0;
	c->ret = depth;
	/* The x86-64 SysV calling convention: rdi rsi rdx rcx r8 r9. */
	c->args[0] = ctx->di;
	c->args[1] = ctx->si;
	c->args[2] = ctx->dx;
	c->args[3] = ctx->cx;
	c->args[4] = ctx->r8;
	c->args[5] = ctx->r9;
#pragma unroll
	for (int i = 0; i < 6; i++) {
		__u64 addr = c->args[i], n;
		__u32 flags;
		if (!addr)
			continue;
		switch (spec->arg[i]) {
		case LARG_STR:
			fault_in(addr, CAP_LEN);
			cap_string(c, i, CAP_STR, 0, addr);
			break;
		case LARG_MAYBE_STR:
			cap_string(c, i, CAP_STR, 0, addr);
			break;
		case LARG_BUF:
		case LARG_BUF_PRODUCT:
			n = arg_at(c, spec->ref[i]);
			if (spec->arg[i] == LARG_BUF_PRODUCT)
				n *= arg_at(c, spec->ref[i] + 1);
			flags = n > cfg.strsize ? F_TRUNC : 0;
			if (n > cfg.strsize)
				n = cfg.strsize;
			fault_in(addr, n);
			cap_bytes(c, i, CAP_BUFIN, flags, addr, n);
			break;
		default:
			break;
		}
	}
	if (spec->stack_words)
		cap_bytes(c, 6, CAP_LIB_STACK, 0, ctx->sp + 8, (spec->stack_words & 31) * 8);
	send(c);
	return 0;
}

SEC("uretprobe.s")
int lib_return(struct pt_regs *ctx)
{
	__u32 fn = bpf_get_attach_cookie(ctx), depth = 0;
	struct libframe *st;
	struct libstat *stat;
	struct libfunc *spec;
	struct call *c;
	__u64 now, enter = 0;

	if (fn >= MAX_FUNCS || !traced_current())
		return 0;
	now = bpf_ktime_get_ns();
	st = bpf_task_storage_get(&libstack, bpf_get_current_task_btf(), 0, 0);
	if (st && st->depth > 0) {
		depth = st->depth;
		if (depth <= LIB_DEPTH) {
			/* Frames a longjmp left never return: drop them down to this function's. */
			for (int i = 0; i < LIB_DEPTH && depth > 0; i++) {
				depth--;
				if (st->fn[depth & (LIB_DEPTH - 1)] == fn) {
					enter = st->ts[depth & (LIB_DEPTH - 1)];
					break;
				}
			}
		} else {
			depth--;
		}
		st->depth = depth;
	}
	stat = bpf_map_lookup_elem(&libcounts, &fn);
	if (stat && enter)
		__sync_fetch_and_add(&stat->total_ns, now - enter);
	if (cfg.flags & LIB_COUNT_ONLY)
		return 0;
	c = lib_record(EV_LIBRETURN, fn);
	spec = bpf_map_lookup_elem(&libfuncs, &fn);
	if (!c || !spec)
		return 0;
	c->enter_ns = enter;
	c->exit_ns = now;
	c->ret = ctx->ax;
	c->args[0] = depth;
	if (spec->ret == LRET_STR && c->ret) {
		fault_in(c->ret, CAP_LEN);
		cap_string(c, 0, CAP_LIB_RET, F_EXIT, c->ret);
	}
	send(c);
	return 0;
}
