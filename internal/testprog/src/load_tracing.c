// BTF-attached programs: fentry and LSM, which this kernel refuses with
// EPERM before the verifier runs, and an iterator, whose attach target
// libbpf looks up in the kernel's BTF.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("iter/bpf_map")
int tracing_iter(void *ctx)
{
	return 0;
}

SEC("fentry/do_unlinkat")
int tracing_fentry(void *ctx)
{
	return 0;
}

SEC("lsm/file_open")
int tracing_lsm(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
