package profiler

import (
	"testing"

	"github.com/cilium/ebpf"

	"github.com/gobpftool/gobpftool/internal/kernel"
	"github.com/gobpftool/gobpftool/internal/testprog"
)

// sysctlNow reads kernel.bpf_stats_enabled, which every test must leave
// as it found it (other processes on the machine read it too).
func sysctlNow(t *testing.T) string {
	t.Helper()
	v, err := kernel.ReadSysctl(kernel.StatsSysctl)
	if err != nil {
		t.Skipf("no kernel.bpf_stats_enabled: %v", err)
	}
	return v
}

// profTarget loads the BTF-carrying XDP target; closed at cleanup.
func profTarget(t *testing.T) *ebpf.Program {
	t.Helper()
	return testprog.Load(t, "profile_target").Programs["profile_target"]
}

// testRuns test-runs p n times and fails the test on an error.
func testRuns(t *testing.T, p *ebpf.Program, n int) {
	t.Helper()
	if _, err := p.Run(&ebpf.RunOptions{Data: make([]byte, 64), Repeat: uint32(n)}); err != nil {
		t.Fatal(err)
	}
}
