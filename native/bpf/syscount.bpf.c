/* syscount: per-syscall count and errors (and total latency with LATENCY), and per-process
 * counts, all in kernel (also `trace -c --ebpf`). Per-CPU array slots keep the hot path free of
 * shared cache lines.
 *
 * Count mode is one program at syscall exit, keyed by orig_ax: the kernel sets it to -1 in
 * rt_sigreturn (so the interrupted call is not restarted), and no other syscall returns with it,
 * so -1 is counted as rt_sigreturn. LATENCY adds an entry program that stores the time and the
 * number (the exit then uses the stored number). exit and exit_group never return: they are
 * counted when the task exits with one of them in orig_ax.
 *
 * Processes are counted in `procs` while they live; when one exits its row goes to user space
 * through the `exited` ring buffer and leaves the map, so the map holds live processes only.
 * What could not be kept (the map full, the ring full) is counted in `unkept`.
 *
 * HIST (with LATENCY; `oslens export`) also keeps each syscall's latency as a log4 histogram of
 * ns in `hists`; NO_PROCS skips the per-process table (the exporter only needs the totals, and
 * it saves a hash lookup on every syscall of the host). */
#include "common.h"

#define MAX_SYSCALLS 1024
#define LATENCY 1
#define HIST 2
#define NO_PROCS 4
/* Slot i counts calls of [4^i, 4^(i+1)) ns (slot 0 also 0 ns); the last slot, all longer ones
 * (4^16 ns = 4.3 s). Powers of 4: few enough buckets per syscall for Prometheus. */
#define HIST_SLOTS 17
#define NR_RT_SIGRETURN 15
#define NR_EXIT 60
#define NR_EXIT_GROUP 231

struct sc_stat {
	__u64 count;
	__u64 errors;
	__u64 total_ns;
};

struct lat_hist {
	__u64 slots[HIST_SLOTS];
};

struct proc_stat {
	__u64 count;
	__u64 start_ns; /* the process's start time: tells a reused pid apart */
	char comm[TASK_COMM_LEN];
};

/* A process that exited, as sent to user space. */
struct exited_proc {
	__u32 pid;
	__u32 pad;
	__u64 count;
	__u64 start_ns;
	char comm[TASK_COMM_LEN];
};

struct unkept_stat {
	__u64 processes; /* rows not kept: the ring was full when they exited */
	__u64 calls;     /* calls not in any process row (map full, or their row not kept) */
};

struct in_flight {
	__u64 ts;
	__u64 nr;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, MAX_SYSCALLS);
	__type(key, __u32);
	__type(value, struct sc_stat);
} syscalls SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, MAX_SYSCALLS);
	__type(key, __u32);
	__type(value, struct lat_hist);
} hists SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct proc_stat);
} procs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} exited SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct unkept_stat);
} unkept SEC(".maps");

/* The syscall in flight, per thread (LATENCY only). */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct in_flight);
} start SEC(".maps");

static __always_inline void not_kept(__u64 processes, __u64 calls)
{
	__u32 zero = 0;
	struct unkept_stat *u = bpf_map_lookup_elem(&unkept, &zero);
	if (u) {
		u->processes += processes;
		u->calls += calls;
	}
}

static __always_inline void count_process(struct task_struct *task, __u32 nr, long ret)
{
	__u32 tgid = task->tgid;
	struct proc_stat *p = bpf_map_lookup_elem(&procs, &tgid);
	if (p) {
		__sync_fetch_and_add(&p->count, 1);
		if ((nr == NR_EXECVE || nr == NR_EXECVEAT) && ret == 0) /* a new program, a new name */
			bpf_get_current_comm(&p->comm, sizeof(p->comm));
		return;
	}
	{
		struct proc_stat fresh = { .count = 1, .start_ns = task->group_leader->start_time };
		bpf_get_current_comm(&fresh.comm, sizeof(fresh.comm));
		/* Another thread may have added it meanwhile: then count on its row. */
		if (bpf_map_update_elem(&procs, &tgid, &fresh, BPF_NOEXIST) == 0)
			return;
		p = bpf_map_lookup_elem(&procs, &tgid);
		if (p)
			__sync_fetch_and_add(&p->count, 1);
		else
			not_kept(0, 1); /* the table is full */
	}
}

static __always_inline void count_call(__u32 nr, long ret, __u64 ns, int returned)
{
	struct sc_stat *s = bpf_map_lookup_elem(&syscalls, &nr);
	if (!s)
		return;
	s->count++;
	s->total_ns += ns;
	if (returned && ret < 0 && ret >= -4095)
		s->errors++;
	if ((cfg.flags & HIST) && returned) {
		struct lat_hist *h = bpf_map_lookup_elem(&hists, &nr);
		__u32 slot = log2l(ns) / 2;
		if (slot >= HIST_SLOTS)
			slot = HIST_SLOTS - 1;
		if (h)
			h->slots[slot]++;
	}
}

SEC("tp_btf/sys_enter")
int BPF_PROG(syscount_enter, struct pt_regs *regs, long id)
{
	struct in_flight *f;
	if (!traced_current_nr(id))
		return 0;
	f = bpf_task_storage_get(&start, bpf_get_current_task_btf(), 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (f) {
		f->ts = bpf_ktime_get_ns();
		f->nr = id;
	}
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(syscount_exit, struct pt_regs *regs, long ret)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u64 ns = 0;
	__u32 nr;

	if (cfg.flags & LATENCY) {
		struct in_flight *f = bpf_task_storage_get(&start, task, 0, 0);
		if (!f || !f->ts)
			return 0; /* not traced, or entered before we attached */
		ns = bpf_ktime_get_ns() - f->ts;
		nr = f->nr;
		f->ts = 0;
	} else {
		nr = regs->orig_ax;
		if (nr == (__u32)-1)
			nr = NR_RT_SIGRETURN;
		if (!traced_current_nr(nr))
			return 0;
	}
	if (nr >= MAX_SYSCALLS)
		return 0; /* x32 and invalid numbers */
	count_call(nr, ret, ns, 1);
	if (!(cfg.flags & NO_PROCS))
		count_process(task, nr, ret);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(syscount_task_exit, struct task_struct *task)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(task);
	struct exited_proc *e;
	struct proc_stat *p;
	__u32 tgid = task->tgid;
	__u32 nr;

	if (!traced_current())
		return 0;
	/* A thread that called exit or exit_group: that call never returns, count it now. */
	nr = BPF_CORE_READ(regs, orig_ax);
	if (nr == NR_EXIT || nr == NR_EXIT_GROUP) {
		count_call(nr, 0, 0, 0);
		if (!(cfg.flags & NO_PROCS))
			count_process(task, nr, 0);
	}
	if (task->signal->live.counter > 0)
		return 0; /* not the last thread */
	p = bpf_map_lookup_elem(&procs, &tgid);
	if (!p)
		return 0;
	e = bpf_ringbuf_reserve(&exited, sizeof(*e), 0);
	if (e) {
		e->pid = tgid;
		e->pad = 0;
		e->count = p->count;
		e->start_ns = p->start_ns;
		__builtin_memcpy(e->comm, p->comm, sizeof(e->comm));
		bpf_ringbuf_submit(e, wakeup_flags(&exited));
	} else {
		not_kept(1, p->count);
	}
	bpf_map_delete_elem(&procs, &tgid);
	return 0;
}
