// An XDP program that prints the first four bytes of its packet with
// bpf_printk, for the `prog tracelog` test to find in trace_pipe.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("xdp")
int tracelog_printk(struct xdp_md *ctx)
{
	__u32 *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;

	if ((void *)(data + 1) > end)
		return XDP_ABORTED;
	bpf_printk("gobpftool-tracelog %u", *data);
	return XDP_PASS;
}
