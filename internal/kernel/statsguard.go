package kernel

import (
	"bytes"
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// statsSysctl is the system-wide switch of run statistics, the only one
// before Linux 5.8 brought BPF_ENABLE_STATS.
const statsSysctl = "/proc/sys/kernel/bpf_stats_enabled"

// StatsMode says how a StatsGuard keeps run statistics on.
type StatsMode int

const (
	// StatsFD holds a BPF_ENABLE_STATS fd; the sysctl is not touched.
	StatsFD StatsMode = iota
	// StatsSysctl set kernel.bpf_stats_enabled and restores 0 on Close.
	StatsSysctl
	// StatsAlreadyOn found the sysctl on and leaves it so.
	StatsAlreadyOn
)

func (m StatsMode) String() string {
	switch m {
	case StatsFD:
		return "on (BPF_ENABLE_STATS)"
	case StatsSysctl:
		return "on (sysctl, restored at exit)"
	}
	return "on (sysctl)"
}

// StatsGuard keeps the kernel's run statistics on until Close.
type StatsGuard struct {
	Mode    StatsMode
	fd      int
	restore bool // the sysctl is ours to set back to 0
}

// enableStatsFD is EnableStats, replaced by tests to act as a kernel
// without BPF_ENABLE_STATS.
var enableStatsFD = EnableStats

// GuardStats turns run statistics on: with a BPF_ENABLE_STATS fd where
// the kernel has it; otherwise by setting kernel.bpf_stats_enabled, only
// if it was 0, for Close to set back. The caller defers Close on every
// path, panics included.
func GuardStats() (*StatsGuard, error) {
	fd, err := enableStatsFD()
	if err == nil {
		return &StatsGuard{Mode: StatsFD, fd: fd}, nil
	}
	if !errors.Is(err, unix.EINVAL) {
		return nil, err
	}
	cur, rerr := os.ReadFile(statsSysctl)
	if rerr != nil {
		return nil, err
	}
	if string(bytes.TrimSpace(cur)) != "0" {
		return &StatsGuard{Mode: StatsAlreadyOn, fd: -1}, nil
	}
	if werr := os.WriteFile(statsSysctl, []byte("1\n"), 0); werr != nil {
		return nil, werr
	}
	return &StatsGuard{Mode: StatsSysctl, fd: -1, restore: true}, nil
}

// Close ends what GuardStats began; it may be called more than once.
func (g *StatsGuard) Close() error {
	if g == nil {
		return nil
	}
	Close(g.fd)
	g.fd = -1
	if g.restore {
		g.restore = false
		return os.WriteFile(statsSysctl, []byte("0\n"), 0)
	}
	return nil
}
