package profiler

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/gobpftool/gobpftool/internal/testprog"
	"golang.org/x/sys/unix"
)

// TestEnableStatsFD: on this kernel the fd holds the statistics on, the
// counters count while it is held, and the sysctl never moves.
func TestEnableStatsFD(t *testing.T) {
	p := profTarget(t)
	sysctl := sysctlNow(t)
	if sysctl != "0" {
		t.Logf("kernel.bpf_stats_enabled is %q: the stop after Close cannot be seen", sysctl)
	}
	before := testprog.OpenFDs(t)
	stats, err := EnableStats()
	if err != nil {
		t.Fatal(err)
	}
	if m := stats.Mechanism(); m != StatsFD {
		t.Fatalf("mechanism %v on a kernel with BPF_ENABLE_STATS", m)
	}
	if v := sysctlNow(t); v != sysctl {
		t.Errorf("the fd moved the sysctl: %q, was %q", v, sysctl)
	}
	s0, _ := p.Stats()
	testRuns(t, p, 100)
	s1, _ := p.Stats()
	if d := s1.RunCount - s0.RunCount; d != 100 || s1.Runtime <= s0.Runtime {
		t.Errorf("held: %d runs counted, run time %v -> %v", d, s0.Runtime, s1.Runtime)
	}
	if err := stats.Close(); err != nil {
		t.Fatal(err)
	}
	if err := stats.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if sysctl == "0" {
		// Not an error: another process on the machine may hold the
		// statistics on (the kernel counts every holder).
		testRuns(t, p, 100)
		if s2, _ := p.Stats(); s2.RunCount != s1.RunCount {
			t.Logf("closed: still counting (%d -> %d): another holder?", s1.RunCount, s2.RunCount)
		}
	}
	if v := sysctlNow(t); v != sysctl {
		t.Errorf("sysctl %q after Close, was %q", v, sysctl)
	}
	before.Same(t)
}

// TestEnableStatsFallback plays a kernel before 5.8 (BPF_ENABLE_STATS is
// EINVAL) on a file standing in for the sysctl: set only when it was 0,
// restored on Close; other errors are not hidden by the fallback.
func TestEnableStatsFallback(t *testing.T) {
	file := filepath.Join(t.TempDir(), "bpf_stats_enabled")
	oldFD, oldSysctl := enableStatsFD, statsSysctl
	t.Cleanup(func() { enableStatsFD, statsSysctl = oldFD, oldSysctl })
	statsSysctl = file
	enableStatsFD = func() (int, error) { return -1, unix.EINVAL }

	for _, tc := range []struct {
		was  string
		mech StatsMechanism
		held string
	}{{"0\n", StatsSysctl, "1"}, {"1\n", StatsAlreadyOn, "1\n"}} {
		if err := os.WriteFile(file, []byte(tc.was), 0o644); err != nil {
			t.Fatal(err)
		}
		stats, err := EnableStats()
		if err != nil {
			t.Fatal(err)
		}
		if stats.Mechanism() != tc.mech {
			t.Errorf("was %q: mechanism %v, want %v", tc.was, stats.Mechanism(), tc.mech)
		}
		if b, _ := os.ReadFile(file); string(b) != tc.held {
			t.Errorf("was %q: %q while held", tc.was, b)
		}
		stats.Close()
		want := tc.was
		if tc.mech == StatsSysctl {
			want = "0"
		}
		if b, _ := os.ReadFile(file); string(b) != want {
			t.Errorf("was %q: %q after Close", tc.was, b)
		}
	}

	// The profile window keeps bpftool's behaviour: no fallback.
	if _, err := openStats(false); !errors.Is(err, ErrStats) || !errors.Is(err, unix.EINVAL) {
		t.Errorf("profile's stats: %v", err)
	}
	// EPERM is a refusal, not an old kernel.
	enableStatsFD = func() (int, error) { return -1, unix.EPERM }
	if _, err := EnableStats(); !errors.Is(err, ErrStats) || !errors.Is(err, unix.EPERM) {
		t.Errorf("EPERM: %v", err)
	}
	// No sysctl either.
	enableStatsFD = func() (int, error) { return -1, unix.EINVAL }
	statsSysctl = filepath.Join(t.TempDir(), "none")
	if _, err := EnableStats(); !errors.Is(err, ErrStats) || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("no sysctl: %v", err)
	}
}
