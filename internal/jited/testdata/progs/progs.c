// BPF programs whose JIT images feed the golden tests. Each one exists for a
// shape of native code: helpers, maps, loops, calls between functions,
// atomics, tail calls, 64-bit immediates, division, percpu access.
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} hashed SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} percpu SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} jumps SEC(".maps");

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("xdp")
int xdp_parse(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	unsigned char *p = data;

	if (data + 14 > end)
		return XDP_DROP;
	if (p[12] == 0x08 && p[13] == 0x00)
		return XDP_PASS;
	if (p[12] == 0x86 && p[13] == 0xdd)
		return XDP_TX;
	return XDP_ABORTED;
}

SEC("socket")
int sock_count(struct __sk_buff *skb)
{
	__u32 key = skb->protocol & 15;
	__u64 *v = bpf_map_lookup_elem(&counters, &key);

	if (v)
		__sync_fetch_and_add(v, skb->len);
	return skb->len;
}

SEC("tc")
int tc_hash(struct __sk_buff *skb)
{
	__u32 key = skb->ifindex;
	__u64 one = 1, *v;

	v = bpf_map_lookup_elem(&hashed, &key);
	if (!v) {
		bpf_map_update_elem(&hashed, &key, &one, BPF_ANY);
		return TC_ACT_OK;
	}
	__sync_fetch_and_add(v, 1);
	if (*v > 1000)
		bpf_map_delete_elem(&hashed, &key);
	return TC_ACT_SHOT;
}

SEC("tc")
int tc_loop(struct __sk_buff *skb)
{
	__u64 sum = 0;

	for (int i = 0; i < 64; i++) {
		sum += (skb->len * i) ^ (sum >> 3);
		if (sum & 0x100000000ULL)
			sum -= 7;
	}
	return sum & 1;
}

static __attribute__((noinline)) __u64 mix(__u64 a, __u64 b)
{
	return (a * 0x9e3779b97f4a7c15ULL) ^ (b << 13) ^ (b >> 7);
}

static __attribute__((noinline)) int classify(__u32 len, __u32 mark)
{
	if (len > 1500)
		return (int)(mix(len, mark) & 3);
	return (int)((__u32)mix(mark, len) % 5);
}

SEC("tc")
int tc_calls(struct __sk_buff *skb)
{
	return classify(skb->len, skb->mark) + classify(skb->mark, skb->len);
}

SEC("tc")
int tc_div(struct __sk_buff *skb)
{
	__u64 a = skb->len, b = skb->mark | 1;
	__u32 c = skb->hash;
	__u64 s = skb->tstamp;

	a = a / b + a % b;
	c = c / (skb->priority | 3) + c % 7;
	s = s / 3;
	return (int)(a + c + s + (a << 40) + 0x123456789abcdefULL);
}

SEC("socket")
int sock_atomics(struct __sk_buff *skb)
{
	__u32 key = 1;
	__u64 *v = bpf_map_lookup_elem(&counters, &key);
	__u64 old;

	if (!v)
		return 0;
	old = __sync_fetch_and_add(v, 2);
	old += __sync_fetch_and_or(v, 4);
	old += __sync_fetch_and_and(v, ~8ULL);
	old += __sync_fetch_and_xor(v, 16);
	old += __sync_val_compare_and_swap(v, old, 7);
	old += __sync_lock_test_and_set(v, 9);
	__sync_fetch_and_add(v, 1);
	return (int)old;
}

SEC("socket")
int sock_tail_target(struct __sk_buff *skb)
{
	return 1;
}

SEC("socket")
int sock_tail(struct __sk_buff *skb)
{
	bpf_tail_call(skb, &jumps, skb->len & 3);
	bpf_tail_call(skb, &jumps, 0);
	return 0;
}

SEC("socket")
int sock_percpu(struct __sk_buff *skb)
{
	__u32 key = bpf_get_smp_processor_id() & 3;
	__u64 *v = bpf_map_lookup_elem(&percpu, &key);
	__u64 t = bpf_ktime_get_ns();

	if (v)
		*v += t;
	return (int)bpf_get_prandom_u32() & 1;
}

SEC("socket")
int sock_ldimm(struct __sk_buff *skb)
{
	__u64 x = skb->len;

	x ^= 0xdeadbeefcafebabeULL;
	x += 0x8000000000000000ULL;
	x |= 0x7fffffffULL;
	x -= 0xffffffff80000000ULL;
	x *= 0x100000001ULL;
	return (int)(x >> 33) + (int)(x & 0xffffffff);
}

SEC("xdp")
int xdp_bswap(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u32 *p = data;

	if ((void *)(p + 4) > end)
		return XDP_DROP;
	p[0] = __builtin_bswap32(p[1]);
	p[2] = (__u32)__builtin_bswap64(*(__u64 *)p) ^ (__u16)__builtin_bswap16((__u16)p[3]);
	return XDP_PASS;
}

static long loop_cb(__u32 i, void *ctx)
{
	__u64 *sum = ctx;

	*sum += i * 3;
	return *sum > 1000;
}

SEC("tc")
int tc_bpf_loop(struct __sk_buff *skb)
{
	__u64 sum = skb->len;

	bpf_loop(32, loop_cb, &sum, 0);
	return sum & 1;
}

static long each_cb(void *map, __u32 *key, __u64 *val, void *ctx)
{
	*(__u64 *)ctx += *val;
	return 0;
}

SEC("socket")
int sock_for_each(struct __sk_buff *skb)
{
	__u64 sum = 0;

	bpf_for_each_map_elem(&counters, each_cb, &sum, 0);
	return sum & 0xff;
}

SEC("socket")
int sock_stack(struct __sk_buff *skb)
{
	unsigned char buf[256];
	__u32 acc = 0;

	if (bpf_skb_load_bytes(skb, 0, buf, sizeof(buf)) < 0)
		return 0;
	for (int i = 0; i < 256; i += 4)
		acc += buf[i] << (i & 7);
	return acc;
}
