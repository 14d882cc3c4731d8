/* Shared by every oslens BPF program: the target filter (set by user space in .rodata before
 * load, so the verifier prunes the checks a run does not use) and the followed-process set. */
#ifndef OSLENS_BPF_COMMON_H
#define OSLENS_BPF_COMMON_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

#define TASK_COMM_LEN 16

/* The layout user space writes (src/ebpf/config.ts): keep both in step. It is the only
 * variable in .rodata, so it sits at offset 0. */
struct oslens_cfg {
	__u32 filter_pids;     /* only processes in `followed` */
	__u32 follow_children; /* forks of a followed process are followed too */
	__u64 filter_cgroup;   /* cgroup v2 id, 0 = any */
	char filter_comm[TASK_COMM_LEN];
	__u32 flags;           /* tool-specific */
	__u32 self_tgid;       /* oslens itself: its own signals to a `-- CMD` are not events */
	__u32 strsize;         /* trace: bytes of a buffer worth copying (-s) */
	__u32 reserved;
};

const volatile struct oslens_cfg cfg = {};

/* tgids being followed (-p PID, or the pid of `-- CMD` and its descendants). The value is
 * FOLLOWED, or FROM_EXEC for the gate a `-- CMD` starts in (native/ebpf/gate.c): that one counts
 * from its execve of the command on, so the gate's own calls are never reported. */
#define FOLLOWED 1
#define FROM_EXEC 2
#define NR_EXECVE 59
#define NR_EXECVEAT 322

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, __u8);
} followed SEC(".maps");

static __always_inline bool followed_tgid(__u32 tgid, long nr)
{
	__u8 *v = bpf_map_lookup_elem(&followed, &tgid);
	if (!v)
		return false;
	return *v != FROM_EXEC || nr == NR_EXECVE || nr == NR_EXECVEAT;
}

static __always_inline bool comm_matches(const char *comm)
{
#pragma unroll
	for (int i = 0; i < TASK_COMM_LEN; i++) {
		if (comm[i] != cfg.filter_comm[i])
			return false;
		if (comm[i] == 0)
			return true;
	}
	return true;
}

static __always_inline bool traced_task(struct task_struct *t)
{
	if (cfg.filter_pids && !followed_tgid(BPF_CORE_READ(t, tgid), -1))
		return false;
	if (cfg.filter_comm[0]) {
		char comm[TASK_COMM_LEN];
		BPF_CORE_READ_STR_INTO(&comm, t, comm);
		if (!comm_matches(comm))
			return false;
	}
	if (cfg.filter_cgroup) {
		__u64 id = BPF_CORE_READ(t, cgroups, dfl_cgrp, kn, id);
		if (id != cfg.filter_cgroup)
			return false;
	}
	return true;
}

/* Whether the current task is watched; nr is the syscall it is in (-1 outside syscalls). */
static __always_inline bool traced_current_nr(long nr)
{
	if (cfg.filter_pids && !followed_tgid(bpf_get_current_pid_tgid() >> 32, nr))
		return false;
	if (cfg.filter_comm[0]) {
		char comm[TASK_COMM_LEN];
		bpf_get_current_comm(&comm, sizeof(comm));
		if (!comm_matches(comm))
			return false;
	}
	if (cfg.filter_cgroup && bpf_get_current_cgroup_id() != cfg.filter_cgroup)
		return false;
	return true;
}

static __always_inline bool traced_current(void)
{
	return traced_current_nr(-1);
}

/* Children of followed processes are followed from their fork on (`-- CMD` runs a tree). */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(oslens_follow_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = parent->tgid, ctgid = child->tgid;
	__u8 one = 1;
	if (!cfg.follow_children || ptgid == ctgid)
		return 0;
	if (followed_tgid(ptgid, -1))
		bpf_map_update_elem(&followed, &ctgid, &one, BPF_ANY);
	return 0;
}

/* The gate has exec'd the command: followed from now on. User space attaches this before the
 * tools' own programs, so their exec handlers already see the command followed. */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(oslens_gate_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	__u32 tgid = p->tgid;
	__u8 *v = bpf_map_lookup_elem(&followed, &tgid);
	if (v && *v == FROM_EXEC)
		*v = FOLLOWED;
	return 0;
}

/* A followed process that is gone leaves the set, which would fill up under a fork loop. User
 * space attaches this after the tools' own exit programs, so they still see it followed. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(oslens_unfollow_exit, struct task_struct *p)
{
	__u32 tgid = p->tgid;
	if (p->signal->live.counter > 0)
		return 0;
	bpf_map_delete_elem(&followed, &tgid);
	return 0;
}

/* What a stream could not send (its ring buffer was full), per CPU: user space sums the slots
 * and reports them ("lost N events", the `lost` field), so nothing goes missing unsaid. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} lost SEC(".maps");

static __always_inline void count_lost(void)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&lost, &zero);
	if (n)
		(*n)++;
}

/* Waking user space costs an irq_work per event; its drainer polls every few milliseconds
 * anyway, so wake it only when the ring is an eighth full (a burst it should not wait for). */
static __always_inline __u64 wakeup_flags(void *rb)
{
	__u64 avail = bpf_ringbuf_query(rb, BPF_RB_AVAIL_DATA);
	__u64 size = bpf_ringbuf_query(rb, BPF_RB_RING_SIZE);
	return avail >= size / 8 ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

char LICENSE[] SEC("license") = "GPL";

/* floor(log2(v)) without loops (as libbpf-tools' bits.bpf.h). */
static __always_inline __u32 log2_u32(__u32 v)
{
	__u32 r, shift;
	r = (v > 0xFFFF) << 4;
	v >>= r;
	shift = (v > 0xFF) << 3;
	v >>= shift;
	r |= shift;
	shift = (v > 0xF) << 2;
	v >>= shift;
	r |= shift;
	shift = (v > 0x3) << 1;
	v >>= shift;
	r |= shift;
	r |= (v >> 1);
	return r;
}

static __always_inline __u32 log2l(__u64 v)
{
	__u32 hi = v >> 32;
	return hi ? log2_u32(hi) + 32 : log2_u32(v);
}

#endif
