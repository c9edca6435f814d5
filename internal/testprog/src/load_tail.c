// A tail-call program array filled at load time from its definition
// (`__array(values, ...)`), as libbpf fills it once programs are loaded.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("xdp") int tail_a(struct xdp_md *ctx);
SEC("xdp") int tail_b(struct xdp_md *ctx) { return XDP_DROP; }
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__uint(key_size, sizeof(__u32));
	__array(values, int (void *));
} jt SEC(".maps") = {
	.values = { [1] = (void *)&tail_b },
};
SEC("xdp") int tail_a(struct xdp_md *ctx) { bpf_tail_call(ctx, &jt, 1); return XDP_PASS; }
char LICENSE[] SEC("license") = "GPL";
