package kernel

import (
	"os"
	"strings"
	"unsafe"
)

// statsRunTime is BPF_STATS_RUN_TIME, the only kind of BPF_ENABLE_STATS.
const statsRunTime = 0

// EnableStats turns on the kernel's per-program run statistics (run_cnt,
// run_time_ns) for as long as the returned fd stays open. Unlike writing
// kernel.bpf_stats_enabled, it leaves the system setting as it was: the
// kernel counts holders, and closing the fd drops this one.
func EnableStats() (int, error) {
	a := struct{ typ uint32 }{statsRunTime}
	fd, err := bpf(cmdEnableStats, unsafe.Pointer(&a), unsafe.Sizeof(a))
	if err != nil {
		return -1, err
	}
	return int(fd), nil
}

// StatsSysctl is the sysctl that turns run statistics on for the whole
// system, the only switch kernels before 5.8 (no BPF_ENABLE_STATS) have.
const StatsSysctl = "/proc/sys/kernel/bpf_stats_enabled"

// ReadSysctl returns a sysctl file's value without its line end.
func ReadSysctl(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	return strings.TrimSuffix(string(b), "\n"), nil
}

// WriteSysctl sets a sysctl file to value.
func WriteSysctl(path, value string) error {
	return os.WriteFile(path, []byte(value), 0)
}

// StatsSysctlOn reports whether kernel.bpf_stats_enabled is set. It says
// nothing of BPF_ENABLE_STATS fds, which the kernel does not show.
func StatsSysctlOn() bool {
	v, err := ReadSysctl(StatsSysctl)
	return err == nil && strings.TrimSpace(v) != "0"
}
