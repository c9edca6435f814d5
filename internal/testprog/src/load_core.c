// CO-RE relocations against the running kernel's BTF, a sleepable-free
// raw tracepoint and a BTF-typed tracepoint, for `prog load`.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct task_struct {
	int pid;
	int tgid;
} __attribute__((preserve_access_index));

__u64 seen_pid;

SEC("raw_tp/sys_enter")
int core_raw_tp(void *ctx)
{
	struct task_struct *task = (void *)bpf_get_current_task();

	seen_pid = BPF_CORE_READ(task, tgid);
	return 0;
}

SEC("tp_btf/sched_switch")
int core_tp_btf(__u64 *ctx)
{
	if (bpf_core_field_exists(((struct task_struct *)0)->pid))
		seen_pid++;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
