/* trace --ebpf: the syscall stream of the followed processes, one record per call (entry
 * arguments and in-kernel captures of strings and input buffers, then the return value), in the
 * shape the ptrace engine produces. `trace -c --ebpf` uses syscount.bpf.c instead. */
#include "common.h"

#define CAP_SLOTS 4
#define CAP_LEN 256
#define FILTER_SYSCALLS 1

/* Capture kinds of src/trace/records.ts (Cap): the ones read in kernel. */
#define CAP_PATH 1
#define CAP_STR 2
#define CAP_BUFIN 3

#define EV_CALL 1
#define EV_NORETURN 2
#define EV_TASK_EXIT 3

struct capture {
	__u8 arg;
	__u8 kind;
	__u8 truncated;
	__u8 fault;
	__u32 len;
	char data[CAP_LEN];
};

struct call {
	__u32 kind;
	__u32 tid;
	__u32 pid;
	__u32 nr;
	__u64 enter_ns;
	__u64 exit_ns;
	__s64 ret;
	__u64 args[6];
	__u32 ncap;
	__u32 pad;
	struct capture caps[CAP_SLOTS];
};

struct captab_row {
	__u32 spec[6]; /* kind | ref << 8 | size << 16 (src/trace/decode.ts buildCaptureTable) */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 512);
	__type(key, __u32);
	__type(value, struct captab_row);
} captab SEC(".maps");

/* -e trace=SET: 1 for the syscalls to show. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 512);
	__type(key, __u32);
	__type(value, __u8);
} wanted SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct call);
} inflight SEC(".maps");

static __always_inline void capture_arg(struct call *c, struct captab_row *row, int i)
{
	__u32 spec = row->spec[i], kind = spec & 0xff, slot = c->ncap;
	struct capture *cap;
	long n;

	if (kind != CAP_PATH && kind != CAP_STR && kind != CAP_BUFIN)
		return;
	if (slot >= CAP_SLOTS)
		return;
	cap = &c->caps[slot & (CAP_SLOTS - 1)];
	cap->arg = i;
	cap->kind = kind;
	cap->fault = 0;
	cap->truncated = 0;
	if (kind == CAP_BUFIN) {
		__u32 ref = (spec >> 8) & 0xff;
		__u64 want = 0;
		/* The length argument (write's count...): a constant index keeps the verifier happy. */
		if (ref == 2)
			want = c->args[2];
		else if (ref == 3)
			want = c->args[3];
		else if (ref == 1)
			want = c->args[1];
		cap->truncated = want > CAP_LEN;
		if (want > CAP_LEN)
			want = CAP_LEN;
		n = bpf_probe_read_user(cap->data, want, (void *)c->args[i]);
		cap->len = want;
		if (n < 0) {
			cap->fault = 1;
			cap->len = 0;
		}
	} else {
		n = bpf_probe_read_user_str(cap->data, CAP_LEN, (void *)c->args[i]);
		if (n < 0) {
			cap->fault = 1;
			cap->len = 0;
		} else {
			cap->len = n > 0 ? n - 1 : 0; /* without the NUL */
			cap->truncated = n == CAP_LEN;
		}
	}
	c->ncap = slot + 1;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(trace_enter, struct pt_regs *regs, long id)
{
	struct task_struct *t;
	struct captab_row *row;
	struct call *c;
	__u32 nr = id;
	__u64 pid_tgid;

	if (id < 0 || id >= 512 || !traced_current())
		return 0;
	if (cfg.flags & FILTER_SYSCALLS) {
		__u8 *w = bpf_map_lookup_elem(&wanted, &nr);
		if (!w || !*w)
			return 0;
	}
	t = bpf_get_current_task_btf();
	c = bpf_task_storage_get(&inflight, t, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
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
	c->ncap = 0;
	row = bpf_map_lookup_elem(&captab, &nr);
	if (row) {
		capture_arg(c, row, 0);
		capture_arg(c, row, 1);
		capture_arg(c, row, 2);
		capture_arg(c, row, 3);
	}
	/* exit and exit_group never return: report them now. */
	if (nr == 60 || nr == 231) {
		c->kind = EV_NORETURN;
		bpf_ringbuf_output(&events, c, sizeof(*c), 0);
		c->enter_ns = 0;
	}
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(trace_exit, struct pt_regs *regs, long ret)
{
	struct call *c = bpf_task_storage_get(&inflight, bpf_get_current_task_btf(), 0, 0);
	if (!c || !c->enter_ns)
		return 0;
	c->exit_ns = bpf_ktime_get_ns();
	c->ret = ret;
	bpf_ringbuf_output(&events, c, sizeof(*c), 0);
	c->enter_ns = 0;
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(trace_task_exit, struct task_struct *p)
{
	struct call *c;
	if (!traced_current())
		return 0;
	c = bpf_ringbuf_reserve(&events, sizeof(*c), 0);
	if (!c)
		return 0;
	c->kind = EV_TASK_EXIT;
	c->tid = p->pid;
	c->pid = p->tgid;
	c->nr = 0;
	c->enter_ns = bpf_ktime_get_ns();
	c->exit_ns = c->enter_ns;
	c->ret = p->exit_code; /* wait status: code << 8 | signal */
	c->ncap = 0;
	bpf_ringbuf_submit(c, 0);
	return 0;
}
