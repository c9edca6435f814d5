package loader

import (
	"strings"

	"github.com/cilium/ebpf"
)

// secFlags are libbpf's sec_def_flags that change how a program loads.
type secFlags uint8

const (
	secSleepable secFlags = 1 << iota // BPF_F_SLEEPABLE
	secXDPFrags                       // BPF_F_XDP_HAS_FRAGS for XDP programs
	secAttachBTF                      // the attach target follows the '/'
)

// A Section is one entry of libbpf's section_defs: a section name (exact,
// "name+" for the name or name/extras, "name/" for name/extras only), the
// program type and the expected attach type it implies. `prog load ...
// type NAME` gives every program of an object the Section NAME names.
type Section struct {
	sec    string
	typ    ebpf.ProgramType
	attach ebpf.AttachType
	flags  secFlags
}

// Program types libbpf 1.1 names that cilium/ebpf spells differently.
const (
	progSyscall   = ebpf.Syscall
	progNetfilter = ebpf.Netfilter
)

// Attach types past cilium/ebpf's constants, by their UAPI numbers.
const (
	attachUprobeSession = ebpf.AttachType(57)
)

// secDefs11 is section_defs of libbpf 1.1, the library of the oracle, in
// its order: the first match wins, and its names are what the error for
// an unknown type lists.
var secDefs11 = []Section{
	{"socket", ebpf.SocketFilter, 0, 0},
	{"sk_reuseport/migrate", ebpf.SkReuseport, ebpf.AttachSkReuseportSelectOrMigrate, 0},
	{"sk_reuseport", ebpf.SkReuseport, ebpf.AttachSkReuseportSelect, 0},
	{"kprobe+", ebpf.Kprobe, 0, 0},
	{"uprobe+", ebpf.Kprobe, 0, 0},
	{"uprobe.s+", ebpf.Kprobe, 0, secSleepable},
	{"kretprobe+", ebpf.Kprobe, 0, 0},
	{"uretprobe+", ebpf.Kprobe, 0, 0},
	{"uretprobe.s+", ebpf.Kprobe, 0, secSleepable},
	{"kprobe.multi+", ebpf.Kprobe, ebpf.AttachTraceKprobeMulti, 0},
	{"kretprobe.multi+", ebpf.Kprobe, ebpf.AttachTraceKprobeMulti, 0},
	{"ksyscall+", ebpf.Kprobe, 0, 0},
	{"kretsyscall+", ebpf.Kprobe, 0, 0},
	{"usdt+", ebpf.Kprobe, 0, 0},
	{"tc", ebpf.SchedCLS, 0, 0},
	{"classifier", ebpf.SchedCLS, 0, 0},
	{"action", ebpf.SchedACT, 0, 0},
	{"tracepoint+", ebpf.TracePoint, 0, 0},
	{"tp+", ebpf.TracePoint, 0, 0},
	{"raw_tracepoint+", ebpf.RawTracepoint, 0, 0},
	{"raw_tp+", ebpf.RawTracepoint, 0, 0},
	{"raw_tracepoint.w+", ebpf.RawTracepointWritable, 0, 0},
	{"raw_tp.w+", ebpf.RawTracepointWritable, 0, 0},
	{"tp_btf+", ebpf.Tracing, ebpf.AttachTraceRawTp, secAttachBTF},
	{"fentry+", ebpf.Tracing, ebpf.AttachTraceFEntry, secAttachBTF},
	{"fmod_ret+", ebpf.Tracing, ebpf.AttachModifyReturn, secAttachBTF},
	{"fexit+", ebpf.Tracing, ebpf.AttachTraceFExit, secAttachBTF},
	{"fentry.s+", ebpf.Tracing, ebpf.AttachTraceFEntry, secAttachBTF | secSleepable},
	{"fmod_ret.s+", ebpf.Tracing, ebpf.AttachModifyReturn, secAttachBTF | secSleepable},
	{"fexit.s+", ebpf.Tracing, ebpf.AttachTraceFExit, secAttachBTF | secSleepable},
	{"freplace+", ebpf.Extension, 0, secAttachBTF},
	{"lsm+", ebpf.LSM, ebpf.AttachLSMMac, secAttachBTF},
	{"lsm.s+", ebpf.LSM, ebpf.AttachLSMMac, secAttachBTF | secSleepable},
	{"lsm_cgroup+", ebpf.LSM, ebpf.AttachLSMCgroup, secAttachBTF},
	{"iter+", ebpf.Tracing, ebpf.AttachTraceIter, secAttachBTF},
	{"iter.s+", ebpf.Tracing, ebpf.AttachTraceIter, secAttachBTF | secSleepable},
	{"syscall", progSyscall, 0, secSleepable},
	{"xdp.frags/devmap", ebpf.XDP, ebpf.AttachXDPDevMap, secXDPFrags},
	{"xdp/devmap", ebpf.XDP, ebpf.AttachXDPDevMap, 0},
	{"xdp.frags/cpumap", ebpf.XDP, ebpf.AttachXDPCPUMap, secXDPFrags},
	{"xdp/cpumap", ebpf.XDP, ebpf.AttachXDPCPUMap, 0},
	{"xdp.frags", ebpf.XDP, ebpf.AttachXDP, secXDPFrags},
	{"xdp", ebpf.XDP, ebpf.AttachXDP, 0},
	{"perf_event", ebpf.PerfEvent, 0, 0},
	{"lwt_in", ebpf.LWTIn, 0, 0},
	{"lwt_out", ebpf.LWTOut, 0, 0},
	{"lwt_xmit", ebpf.LWTXmit, 0, 0},
	{"lwt_seg6local", ebpf.LWTSeg6Local, 0, 0},
	{"sockops", ebpf.SockOps, ebpf.AttachCGroupSockOps, 0},
	{"sk_skb/stream_parser", ebpf.SkSKB, ebpf.AttachSkSKBStreamParser, 0},
	{"sk_skb/stream_verdict", ebpf.SkSKB, ebpf.AttachSkSKBStreamVerdict, 0},
	{"sk_skb", ebpf.SkSKB, 0, 0},
	{"sk_msg", ebpf.SkMsg, ebpf.AttachSkMsgVerdict, 0},
	{"lirc_mode2", ebpf.LircMode2, ebpf.AttachLircMode2, 0},
	{"flow_dissector", ebpf.FlowDissector, ebpf.AttachFlowDissector, 0},
	{"cgroup_skb/ingress", ebpf.CGroupSKB, ebpf.AttachCGroupInetIngress, 0},
	{"cgroup_skb/egress", ebpf.CGroupSKB, ebpf.AttachCGroupInetEgress, 0},
	{"cgroup/skb", ebpf.CGroupSKB, 0, 0},
	{"cgroup/sock_create", ebpf.CGroupSock, ebpf.AttachCGroupInetSockCreate, 0},
	{"cgroup/sock_release", ebpf.CGroupSock, ebpf.AttachCgroupInetSockRelease, 0},
	{"cgroup/sock", ebpf.CGroupSock, ebpf.AttachCGroupInetSockCreate, 0},
	{"cgroup/post_bind4", ebpf.CGroupSock, ebpf.AttachCGroupInet4PostBind, 0},
	{"cgroup/post_bind6", ebpf.CGroupSock, ebpf.AttachCGroupInet6PostBind, 0},
	{"cgroup/bind4", ebpf.CGroupSockAddr, ebpf.AttachCGroupInet4Bind, 0},
	{"cgroup/bind6", ebpf.CGroupSockAddr, ebpf.AttachCGroupInet6Bind, 0},
	{"cgroup/connect4", ebpf.CGroupSockAddr, ebpf.AttachCGroupInet4Connect, 0},
	{"cgroup/connect6", ebpf.CGroupSockAddr, ebpf.AttachCGroupInet6Connect, 0},
	{"cgroup/sendmsg4", ebpf.CGroupSockAddr, ebpf.AttachCGroupUDP4Sendmsg, 0},
	{"cgroup/sendmsg6", ebpf.CGroupSockAddr, ebpf.AttachCGroupUDP6Sendmsg, 0},
	{"cgroup/recvmsg4", ebpf.CGroupSockAddr, ebpf.AttachCGroupUDP4Recvmsg, 0},
	{"cgroup/recvmsg6", ebpf.CGroupSockAddr, ebpf.AttachCGroupUDP6Recvmsg, 0},
	{"cgroup/getpeername4", ebpf.CGroupSockAddr, ebpf.AttachCgroupInet4GetPeername, 0},
	{"cgroup/getpeername6", ebpf.CGroupSockAddr, ebpf.AttachCgroupInet6GetPeername, 0},
	{"cgroup/getsockname4", ebpf.CGroupSockAddr, ebpf.AttachCgroupInet4GetSockname, 0},
	{"cgroup/getsockname6", ebpf.CGroupSockAddr, ebpf.AttachCgroupInet6GetSockname, 0},
	{"cgroup/sysctl", ebpf.CGroupSysctl, ebpf.AttachCGroupSysctl, 0},
	{"cgroup/getsockopt", ebpf.CGroupSockopt, ebpf.AttachCGroupGetsockopt, 0},
	{"cgroup/setsockopt", ebpf.CGroupSockopt, ebpf.AttachCGroupSetsockopt, 0},
	{"cgroup/dev", ebpf.CGroupDevice, ebpf.AttachCGroupDevice, 0},
	{"struct_ops+", ebpf.StructOps, 0, 0},
	{"sk_lookup", ebpf.SkLookup, ebpf.AttachSkLookup, 0},
}

