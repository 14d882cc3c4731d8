/* profile: on-CPU stack sampling. A perf_event program on the cpu-clock software event (one per
 * CPU, opened by user space at -F HZ) takes the user and kernel stack of whatever runs, stores
 * each distinct stack once in a stack map and counts (process, user stack, kernel stack) in a
 * hash: aggregated in kernel, user space reads the two maps once at the end. */
#include "common.h"

#define PERF_MAX_STACK_DEPTH 127
#define WANT_USER 1   /* cfg.flags: sample user stacks */
#define WANT_KERNEL 2 /* cfg.flags: sample kernel stacks */
#define EFAULT 14

struct sample_key {
	__u32 tgid;
	__s32 user_stack;   /* stack map id, or < 0: none (a kernel thread; not asked; lost) */
	__s32 kernel_stack; /* stack map id, or < 0: none (sampled in user mode; not asked; lost) */
	char comm[TASK_COMM_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 40960);
	__type(key, struct sample_key);
	__type(value, __u64);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 16384);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, PERF_MAX_STACK_DEPTH * sizeof(__u64));
} stacks SEC(".maps");

/* Samples not kept whole, per CPU, so the output can say so: a stack the stack map had no room
 * for (or whose hash bucket another stack holds), and samples the counts table had no room for. */
struct unkept_stat {
	__u64 user_stacks_lost;
	__u64 kernel_stacks_lost;
	__u64 samples_lost;
	__u64 samples;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct unkept_stat);
} unkept SEC(".maps");

SEC("perf_event")
int oslens_profile(struct bpf_perf_event_data *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32, zero = 0;
	struct sample_key key = {};
	struct unkept_stat *u;
	__u64 one = 1, *n;

	/* The idle task is not on-CPU work; oslens itself is not the profile's subject. */
	if (tgid == 0 || tgid == cfg.self_tgid || !traced_current())
		return 0;
	u = bpf_map_lookup_elem(&unkept, &zero);
	if (!u)
		return 0;
	u->samples++;
	key.tgid = tgid;
	key.user_stack = -1;
	key.kernel_stack = -1;
	bpf_get_current_comm(&key.comm, sizeof(key.comm));
	if (cfg.flags & WANT_USER) {
		key.user_stack = bpf_get_stackid(ctx, &stacks, BPF_F_USER_STACK);
		/* -EFAULT: no user stack to walk (a kernel thread): nothing lost. */
		if (key.user_stack < 0 && key.user_stack != -EFAULT)
			u->user_stacks_lost++;
	}
	if (cfg.flags & WANT_KERNEL) {
		key.kernel_stack = bpf_get_stackid(ctx, &stacks, 0);
		if (key.kernel_stack < 0 && key.kernel_stack != -EFAULT)
			u->kernel_stacks_lost++;
	}
	n = bpf_map_lookup_elem(&counts, &key);
	if (n) {
		__sync_fetch_and_add(n, 1);
		return 0;
	}
	if (bpf_map_update_elem(&counts, &key, &one, BPF_NOEXIST) != 0) {
		n = bpf_map_lookup_elem(&counts, &key); /* another CPU added it meanwhile */
		if (n)
			__sync_fetch_and_add(n, 1);
		else
			u->samples_lost++;
	}
	return 0;
}
