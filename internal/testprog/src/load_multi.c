// Several programs of common types in one object for the `prog load`
// tests: maps, global data in .data/.rodata/.bss, BTF, a bpf-to-bpf call
// and a tail-call program array.
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u32);
} seen SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
} jumps SEC(".maps");

int hits = 1;                  /* .data */
const volatile int limit = 7;  /* .rodata */
__u64 total;                   /* .bss */

static __noinline int bump(__u32 key)
{
	__u64 *v = bpf_map_lookup_elem(&counters, &key);

	if (!v)
		return 0;
	__sync_fetch_and_add(v, 1);
	return (int)*v;
}

SEC("xdp")
int xdp_first(struct xdp_md *ctx)
{
	__u32 key = ctx->ingress_ifindex & 3;

	hits++;
	total += 2;
	if (bump(key) > limit)
		return XDP_DROP;
	return XDP_PASS;
}

SEC("tc")
int tc_count(struct __sk_buff *skb)
{
	bump(skb->len & 3);
	bpf_tail_call(skb, &jumps, 0);
	return TC_ACT_OK;
}

SEC("classifier")
int tc_legacy(struct __sk_buff *skb)
{
	return skb->mark == (__u32)limit ? TC_ACT_SHOT : TC_ACT_OK;
}

SEC("socket")
int sock_filter(struct __sk_buff *skb)
{
	__u32 k = skb->len, v = 1;

	bpf_map_update_elem(&seen, &k, &v, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_getpid")
int tp_getpid(void *ctx)
{
	total++;
	return 0;
}

SEC("cgroup_skb/egress")
int cg_egress(struct __sk_buff *skb)
{
	return 1;
}

SEC("cgroup/connect4")
int cg_connect4(struct bpf_sock_addr *ctx)
{
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
