// Targets for the `prog profile` tests: XDP programs that BPF_PROG_TEST_RUN
// can run many times, with BTF (what fentry attaches through).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} profile_hits SEC(".maps");

// A little work per run, so that run_time_ns is more than the call itself.
SEC("xdp")
int profile_target(struct xdp_md *ctx)
{
	__u32 key = 0;
	__u64 *v = bpf_map_lookup_elem(&profile_hits, &key);
	int i;

	if (!v)
		return XDP_PASS;
	for (i = 0; i < 32; i++)
		__sync_fetch_and_add(v, i);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
