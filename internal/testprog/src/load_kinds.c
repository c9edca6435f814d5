// One program per section kind that sets more than the type: an expected
// attach type, BPF_F_SLEEPABLE or BPF_F_XDP_HAS_FRAGS, a BTF attach
// target. Each must load with the flags and attach type libbpf gives it.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp.frags")
int kinds_frags(struct xdp_md *ctx) { return XDP_PASS; }

SEC("xdp/devmap")
int kinds_devmap(struct xdp_md *ctx) { return XDP_PASS; }

SEC("syscall")
int kinds_syscall(void *ctx) { return 0; }

SEC("sk_lookup")
int kinds_sk_lookup(struct bpf_sk_lookup *ctx) { return SK_PASS; }

SEC("sockops")
int kinds_sockops(struct bpf_sock_ops *ctx) { return 1; }

SEC("sk_msg")
int kinds_sk_msg(struct sk_msg_md *ctx) { return SK_PASS; }

SEC("sk_skb/stream_verdict")
int kinds_verdict(struct __sk_buff *skb) { return SK_PASS; }

SEC("flow_dissector")
int kinds_flow(struct __sk_buff *skb) { return 0; }

SEC("cgroup/dev")
int kinds_dev(struct bpf_cgroup_dev_ctx *ctx) { return 1; }

SEC("cgroup/sysctl")
int kinds_sysctl(struct bpf_sysctl *ctx) { return 1; }

SEC("cgroup/getsockopt")
int kinds_getsockopt(struct bpf_sockopt *ctx) { return 1; }

SEC("cgroup/sock_release")
int kinds_release(struct bpf_sock *ctx) { return 1; }

SEC("lwt_in")
int kinds_lwt(struct __sk_buff *skb) { return 0; }

SEC("perf_event")
int kinds_perf(void *ctx) { return 0; }

SEC("raw_tp.w/sys_enter")
int kinds_raw_w(void *ctx) { return 0; }

SEC("iter/task")
int kinds_iter(void *ctx) { return 0; }

SEC("tp_btf/sched_switch")
int kinds_tp_btf(void *ctx) { return 0; }

char LICENSE[] SEC("license") = "GPL";
