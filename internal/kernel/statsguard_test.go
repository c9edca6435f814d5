package kernel

import (
	"os"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// TestStatsGuardSysctl acts as a kernel without BPF_ENABLE_STATS: the
// guard sets the sysctl only when it is 0 and sets it back on Close.
func TestStatsGuardSysctl(t *testing.T) {
	if os.Geteuid() != 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("needs root to write kernel.bpf_stats_enabled")
		}
		t.Skip("needs root to write kernel.bpf_stats_enabled")
	}
	read := func() string {
		b, err := os.ReadFile(statsSysctl)
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(b))
	}
	orig := read()
	t.Cleanup(func() { os.WriteFile(statsSysctl, []byte(orig+"\n"), 0) })
	enableStatsFD = func() (int, error) { return -1, unix.EINVAL }
	t.Cleanup(func() { enableStatsFD = EnableStats })

	for _, start := range []string{"0", "1"} {
		if err := os.WriteFile(statsSysctl, []byte(start+"\n"), 0); err != nil {
			t.Fatal(err)
		}
		g, err := GuardStats()
		if err != nil {
			t.Fatal(err)
		}
		if got := read(); got != "1" {
			t.Errorf("from %s: sysctl %s while guarded, want 1", start, got)
		}
		g.Close()
		g.Close()
		if got := read(); got != start {
			t.Errorf("from %s: sysctl %s after Close", start, got)
		}
	}
}

// TestStatsGuardFD: where BPF_ENABLE_STATS works the sysctl is not touched.
func TestStatsGuardFD(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root for BPF_ENABLE_STATS")
	}
	before, _ := os.ReadFile(statsSysctl)
	g, err := GuardStats()
	if err != nil {
		t.Fatal(err)
	}
	if g.Mode != StatsFD {
		t.Errorf("mode %v, want the fd", g.Mode)
	}
	during, _ := os.ReadFile(statsSysctl)
	g.Close()
	if string(before) != string(during) {
		t.Errorf("sysctl changed from %q to %q", before, during)
	}
}
