package kernel

import (
	"runtime"
	"unsafe"

	"golang.org/x/sys/unix"
)

// RaiseMemlock is libbpf's bump_rlimit_memlock: on kernels that charge
// BPF memory to RLIMIT_MEMLOCK (before 5.11) it lifts the limit, as
// bpftool's libbpf does before it creates maps or loads programs; where
// memory is charged to the memory cgroup it leaves the limit alone.
//
// cilium/ebpf's rlimit package does the same, but probes the kernel in
// its package init, in every command: a map created and
// /proc/self/mountinfo read before main, and the Go runtime's poller
// opened (two fds a low `ulimit -n` cannot spare).
func RaiseMemlock() {
	if memcgAccounting() {
		return
	}
	inf := unix.Rlimit{Cur: unix.RLIM_INFINITY, Max: unix.RLIM_INFINITY}
	unix.Setrlimit(unix.RLIMIT_MEMLOCK, &inf)
}

// memcgAccounting is libbpf's probe_memcg_account: the helper
// bpf_ktime_get_coarse_ns arrived in 5.11 with memcg accounting, so a
// program that calls it loads only where BPF memory is charged to
// cgroups.
func memcgAccounting() bool {
	const (
		progTypeCgroupSKB  = 8
		helperKtimeCoarse  = 160
		opCall, opMovImm64 = 0x85, 0xb7
		opExit             = 0x95
	)
	insns := []uint64{
		opCall | helperKtimeCoarse<<32,
		opMovImm64, // r0 = 0
		opExit,
	}
	license := []byte("GPL\x00")
	la := progLoadAttr{
		progType: progTypeCgroupSKB, insnCnt: uint32(len(insns)),
		insns: ptr(insns), license: ptr(license),
	}
	fd, err := bpf(cmdProgLoad, unsafe.Pointer(&la), unsafe.Sizeof(la))
	runtime.KeepAlive(insns)
	runtime.KeepAlive(license)
	if err != nil {
		return false
	}
	unix.Close(int(fd))
	return true
}
