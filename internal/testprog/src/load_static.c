// A static function in a program section: libbpf refuses the object.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("xdp") static int hidden(struct xdp_md *ctx) { return XDP_PASS; }
SEC("xdp") int shown(struct xdp_md *ctx) { return hidden(ctx); }
char LICENSE[] SEC("license") = "GPL";