// secDefsNewer are the sections newer libbpf knows and 1.1 does not. They
// are tried only after every 1.1 entry failed, where the oracle gives up,
// so they add names without changing what the oracle accepts.
var secDefsNewer = []Section{
	{"kprobe.session+", ebpf.Kprobe, ebpf.AttachTraceKprobeSession, 0},
	{"uprobe.multi+", ebpf.Kprobe, ebpf.AttachTraceUprobeMulti, 0},
	{"uretprobe.multi+", ebpf.Kprobe, ebpf.AttachTraceUprobeMulti, 0},
	{"uprobe.session+", ebpf.Kprobe, attachUprobeSession, 0},
	{"uprobe.multi.s+", ebpf.Kprobe, ebpf.AttachTraceUprobeMulti, secSleepable},
	{"uretprobe.multi.s+", ebpf.Kprobe, ebpf.AttachTraceUprobeMulti, secSleepable},
	{"uprobe.session.s+", ebpf.Kprobe, attachUprobeSession, secSleepable},
	{"usdt.s+", ebpf.Kprobe, 0, secSleepable},
	{"tc/ingress", ebpf.SchedCLS, ebpf.AttachTCXIngress, 0},
	{"tc/egress", ebpf.SchedCLS, ebpf.AttachTCXEgress, 0},
	{"tcx/ingress", ebpf.SchedCLS, ebpf.AttachTCXIngress, 0},
	{"tcx/egress", ebpf.SchedCLS, ebpf.AttachTCXEgress, 0},
	{"netkit/primary", ebpf.SchedCLS, ebpf.AttachNetkitPrimary, 0},
	{"netkit/peer", ebpf.SchedCLS, ebpf.AttachNetkitPeer, 0},
	{"tracepoint.s+", ebpf.TracePoint, 0, secSleepable},
	{"tp.s+", ebpf.TracePoint, 0, secSleepable},
	{"raw_tracepoint.s+", ebpf.RawTracepoint, 0, secSleepable},
	{"raw_tp.s+", ebpf.RawTracepoint, 0, secSleepable},
	{"tp_btf.s+", ebpf.Tracing, ebpf.AttachTraceRawTp, secAttachBTF | secSleepable},
	{"sk_skb/verdict", ebpf.SkSKB, ebpf.AttachSkSKBVerdict, 0},
	{"cgroup/connect_unix", ebpf.CGroupSockAddr, ebpf.AttachCgroupUnixConnect, 0},
	{"cgroup/sendmsg_unix", ebpf.CGroupSockAddr, ebpf.AttachCgroupUnixSendmsg, 0},
	{"cgroup/recvmsg_unix", ebpf.CGroupSockAddr, ebpf.AttachCgroupUnixRecvmsg, 0},
	{"cgroup/getpeername_unix", ebpf.CGroupSockAddr, ebpf.AttachCgroupUnixGetpeername, 0},
	{"cgroup/getsockname_unix", ebpf.CGroupSockAddr, ebpf.AttachCgroupUnixGetsockname, 0},
	{"struct_ops.s+", ebpf.StructOps, 0, secSleepable},
	{"netfilter", progNetfilter, ebpf.AttachNetfilter, 0},
}

// matches is libbpf's sec_def_matches.
func (d *Section) matches(name string) bool {
	sec := d.sec
	switch sec[len(sec)-1] {
	case '/':
		return strings.HasPrefix(name, sec)
	case '+':
		sec = sec[:len(sec)-1]
		if !strings.HasPrefix(name, sec) {
			return false
		}
		return len(name) == len(sec) || name[len(sec)] == '/'
	}
	return name == sec
}

// FindSection returns the entry of libbpf's section table that a program
// in the ELF section name gets its type from (libbpf's find_sec_def, with
// the names newer libbpf knows after those of the oracle's), or nil if
// libbpf cannot guess a type from name.
func FindSection(name string) *Section {
	for i := range secDefs11 {
		if secDefs11[i].matches(name) {
			return &secDefs11[i]
		}
	}
	for i := range secDefsNewer {
		if secDefsNewer[i].matches(name) {
			return &secDefsNewer[i]
		}
	}
	return nil
}

// SupportedSections returns the list libbpf prints after "supported
// section(type) names are:": the oracle's section names, each after a
// space.
func SupportedSections() string {
	var b strings.Builder
	for _, d := range secDefs11 {
		b.WriteByte(' ')
		b.WriteString(d.sec)
	}
	return b.String()
}
