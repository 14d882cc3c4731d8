/* faults: user-space page faults per process and per memory region (the VMA the address falls
 * in, found in kernel with bpf_find_vma so regions survive the process's exit), with major vs
 * minor told by the kernel's own per-thread counters (maj_flt grows when a fault was major). */
#include "common.h"

#define NAME_LEN 64
#define KIND_ANON 0
#define KIND_FILE 1
#define KIND_HEAP 2
#define KIND_STACK 3
#define KIND_UNKNOWN 4
#define USER_LIMIT 0x0000800000000000ULL

/* A region is known by its mapping identity, not where it happens to start today: a stack
 * grows down (its start moves), so it is keyed by mm->start_stack; others by vm_start. */
struct region_key {
	__u32 tgid;
	__u32 pad;
	__u64 start;
};

struct region_val {
	__u64 faults;
	__u64 end;
	__u32 kind;
	__u32 pad;
	char name[NAME_LEN];
};

struct proc_val {
	__u64 faults;
	__u64 major;
	char comm[TASK_COMM_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct region_key);
	__type(value, struct region_val);
} regions SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct proc_val);
} procs SEC(".maps");

/* Faults counted in a process's total but in no region row: the regions table was full. And
 * faults of processes the process table had no room for. Never silent. */
struct unkept_stat {
	__u64 region_faults;
	__u64 process_faults;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct unkept_stat);
} unkept SEC(".maps");

/* Processes that exited (their tgid): user space moves their rows out of the tables, which
 * then hold live processes only, however many come and go. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} exited SEC(".maps");

/* maj_flt of each thread at its previous fault. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64);
} last_maj SEC(".maps");

/* Scratch for the bpf_find_vma callback (too big for the stack with the key). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct region_val);
} scratch SEC(".maps");

struct vma_ctx {
	struct region_val *val;
	__u64 start;
};

static long vma_found(struct task_struct *task, struct vm_area_struct *vma, struct vma_ctx *c)
{
	struct mm_struct *mm = vma->vm_mm;
	struct file *f = vma->vm_file;
	c->start = vma->vm_start;
	c->val->end = vma->vm_end;
	c->val->name[0] = 0;
	if (f) {
		c->val->kind = KIND_FILE;
		bpf_probe_read_kernel_str(c->val->name, NAME_LEN, BPF_CORE_READ(f, f_path.dentry, d_name.name));
	} else if (vma->vm_start <= mm->start_stack && vma->vm_end >= mm->start_stack) {
		c->val->kind = KIND_STACK;
		c->start = mm->start_stack;
	} else if (vma->vm_start <= mm->brk && vma->vm_end >= mm->start_brk) {
		c->val->kind = KIND_HEAP;
	} else {
		c->val->kind = KIND_ANON;
	}
	return 0;
}

static __always_inline void account_major(struct task_struct *t, __u32 tgid, struct proc_val *p)
{
	__u64 *last = bpf_task_storage_get(&last_maj, t, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	__u64 maj = t->maj_flt;
	if (!last)
		return;
	/* A fault is handled before the thread can take the next one: growth since the previous
	 * fault says that one was major. (The first fault seen only sets the baseline.) */
	if (*last && maj > *last - 1 && p)
		__sync_fetch_and_add(&p->major, maj - (*last - 1));
	*last = maj + 1; /* +1: 0 means "no baseline yet" */
}

static __always_inline void on_fault(unsigned long address)
{
	struct task_struct *t = bpf_get_current_task_btf();
	__u32 tgid = t->tgid, zero = 0;
	struct region_key key = { .tgid = tgid };
	struct region_val *rv, *val;
	struct proc_val *p;
	struct vma_ctx c;

	if (address >= USER_LIMIT || !t->mm || !traced_current())
		return;
	p = bpf_map_lookup_elem(&procs, &tgid);
	if (!p) {
		struct proc_val fresh = {};
		bpf_get_current_comm(&fresh.comm, sizeof(fresh.comm));
		bpf_map_update_elem(&procs, &tgid, &fresh, BPF_NOEXIST);
		p = bpf_map_lookup_elem(&procs, &tgid);
		if (!p) {
			struct unkept_stat *u = bpf_map_lookup_elem(&unkept, &zero);
			if (u)
				u->process_faults++;
			return;
		}
	}
	__sync_fetch_and_add(&p->faults, 1);
	account_major(t, tgid, p);

	val = bpf_map_lookup_elem(&scratch, &zero);
	if (!val)
		return;
	c.val = val;
	c.start = 0;
	val->kind = KIND_UNKNOWN;
	val->end = 0;
	val->faults = 0;
	/* Fails (no VMA: a wild pointer, or the mmap lock is busy): counted under "unknown". A
	 * growing stack faults below its VMA (the fault handler extends it): that is the stack. */
	if (bpf_find_vma(t, address, vma_found, &c, 0) != 0) {
		__u64 top = BPF_CORE_READ(t, mm, start_stack);
		__u64 limit = BPF_CORE_READ(t, signal, rlim[3].rlim_cur); /* RLIMIT_STACK */
		val->name[0] = 0;
		if (address < top && top - address <= limit) {
			c.start = top;
			val->kind = KIND_STACK;
		} else {
			c.start = 0;
			val->kind = KIND_UNKNOWN;
		}
	}
	key.start = c.start;
	rv = bpf_map_lookup_elem(&regions, &key);
	if (rv) {
		__sync_fetch_and_add(&rv->faults, 1);
		return;
	}
	val->faults = 1;
	if (bpf_map_update_elem(&regions, &key, val, BPF_NOEXIST) != 0) {
		rv = bpf_map_lookup_elem(&regions, &key); /* another CPU added it meanwhile */
		if (rv) {
			__sync_fetch_and_add(&rv->faults, 1);
		} else {
			struct unkept_stat *u = bpf_map_lookup_elem(&unkept, &zero);
			if (u)
				u->region_faults++;
		}
	}
}

SEC("tp_btf/page_fault_user")
int BPF_PROG(faults_user, unsigned long address, struct pt_regs *regs, unsigned long error_code)
{
	on_fault(address);
	return 0;
}

/* The kernel touching user memory (read() into a fresh buffer, copy_to_user) faults too. */
SEC("tp_btf/page_fault_kernel")
int BPF_PROG(faults_kernel, unsigned long address, struct pt_regs *regs, unsigned long error_code)
{
	on_fault(address);
	return 0;
}

/* A thread's last fault is settled when it exits. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(faults_exit, struct task_struct *t)
{
	__u32 tgid = t->tgid, *e;
	struct proc_val *p = bpf_map_lookup_elem(&procs, &tgid);
	if (!p)
		return 0;
	account_major(t, tgid, p);
	if (t->signal->live.counter > 0)
		return 0; /* not the last thread */
	e = bpf_ringbuf_reserve(&exited, sizeof(*e), 0);
	if (!e)
		return 0; /* its rows stay in the tables: still counted, only not moved */
	*e = tgid;
	bpf_ringbuf_submit(e, wakeup_flags(&exited));
	return 0;
}

/* The process runs a new program: it is known by its new name. */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(faults_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	__u32 tgid = p->tgid;
	struct proc_val *v = bpf_map_lookup_elem(&procs, &tgid);
	if (v)
		bpf_get_current_comm(&v->comm, sizeof(v->comm));
	return 0;
}
