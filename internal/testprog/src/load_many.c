// Fifty small programs of five types sharing maps, global data and a
// bpf-to-bpf call: the object of the `prog loadall` benchmark
// (docs/perf-load.md), where the verifier's time dominates.
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} hits SEC(".maps");

const volatile __u32 salt = 5;

static __noinline int count(__u32 key)
{
	int odd = 0;

	/* A bounded loop the verifier walks turn by turn: it makes the
	 * verifier, not the loader, the bulk of the work, as with real
	 * programs. */
	for (__u32 i = 0; i < 48; i++) {
		__u32 k = (key + i) & 63;
		__u64 *v = bpf_map_lookup_elem(&hits, &k);

		if (!v)
			continue;
		__sync_fetch_and_add(v, 1);
		odd ^= (int)(*v & 1);
	}
	return odd;
}

#define XDP(n) SEC("xdp") int many_xdp_##n(struct xdp_md *ctx) \
	{ return count((ctx->ingress_ifindex + n + salt) & 63) ? XDP_PASS : XDP_DROP; }
#define TC(n) SEC("tc") int many_tc_##n(struct __sk_buff *skb) \
	{ return count((skb->len + n) & 63) ? TC_ACT_OK : TC_ACT_SHOT; }
#define SOCK(n) SEC("socket") int many_sock_##n(struct __sk_buff *skb) \
	{ return count((skb->protocol + n) & 63); }
#define TP(n) SEC("tracepoint/syscalls/sys_enter_getpid") int many_tp_##n(void *ctx) \
	{ return count(n & 63); }
#define CG(n) SEC("cgroup_skb/ingress") int many_cg_##n(struct __sk_buff *skb) \
	{ return count((skb->ifindex + n) & 63) | 1; }

XDP(0) TC(0) SOCK(0) TP(0) CG(0)
XDP(1) TC(1) SOCK(1) TP(1) CG(1)
XDP(2) TC(2) SOCK(2) TP(2) CG(2)
XDP(3) TC(3) SOCK(3) TP(3) CG(3)
XDP(4) TC(4) SOCK(4) TP(4) CG(4)
XDP(5) TC(5) SOCK(5) TP(5) CG(5)
XDP(6) TC(6) SOCK(6) TP(6) CG(6)
XDP(7) TC(7) SOCK(7) TP(7) CG(7)
XDP(8) TC(8) SOCK(8) TP(8) CG(8)
XDP(9) TC(9) SOCK(9) TP(9) CG(9)

char LICENSE[] SEC("license") = "GPL";
