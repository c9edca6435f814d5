// A BTF map definition with a field libbpf does not know: bpftool refuses
// the object unless -m (relaxed_maps).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
	__uint(frobnicate, 3);
} weird SEC(".maps");

SEC("xdp")
int xdp_weird(struct xdp_md *ctx)
{
	__u32 k = 0;

	return bpf_map_lookup_elem(&weird, &k) ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
