/* syscount: per-syscall count, errors and total latency, and per-process counts, all in kernel
 * (also `trace -c --ebpf`). Per-CPU array slots keep the hot path free of shared cache lines. */
#include "common.h"

#define MAX_SYSCALLS 1024

struct sc_stat {
	__u64 count;
	__u64 errors;
	__u64 total_ns;
};

struct proc_stat {
	__u64 count;
};

struct comm {
	char comm[TASK_COMM_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, MAX_SYSCALLS);
	__type(key, __u32);
	__type(value, struct sc_stat);
} syscalls SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct proc_stat);
} procs SEC(".maps");

/* The command name of each counted process, refreshed when it execs. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct comm);
} comms SEC(".maps");

/* Entry timestamp of the syscall in flight, per thread. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64);
} start SEC(".maps");

SEC("tp_btf/sys_enter")
int BPF_PROG(syscount_enter, struct pt_regs *regs, long id)
{
	__u64 *ts;
	if (!traced_current())
		return 0;
	ts = bpf_task_storage_get(&start, bpf_get_current_task_btf(), 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (ts)
		*ts = bpf_ktime_get_ns();
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(syscount_exit, struct pt_regs *regs, long ret)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u32 nr, tgid;
	__u64 *ts, now;
	struct sc_stat *s;
	struct proc_stat *p;

	ts = bpf_task_storage_get(&start, task, 0, 0);
	if (!ts || !*ts)
		return 0; /* not traced, or entered before we attached */
	now = bpf_ktime_get_ns();
	nr = regs->orig_ax;
	if (nr < MAX_SYSCALLS) {
		s = bpf_map_lookup_elem(&syscalls, &nr);
		if (s) {
			s->count++;
			s->total_ns += now - *ts;
			if (ret < 0 && ret >= -4095)
				s->errors++;
		}
	}
	*ts = 0;
	tgid = bpf_get_current_pid_tgid() >> 32;
	p = bpf_map_lookup_elem(&procs, &tgid);
	if (p) {
		p->count++;
	} else {
		struct proc_stat fresh = { .count = 1 };
		bpf_map_update_elem(&procs, &tgid, &fresh, BPF_NOEXIST);
	}
	if (!p || ((nr == 59 || nr == 322) && ret == 0)) { /* first seen, or a new program */
		struct comm c;
		bpf_get_current_comm(&c.comm, sizeof(c.comm));
		bpf_map_update_elem(&comms, &tgid, &c, BPF_ANY);
	}
	return 0;
}
