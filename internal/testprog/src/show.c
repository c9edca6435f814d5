// Programs of several types for the `prog show` tests: maps, BTF, several
// functions, a name longer than 15 characters and metadata variables.
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

volatile const char bpf_metadata_owner[] = "gobpftool tests";
volatile const int bpf_metadata_version = 42;
volatile const unsigned long long bpf_metadata_big = 18446744073709551615ULL;
volatile const char not_metadata[] = "hidden";
enum color { RED, GREEN = 7, BLUE };
struct pair { int a; char b[4]; unsigned short c; };
volatile const _Bool bpf_metadata_flag = 1;
volatile const enum color bpf_metadata_color = GREEN;
volatile const enum color bpf_metadata_nocolor = 5;
volatile const struct pair bpf_metadata_pair = { -3, "ab", 65535 };
volatile const signed char bpf_metadata_neg = -5;
volatile const char bpf_metadata_bin[3] = { 1, 2, 0 };
volatile const long bpf_metadata_long = -1234567890123L;

static __noinline int bump(__u32 key)
{
	__u64 *v = bpf_map_lookup_elem(&counters, &key);

	if (!v)
		return 0;
	__sync_fetch_and_add(v, 1);
	return (int)*v;
}

SEC("xdp")
int show_xdp(struct xdp_md *ctx)
{
	__u32 key = ctx->ingress_ifindex & 3;

	if (bump(key) > 1000000)
		return XDP_DROP;
	return XDP_PASS + bpf_metadata_version * 0 + bpf_metadata_flag * 0 +
	       bpf_metadata_color * 0 + bpf_metadata_nocolor * 0 +
	       bpf_metadata_pair.a * 0 + bpf_metadata_neg * 0 +
	       bpf_metadata_bin[0] * 0 + bpf_metadata_long * 0;
}

SEC("socket")
int show_sock(struct __sk_buff *skb)
{
	__u32 k = skb->len, v = 1;

	bpf_map_update_elem(&seen, &k, &v, BPF_ANY);
	return bump(1) ? skb->len : 0;
}

SEC("tc")
int show_tc_classifier_with_a_long_name(struct __sk_buff *skb)
{
	return skb->protocol ? TC_ACT_OK : TC_ACT_SHOT;
}

SEC("tracepoint/syscalls/sys_enter_getpid")
int show_tp_getpid(void *ctx)
{
	bump(2);
	return 0;
}

SEC("cgroup_skb/egress")
int show_cg_egress(struct __sk_buff *skb)
{
	return 1;
}

SEC("cgroup/sock_create")
int show_cg_sock(struct bpf_sock *sk)
{
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
