// A map pinned by name (LIBBPF_PIN_BY_NAME): created and pinned under
// /sys/fs/bpf on the first load, reused by the next.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} gobpftool_pinned_cnt SEC(".maps");
SEC("xdp") int xdp_pinned(struct xdp_md *ctx) { __u32 k = 0; __u64 *v = bpf_map_lookup_elem(&gobpftool_pinned_cnt, &k); if (v) (*v)++; return XDP_PASS; }
char LICENSE[] SEC("license") = "GPL";
