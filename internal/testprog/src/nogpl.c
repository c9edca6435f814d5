// A program without a GPL-compatible license and without maps.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int show_nogpl_xdp(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Proprietary";
