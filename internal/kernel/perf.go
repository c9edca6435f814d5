package kernel

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// PerfCounter names one perf event: a type (PERF_TYPE_*) and a config
// within it.
type PerfCounter struct {
	Type   uint32
	Config uint64
}

// PerfEventOpenCPU opens a counter for every task on one CPU, counting
// kernel (and hypervisor) work only, as bpftool's profiler does: the
// programs it measures run in the kernel. The counter starts enabled.
func PerfEventOpenCPU(pc PerfCounter, cpu int) (int, error) {
	attr := unix.PerfEventAttr{
		Type:   pc.Type,
		Config: pc.Config,
		Size:   uint32(unsafe.Sizeof(unix.PerfEventAttr{})),
		Bits:   unix.PerfBitExcludeUser,
	}
	fd, err := unix.PerfEventOpen(&attr, -1, cpu, -1, unix.PERF_FLAG_FD_CLOEXEC)
	if err != nil {
		return -1, err
	}
	return fd, nil
}

// PerfEventEnable starts a perf event counting (PERF_EVENT_IOC_ENABLE).
func PerfEventEnable(fd int) error {
	return unix.IoctlSetInt(fd, unix.PERF_EVENT_IOC_ENABLE, 0)
}
