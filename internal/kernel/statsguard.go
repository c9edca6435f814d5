package kernel

import (
	"errors"
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// statsSysctl is the system-wide switch of run statistics.
const statsSysctl = "/proc/sys/kernel/bpf_stats_enabled"

// StatsGuard keeps the kernel's run statistics on until Close. It holds
// a BPF_ENABLE_STATS fd where the kernel has the command (5.8+), and
// otherwise sets kernel.bpf_stats_enabled, but only if it was 0, and puts
// it back to 0 on Close.
type StatsGuard struct {
	fd      int
	restore bool
}

// GuardStats turns run statistics on for as long as the guard is open.
func GuardStats() (*StatsGuard, error) {
	fd, err := EnableStats()
	if err == nil {
		return &StatsGuard{fd: fd}, nil
	}
	if !errors.Is(err, unix.EINVAL) {
		return nil, err
	}
	if StatsSysctlOn() {
		return &StatsGuard{fd: -1}, nil
	}
	if err := os.WriteFile(statsSysctl, []byte("1\n"), 0); err != nil {
		return nil, err
	}
	return &StatsGuard{fd: -1, restore: true}, nil
}

// Close ends what GuardStats began; it may be called more than once.
func (g *StatsGuard) Close() error {
	if g.fd >= 0 {
		Close(g.fd)
		g.fd = -1
	}
	if g.restore {
		g.restore = false
		return os.WriteFile(statsSysctl, []byte("0\n"), 0)
	}
	return nil
}

// StatsSysctlOn reports whether kernel.bpf_stats_enabled is set. It says
// nothing of BPF_ENABLE_STATS fds, which the kernel does not show.
func StatsSysctlOn() bool {
	b, err := os.ReadFile(statsSysctl)
	return err == nil && strings.TrimSpace(string(b)) != "0"
}
