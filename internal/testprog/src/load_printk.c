// String literals in .rodata (bpf_printk): the data map of an object
// with only static variables.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
static const char fmt2[] = "static fmt %d\n";
SEC("xdp")
int xdp_pk(struct xdp_md *ctx) { bpf_printk("hello %d", ctx->ingress_ifindex); bpf_trace_printk(fmt2, sizeof(fmt2), 1); return XDP_PASS; }
SEC("socket")
int sock_pk(struct __sk_buff *skb) { bpf_printk("sock %d", skb->len); return 0; }
char LICENSE[] SEC("license") = "GPL";
