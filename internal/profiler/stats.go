package profiler

import (
	"errors"
	"fmt"
	"sync"

	"golang.org/x/sys/unix"

	"github.com/gobpftool/gobpftool/internal/kernel"
)

// StatsMechanism says how a Stats keeps the kernel's run statistics on.
type StatsMechanism int

const (
	// StatsFD is a BPF_ENABLE_STATS fd (Linux 5.8 and later). The kernel
	// counts its holders, so kernel.bpf_stats_enabled is never touched.
	StatsFD StatsMechanism = iota + 1
	// StatsSysctl is kernel.bpf_stats_enabled, set to 1 because it was 0
	// and set back to 0 by Close: the only switch older kernels have.
	StatsSysctl
	// StatsAlreadyOn is an older kernel whose kernel.bpf_stats_enabled
	// was already 1, so there is nothing to undo.
	StatsAlreadyOn
)

// String names the mechanism as a sentence fragment would.
func (m StatsMechanism) String() string {
	switch m {
	case StatsFD:
		return "BPF_ENABLE_STATS fd"
	case StatsSysctl:
		return "kernel.bpf_stats_enabled, restored on close"
	case StatsAlreadyOn:
		return "kernel.bpf_stats_enabled, already on"
	}
	return fmt.Sprintf("StatsMechanism(%d)", int(m))
}

// ErrStats is the kernel refusing to turn run statistics on; the error
// wraps the kernel's reason too.
var ErrStats = errors.New("cannot enable run statistics")

// Stats keeps the kernel's per-program run statistics (run_cnt and
// run_time_ns) on until it is closed. It is safe for concurrent use.
type Stats struct {
	mu   sync.Mutex
	fd   int
	mech StatsMechanism
	done bool
}

// The kernel calls, replaced by tests that play an older kernel.
var (
	enableStatsFD = kernel.EnableStats
	statsSysctl   = kernel.StatsSysctl
)

// EnableStats turns the kernel's run statistics on for as long as the
// returned Stats stays open. It holds a BPF_ENABLE_STATS fd; on kernels
// without that command (before 5.8, EINVAL) it sets kernel.bpf_stats_enabled
// instead, only when it was 0, and Close sets it back. Two holders of the
// sysctl on an old kernel can undo each other; the fd has no such race.
func EnableStats() (*Stats, error) {
	return openStats(true)
}

// openStats is EnableStats, with the sysctl fallback only when allowed:
// bpftool's profile fails where BPF_ENABLE_STATS does.
func openStats(fallback bool) (*Stats, error) {
	fd, err := enableStatsFD()
	if err == nil {
		return &Stats{fd: fd, mech: StatsFD}, nil
	}
	if !fallback || !errors.Is(err, unix.EINVAL) {
		return nil, fmt.Errorf("%w: %w", ErrStats, err)
	}
	v, serr := kernel.ReadSysctl(statsSysctl)
	if serr != nil {
		return nil, fmt.Errorf("%w: BPF_ENABLE_STATS: %w, and no sysctl: %w", ErrStats, err, serr)
	}
	if v != "0" {
		return &Stats{fd: -1, mech: StatsAlreadyOn}, nil
	}
	if serr := kernel.WriteSysctl(statsSysctl, "1"); serr != nil {
		return nil, fmt.Errorf("%w: BPF_ENABLE_STATS: %w, sysctl: %w", ErrStats, err, serr)
	}
	return &Stats{fd: -1, mech: StatsSysctl}, nil
}

// Mechanism says how s keeps the statistics on.
func (s *Stats) Mechanism() StatsMechanism {
	return s.mech
}

// Close lets the statistics go: it closes the fd, or sets the sysctl back
// to 0 if EnableStats set it. Closing twice does nothing.
func (s *Stats) Close() error {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done {
		return nil
	}
	s.done = true
	switch s.mech {
	case StatsFD:
		return unix.Close(s.fd)
	case StatsSysctl:
		return kernel.WriteSysctl(statsSysctl, "0")
	}
	return nil
}
