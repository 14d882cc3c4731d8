/* snoop: one event per open, exec, exit, connect or signal (opensnoop, execsnoop, exitsnoop,
 * tcpconnect, killsnoop), sent to user space through a ring buffer. cfg.flags selects the
 * types; user space loads only the programs a run needs. An event the ring has no room for is
 * counted (`lost`, common.h), never dropped unsaid. */
#include "common.h"

#define EV_OPEN 1
#define EV_EXEC 2
#define EV_EXIT 3
#define EV_CONNECT 4
#define EV_SIGNAL 5

#define PATH_LEN 256
#define ARGS_LEN 1024

#define NR_OPEN 2
#define NR_CREAT 85
#define NR_OPENAT 257
#define NR_OPENAT2 437
#define NR_CONNECT 42

struct hdr {
	__u32 type;
	__u32 pid;
	__u32 tid;
	__u32 ppid;
	__u64 ts; /* CLOCK_MONOTONIC ns */
	char comm[TASK_COMM_LEN];
};

struct open_event {
	struct hdr h;
	__s64 ret;
	__u64 flags;
	__u32 nr;
	__u32 pad;
	char path[PATH_LEN];
};

struct exec_event {
	struct hdr h;
	__u32 args_len;
	__u32 truncated;
	char args[ARGS_LEN];
};

struct exit_event {
	struct hdr h;
	__s32 code;
	__s32 sig;
	__u64 runtime_ns;
};

#define SOCKADDR_LEN 112 /* struct sockaddr_un (110) rounded up: the largest decoded */

struct connect_event {
	struct hdr h;
	__s64 ret;
	__u32 addrlen; /* bytes of sa the call gave (at most SOCKADDR_LEN were read) */
	__u32 pad;
	__u8 sa[SOCKADDR_LEN]; /* the sockaddr as passed: user space decodes inet, inet6, unix */
};

struct signal_event {
	struct hdr h;
	__s32 sig;
	__s32 target_pid;
	__s32 result;
	__u32 pad;
	char target_comm[TASK_COMM_LEN];
};

/* Sized by user space (--buffer); this is the default. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20);
} events SEC(".maps");

static __always_inline void *reserve(__u64 size)
{
	void *e = bpf_ringbuf_reserve(&events, size, 0);
	if (!e)
		count_lost();
	return e;
}

static __always_inline void submit(void *e)
{
	bpf_ringbuf_submit(e, wakeup_flags(&events));
}

/* The syscall in flight (open/connect) of each thread, from entry to exit. */
struct inflight {
	__u64 nr;
	__u64 ptr;
	__u64 arg;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct inflight);
} inflight SEC(".maps");

static __always_inline void fill_hdr(struct hdr *h, __u32 type)
{
	struct task_struct *t = bpf_get_current_task_btf();
	__u64 id = bpf_get_current_pid_tgid();
	h->type = type;
	h->pid = id >> 32;
	h->tid = (__u32)id;
	h->ppid = t->real_parent->tgid;
	h->ts = bpf_ktime_get_ns();
	bpf_get_current_comm(&h->comm, sizeof(h->comm));
}

