// bpf-to-bpf calls whose callees libbpf and cilium/ebpf would lay out in
// different orders (libbpf: depth first in call order; cilium/ebpf:
// breadth first by name), global and static, and a callback: the tag
// only matches bpftool's if the loader lays them out as libbpf does.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static __noinline int m_leaf(int x)
{
	return x * 3 + 1;
}

static __noinline int z_first(int x)
{
	return m_leaf(x) ^ 5;
}

__noinline int a_second(int x)
{
	return x + 7;
}

static int b_callback(__u32 index, void *ctx)
{
	*(int *)ctx += index;
	return 0;
}

SEC("xdp")
int calls_xdp(struct xdp_md *ctx)
{
	int acc = ctx->rx_queue_index;

	acc = z_first(acc);
	acc = a_second(acc);
	bpf_loop(4, b_callback, &acc, 0);
	return acc & 1 ? XDP_PASS : XDP_DROP;
}

SEC("socket")
int calls_sock(struct __sk_buff *skb)
{
	return a_second(skb->len) + m_leaf(skb->len);
}

char LICENSE[] SEC("license") = "GPL";
