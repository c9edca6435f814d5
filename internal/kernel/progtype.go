package kernel

// progTypeNames are the kernel's lower-case names of program types
// (enum bpf_prog_type), as libbpf prints them.
var progTypeNames = []string{
	"unspec", "socket_filter", "kprobe", "sched_cls", "sched_act",
	"tracepoint", "xdp", "perf_event", "cgroup_skb", "cgroup_sock",
	"lwt_in", "lwt_out", "lwt_xmit", "sock_ops", "sk_skb",
	"cgroup_device", "sk_msg", "raw_tracepoint", "cgroup_sock_addr",
	"lwt_seg6local", "lirc_mode2", "sk_reuseport", "flow_dissector",
	"cgroup_sysctl", "raw_tracepoint_writable", "cgroup_sockopt",
	"tracing", "struct_ops", "ext", "lsm", "sk_lookup", "syscall",
	"netfilter",
}

// ProgTypeName returns the name of program type t among the first known
// types, and false past them or for an unknown type.
func ProgTypeName(t uint32, known int) (string, bool) {
	if int(t) >= len(progTypeNames) || int(t) >= known {
		return "", false
	}
	return progTypeNames[t], true
}

// ProgTypeByName is the inverse of ProgTypeName over every type we know.
func ProgTypeByName(name string) (uint32, bool) {
	for i, n := range progTypeNames {
		if n == name {
			return uint32(i), true
		}
	}
	return 0, false
}