SEC("tp_btf/sys_enter")
int BPF_PROG(snoop_sys_enter, struct pt_regs *regs, long id)
{
	struct inflight *f;
	__u64 ptr, arg;

	if (id == NR_OPENAT || id == NR_OPENAT2) {
		if (!(cfg.flags & (1 << EV_OPEN)))
			return 0;
		ptr = regs->si;
		arg = regs->dx; /* flags; for openat2 the struct open_how * */
	} else if (id == NR_OPEN || id == NR_CREAT) {
		if (!(cfg.flags & (1 << EV_OPEN)))
			return 0;
		ptr = regs->di;
		arg = id == NR_OPEN ? regs->si : 01 | 0100 | 01000; /* O_WRONLY|O_CREAT|O_TRUNC */
	} else if (id == NR_CONNECT) {
		if (!(cfg.flags & (1 << EV_CONNECT)))
			return 0;
		ptr = regs->si;
		arg = regs->dx;
	} else {
		return 0;
	}
	if (!traced_current())
		return 0;
	f = bpf_task_storage_get(&inflight, bpf_get_current_task_btf(), 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!f)
		return 0;
	f->nr = id;
	f->ptr = ptr;
	f->arg = arg;
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(snoop_sys_exit, struct pt_regs *regs, long ret)
{
	struct inflight *f = bpf_task_storage_get(&inflight, bpf_get_current_task_btf(), 0, 0);
	__u64 nr;

	if (!f || !f->nr)
		return 0;
	nr = f->nr;
	f->nr = 0;
	if (nr == NR_CONNECT) {
		struct connect_event *e = reserve(sizeof(*e));
		__u32 n = f->arg > SOCKADDR_LEN ? SOCKADDR_LEN : f->arg;
		if (!e)
			return 0;
		fill_hdr(&e->h, EV_CONNECT);
		e->ret = ret;
		e->addrlen = f->arg;
		e->pad = 0;
		__builtin_memset(e->sa, 0, sizeof(e->sa));
		if (bpf_probe_read_user(e->sa, n & 127, (void *)f->ptr) < 0)
			e->addrlen = 0;
		submit(e);
		return 0;
	}
	{
		struct open_event *e = reserve(sizeof(*e));
		if (!e)
			return 0;
		fill_hdr(&e->h, EV_OPEN);
		e->ret = ret;
		e->nr = nr;
		e->pad = 0;
		e->flags = f->arg;
		if (nr == NR_OPENAT2) {
			__u64 flags = 0;
			bpf_probe_read_user(&flags, sizeof(flags), (void *)f->arg);
			e->flags = flags;
		}
		/* Read at exit: the kernel has faulted the path's page in by now. */
		if (bpf_probe_read_user_str(e->path, sizeof(e->path), (void *)f->ptr) < 0)
			e->path[0] = 0;
		submit(e);
	}
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(snoop_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct exec_event *e;
	unsigned long start, end, len;

	if (!traced_current())
		return 0;
	e = reserve(sizeof(*e));
	if (!e)
		return 0;
	fill_hdr(&e->h, EV_EXEC);
	/* The new program's argv, NUL-separated, as the kernel laid it out on the new stack. */
	start = p->mm->arg_start;
	end = p->mm->arg_end;
	len = end - start;
	e->truncated = len > ARGS_LEN;
	if (len > ARGS_LEN)
		len = ARGS_LEN;
	if (bpf_probe_read_user(e->args, len, (void *)start) < 0)
		len = 0;
	e->args_len = len;
	submit(e);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(snoop_exit, struct task_struct *p)
{
	struct exit_event *e;
	int code;

	/* One event per process: when its last thread goes (do_exit has counted it down). */
	if (p->signal->live.counter > 0)
		return 0;
	if (!traced_current())
		return 0;
	e = reserve(sizeof(*e));
	if (!e)
		return 0;
	fill_hdr(&e->h, EV_EXIT);
	code = p->exit_code;
	e->code = (code >> 8) & 0xff;
	e->sig = code & 0x7f;
	e->runtime_ns = bpf_ktime_get_ns() - p->group_leader->start_time;
	submit(e);
	return 0;
}

SEC("tp_btf/signal_generate")
int BPF_PROG(snoop_signal, int sig, struct kernel_siginfo *info, struct task_struct *task, int group, int result)
{
	struct signal_event *e;

	/* oslens's own signals (to the `-- CMD` it runs) are not the command's events. */
	if ((bpf_get_current_pid_tgid() >> 32) == cfg.self_tgid)
		return 0;
	if (!traced_current() && !traced_task(task))
		return 0;
	e = reserve(sizeof(*e));
	if (!e)
		return 0;
	fill_hdr(&e->h, EV_SIGNAL);
	e->sig = sig;
	e->target_pid = task->tgid;
	e->result = result; /* TRACE_SIGNAL_*: delivered, ignored, already pending, ... */
	e->pad = 0;
	bpf_probe_read_kernel_str(e->target_comm, sizeof(e->target_comm), task->comm);
	submit(e);
	return 0;
}
