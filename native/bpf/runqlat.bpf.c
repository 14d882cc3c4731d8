/* runqlat: run-queue latency (wakeup or preemption → on CPU) as a log2 histogram in µs, as
 * BCC's runqlat; per process with cfg.flags & 1. */
#include "common.h"

#define MAX_SLOTS 32
#define PER_PROCESS 1
#define TASK_RUNNING 0

struct hist {
	__u32 slots[MAX_SLOTS];
	char comm[TASK_COMM_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, struct hist);
} hists SEC(".maps");

/* When each runnable task was queued. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64);
} queued SEC(".maps");

static __always_inline void enqueue(struct task_struct *p)
{
	__u64 *ts;
	if (!p->pid || !traced_task(p))
		return;
	ts = bpf_task_storage_get(&queued, p, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (ts)
		*ts = bpf_ktime_get_ns();
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(runqlat_wakeup, struct task_struct *p)
{
	enqueue(p);
	return 0;
}

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(runqlat_wakeup_new, struct task_struct *p)
{
	enqueue(p);
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(runqlat_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	struct hist *h, zero = {};
	__u64 *ts, delta;
	__u32 key = 0, slot;

	/* Preempted while runnable: it goes back on the queue now. */
	if (prev->__state == TASK_RUNNING)
		enqueue(prev);
	ts = bpf_task_storage_get(&queued, next, 0, 0);
	if (!ts || !*ts)
		return 0;
	delta = (bpf_ktime_get_ns() - *ts) / 1000;
	*ts = 0;
	if (cfg.flags & PER_PROCESS)
		key = next->tgid;
	h = bpf_map_lookup_elem(&hists, &key);
	if (!h) {
		if (cfg.flags & PER_PROCESS)
			bpf_probe_read_kernel_str(zero.comm, sizeof(zero.comm), next->comm);
		bpf_map_update_elem(&hists, &key, &zero, BPF_NOEXIST);
		h = bpf_map_lookup_elem(&hists, &key);
		if (!h)
			return 0;
	}
	slot = log2l(delta);
	if (slot >= MAX_SLOTS)
		slot = MAX_SLOTS - 1;
	__sync_fetch_and_add(&h->slots[slot], 1);
	return 0;
}
