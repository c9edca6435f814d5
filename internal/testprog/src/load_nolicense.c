// No license section: the kernel takes the programs as not GPL, and
// refuses the one that calls a GPL-only helper.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("socket")
int nolicense_ok(struct __sk_buff *skb)
{
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_getpid")
int nolicense_gpl_helper(void *ctx)
{
	long v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), ctx);
	return v & 1;
}
