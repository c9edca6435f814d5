// Programs for the `prog run` tests, one per type the kernel can test-run,
// each computing something the test can predict from the input it built.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

// Swaps the Ethernet addresses and sends the packet back; 14 bytes or
// fewer cannot hold a header: abort.
SEC("xdp")
int run_xdp(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data;
	unsigned char *end = (void *)(long)ctx->data_end;
	unsigned char tmp;

	if (data + ETH_HLEN > end)
		return XDP_ABORTED;
	for (int i = 0; i < ETH_ALEN; i++) {
		tmp = data[i];
		data[i] = data[i + ETH_ALEN];
		data[i + ETH_ALEN] = tmp;
	}
	return XDP_TX;
}

// Bumps the mark, records the length in cb[0], inverts the last byte of
// the packet and returns the packet's length plus the new mark.
SEC("tc")
int run_tc(struct __sk_buff *skb)
{
	unsigned char *data = (void *)(long)skb->data;
	unsigned char *end = (void *)(long)skb->data_end;

	skb->mark += 1;
	skb->cb[0] = skb->len;
	if (data + 15 <= end)
		data[14] ^= 0xff;
	return skb->len + skb->mark;
}

SEC("socket")
int run_socket(struct __sk_buff *skb)
{
	return skb->len * 2;
}

SEC("flow_dissector")
int run_flow(struct __sk_buff *skb)
{
	struct bpf_flow_keys *keys = skb->flow_keys;

	keys->ip_proto = 17;
	keys->sport = 0x1234;
	keys->dport = 0x5678;
	keys->thoff = keys->nhoff + 20;
	return BPF_OK;
}

SEC("cgroup_skb/ingress")
int run_cgskb(struct __sk_buff *skb)
{
	return skb->len > 20 ? 1 : 0;
}

SEC("lwt_in")
int run_lwt(struct __sk_buff *skb)
{
	return skb->len == 40 ? BPF_OK : BPF_DROP;
}

// Passes connections to local port 80, drops the others.
SEC("sk_lookup")
int run_sklookup(struct bpf_sk_lookup *ctx)
{
	return ctx->local_port == 80 ? SK_PASS : SK_DROP;
}

// Neither reads its context: bpftool can only run them without one
// (repeat 0, no ctx_in), since it always asks for an output context.
SEC("raw_tp/sys_enter")
int run_rawtp(void *ctx)
{
	return 42;
}

SEC("syscall")
int run_syscall(void *ctx)
{
	return 7;
}

// Reads its arguments: needs a context bpftool cannot give alone.
SEC("raw_tp/sys_exit")
int run_rawtp_args(__u64 *ctx)
{
	return ctx[0] + ctx[1];
}

// Tracepoints cannot be test-run at all.
SEC("tracepoint/syscalls/sys_enter_getpid")
int run_tracepoint(void *ctx)
{
	return 0;
}
