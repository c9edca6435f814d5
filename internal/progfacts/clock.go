package progfacts

import (
	"time"

	"golang.org/x/sys/unix"
)

// bootClock turns a load time (ns since boot) into wall-clock seconds the
// way bpftool's print_boot_time does, from one reading of both clocks.
type bootClock struct {
	real, boot unix.Timespec
}

func newBootClock() *bootClock {
	var b bootClock
	unix.ClockGettime(unix.CLOCK_REALTIME, &b.real)
	unix.ClockGettime(unix.CLOCK_BOOTTIME, &b.boot)
	return &b
}

func (b *bootClock) wallclock(loadNs uint64) time.Time {
	// C evaluates the nanosecond sum in unsigned 64-bit arithmetic.
	ns := uint64(b.real.Nsec-b.boot.Nsec) + loadNs
	secs := (b.real.Sec - b.boot.Sec) + int64(ns/1e9)
	return time.Unix(secs, 0)
}
