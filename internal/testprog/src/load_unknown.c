// A program in a section libbpf cannot map to a program type, for the
// `prog load` type inference tests; `type xdp` makes it loadable.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("custom_section")
int odd_one(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
