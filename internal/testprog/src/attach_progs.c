// Programs for `prog attach|detach`: one per sockmap attach type and a
// flow dissector.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("sk_msg")
int attach_msg(struct sk_msg_md *msg)
{
	return SK_PASS;
}

SEC("sk_skb/stream_parser")
int attach_parser(struct __sk_buff *skb)
{
	return skb->len;
}

SEC("sk_skb/stream_verdict")
int attach_sverdict(struct __sk_buff *skb)
{
	return SK_PASS;
}

SEC("sk_skb")
int attach_verdict(struct __sk_buff *skb)
{
	return SK_PASS;
}

SEC("flow_dissector")
int attach_flow(struct __sk_buff *skb)
{
	return BPF_OK;
}
