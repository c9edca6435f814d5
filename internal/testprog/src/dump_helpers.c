// Plain helper calls, which prog dump names by asking the kernel for the
// helpers' addresses, and one whose function has another name
// (bpf_get_prandom_u32 is bpf_user_rnd_u32), which it cannot.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int dump_ktime(struct xdp_md *ctx)
{
	__u64 t = bpf_ktime_get_ns();

	t += bpf_ktime_get_boot_ns();
	return (t & 1) ? XDP_PASS : XDP_DROP;
}

SEC("xdp")
int dump_prandom(struct xdp_md *ctx)
{
	return bpf_get_prandom_u32() & 1 ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
