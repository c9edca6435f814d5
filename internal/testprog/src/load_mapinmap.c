// A map of maps whose slots name two inner maps, filled at load time.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} inner_a SEC(".maps"), inner_b SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, struct inner);
} outer SEC(".maps") = { .values = { &inner_a, &inner_b } };
SEC("xdp") int mim_xdp(struct xdp_md *ctx) { __u32 k = 0; void *m = bpf_map_lookup_elem(&outer, &k); if (!m) return XDP_DROP; return bpf_map_lookup_elem(m, &k) ? XDP_PASS : XDP_DROP; }
char LICENSE[] SEC("license") = "GPL";
