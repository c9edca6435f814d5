package compat

// LoadStrictWarning: the oracle (bpftool from Linux 6.1) prints a warning
// about libbpf's strict mode after a failed `prog load` unless -l; newer
// bpftool dropped it with the --legacy option.
const LoadStrictWarning = true

// LoadDevDeprecated: newer bpftool warns that `dev NAME` is deprecated in
// favour of offload_dev and xdpmeta_dev; the oracle knows only `dev` and
// says nothing.
const LoadDevDeprecated = false

// LoadExpectedArgs is the oracle's message for an unknown keyword of
// `prog load`. Newer bpftool lists 'type', 'map', 'offload_dev',
// 'xdpmeta_dev', 'pinmaps', 'autoattach', or 'kernel_btf'.
const LoadExpectedArgs = "expected no more arguments, 'type', 'map' or 'dev', got: '%s'?"

// LoadMmapAllData: the oracle's libbpf (Linux 6.1's copy) makes every
// global data map BPF_F_MMAPABLE; libbpf from 1.1 on (Linux 6.2) only
// those with a non-static variable, so string literals alone (.rodata of
// bpf_printk) stay plain.
const LoadMmapAllData = true
