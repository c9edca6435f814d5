// A map the kernel refuses to create (no entries): libbpf retries it
// without BTF, then fails the load.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 0);
	__type(key, __u32);
	__type(value, __u32);
} empty SEC(".maps");
SEC("xdp")
int xdp_e(struct xdp_md *ctx) { __u32 k = 0; return bpf_map_lookup_elem(&empty, &k) ? XDP_PASS : XDP_DROP; }
char LICENSE[] SEC("license") = "GPL";
