package profiler

import (
	"context"
	"errors"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gobpftool/gobpftool/internal/kernel"
	"github.com/gobpftool/gobpftool/internal/testprog"
)

// TestProfileCancel: a library caller ends an endless window with its
// context, without any signal; the readings are those of the window,
// nothing stays open and the sysctl is as it was.
func TestProfileCancel(t *testing.T) {
	p := profTarget(t)
	sysctl := sysctlNow(t)
	info, err := p.Info()
	if err != nil {
		t.Fatal(err)
	}
	id, _ := info.ID()
	fd, err := kernel.ProgFDByID(uint32(id))
	if err != nil {
		t.Fatal(err)
	}
	defer kernel.Close(fd)
	before := testprog.OpenFDs(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	res, err := Profile(ctx, fd, []string{"run_cnt", "run_time_ns"}, Options{
		Window: time.Duration(1<<63 - 1),
		WindowOpen: func() {
			testRuns(t, p, 50)
			cancel()
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.RunCnt != 50 || res.StatsRunCnt != 50 || res.StatsRunTimeNs == 0 || len(res.Rows) != 2 ||
		res.Rows[0].Value.Counter != 50 || res.Rows[1].Value.Counter != res.StatsRunTimeNs || res.Duration <= 0 {
		t.Errorf("result %+v", res)
	}
	if v := sysctlNow(t); v != sysctl {
		t.Errorf("sysctl %q, was %q", v, sysctl)
	}
	before.Same(t)

	// Bad selections are errors to test for, before anything opens.
	for _, tc := range []struct {
		names []string
		want  error
	}{
		{[]string{"cyc"}, ErrUnknownMetric},
		{nil, ErrNoMetrics},
		{[]string{"cycles", "instructions", "l1d_loads", "llc_misses", "itlb_misses"}, ErrTooManyCounters},
	} {
		if _, err := Profile(ctx, fd, tc.names, Options{}); !errors.Is(err, tc.want) {
			t.Errorf("%q: %v, want %v", tc.names, err, tc.want)
		}
	}
	before.Same(t)
}

// TestProfileRefusedTyped: where the kernel refuses fentry, the error says
// which step failed and wraps the errno.
func TestProfileRefusedTyped(t *testing.T) {
	p := profTarget(t)
	fd, err := unix.FcntlInt(uintptr(p.FD()), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer kernel.Close(fd)
	before := testprog.OpenFDs(t)
	res, err := Profile(context.Background(), fd, []string{"cpu_clock"}, Options{})
	if err == nil {
		t.Skipf("this kernel profiles with fentry: %+v", res)
	}
	var pe *Error
	if !errors.As(err, &pe) || (pe.Op != OpLoad && pe.Op != OpEvent && pe.Op != OpAttach) || pe.FD != fd {
		t.Fatalf("error %#v", err)
	}
	if pe.Op == OpLoad && !errors.Is(err, unix.EPERM) && !errors.Is(err, unix.EACCES) {
		t.Logf("load refused for another reason: %v", err)
	}
	before.Same(t)
}
