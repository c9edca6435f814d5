// A source line with backslashes, quotes and a tab in a string literal, for
// the tests that parse every JSON output with a real parser.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("xdp")
int json_escape(struct xdp_md *ctx)
{
	bpf_printk("a\\b \"q\"	%d\n", ctx->ingress_ifindex);
	return XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
