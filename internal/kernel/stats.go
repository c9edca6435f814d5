package kernel

import "unsafe"

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
