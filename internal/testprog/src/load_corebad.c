// CO-RE relocations that the running kernel cannot satisfy: fields that
// task_struct does not have, one nested in an anonymous union and an
// array, so the verifier rejects the poisoned instruction and libbpf
// explains which relocation failed.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct gobpftool_inner {
	int pad;
	int nowhere[4];
} __attribute__((preserve_access_index));

struct task_struct {
	int pid;
	union {
		long un_used;
		struct gobpftool_inner inner;
	};
	int no_such_field_here;
} __attribute__((preserve_access_index));

SEC("raw_tp/sys_enter")
int corebad_nested(void *ctx)
{
	struct task_struct *t = (void *)bpf_get_current_task();

	return BPF_CORE_READ(t, inner.nowhere[2]);
}

SEC("raw_tp/sys_enter")
int corebad_flat(void *ctx)
{
	struct task_struct *t = (void *)bpf_get_current_task();

	return BPF_CORE_READ(t, no_such_field_here);
}

char LICENSE[] SEC("license") = "GPL";
