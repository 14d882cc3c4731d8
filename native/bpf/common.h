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
	__u32 reserved;
};

const volatile struct oslens_cfg cfg = {};

/* tgids being followed (-p PID, or the pid of `-- CMD` and its descendants). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, __u8);
} followed SEC(".maps");

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
	if (cfg.filter_pids) {
		__u32 tgid = BPF_CORE_READ(t, tgid);
		if (!bpf_map_lookup_elem(&followed, &tgid))
			return false;
	}
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

static __always_inline bool traced_current(void)
{
	if (cfg.filter_pids) {
		__u32 tgid = bpf_get_current_pid_tgid() >> 32;
		if (!bpf_map_lookup_elem(&followed, &tgid))
			return false;
	}
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

/* Children of followed processes are followed from their fork on (`-- CMD` runs a tree). */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(oslens_follow_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = parent->tgid, ctgid = child->tgid;
	__u8 one = 1;
	if (!cfg.follow_children || ptgid == ctgid)
		return 0;
	if (bpf_map_lookup_elem(&followed, &ptgid))
		bpf_map_update_elem(&followed, &ctgid, &one, BPF_ANY);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

#endif
