package prog_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gobpftool/gobpftool/internal/kernel"
	"github.com/gobpftool/gobpftool/internal/testprog"
)

// statsSysctl reads kernel.bpf_stats_enabled, which the streaming
// commands must leave as they found it whatever ends them.
func statsSysctl(t *testing.T) string {
	t.Helper()
	v, err := kernel.ReadSysctl(kernel.StatsSysctl)
	if err != nil {
		t.Skipf("no kernel.bpf_stats_enabled: %v", err)
	}
	return v
}

// startProfile starts `-j prog profile id ID run_cnt run_time_ns`, with no
// duration, and waits until its window is open: it holds the run
// statistics' fd, and its signal handlers are set by then.
func startProfile(t *testing.T, bin, id string) *tracelogProc {
	t.Helper()
	p := startProc(t, exec.Command(bin, "-j", "prog", "profile", "id", id, "run_cnt", "run_time_ns"))
	fdDir := fmt.Sprintf("/proc/%d/fd", p.cmd.Process.Pid)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		ents, err := os.ReadDir(fdDir)
		if err != nil {
			t.Fatalf("profile ended early: %+v", p.wait(t))
		}
		for _, e := range ents {
			if l, _ := os.Readlink(filepath.Join(fdDir, e.Name())); l == "anon_inode:bpf-stats" {
				time.Sleep(200 * time.Millisecond) // the window opens right after
				return p
			}
		}
	}
	t.Fatalf("the profile never enabled run statistics; stderr %q", p.errOut.String())
	return nil
}

// TestStreamingSIGQUIT: SIGQUIT ends `prog profile -j` and `prog -j
// tracelog` as SIGTERM does: the JSON is closed, the exit status is
// SIGTERM's, no goroutine dump appears on stderr, and the stats sysctl is
// as it was.
func TestStreamingSIGQUIT(t *testing.T) {
	testprog.Privileged(t)
	bin := testprog.Binary(t)
	sysctl := statsSysctl(t)

	t.Run("profile", func(t *testing.T) {
		coll := testprog.Load(t, "profile_target")
		id := fmt.Sprint(testprog.ProgID(t, coll.Programs["profile_target"]))
		in := runFile(t, "pkt", make([]byte, 64))
		codes := map[syscall.Signal]int{}
		for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGQUIT} {
			p := startProfile(t, bin, id)
			if r := ours("prog", "run", "id", id, "data_in", in, "repeat", "10"); r.code != 0 {
				t.Fatalf("run: %+v", r)
			}
			r := p.stop(t, sig)
			codes[sig] = r.code
			var rows []struct {
				Metric string
				RunCnt uint64 `json:"run_cnt"`
				Value  uint64
			}
			if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil || len(rows) != 2 || !strings.HasSuffix(r.stdout, "]\n") {
				t.Fatalf("%v: not the closed JSON array: %q (%v)", sig, r.stdout, err)
			}
			if rows[0].Metric != "run_cnt" || rows[0].RunCnt == 0 || rows[0].RunCnt > 10 {
				t.Errorf("%v: rows %+v", sig, rows)
			}
			if r.stderr != "" {
				t.Errorf("%v: stderr %q", sig, r.stderr)
			}
			if v := statsSysctl(t); v != sysctl {
				t.Errorf("%v: kernel.bpf_stats_enabled %q, was %q", sig, v, sysctl)
			}
		}
		if codes[syscall.SIGQUIT] != codes[syscall.SIGTERM] || codes[syscall.SIGTERM] != 0 {
			t.Errorf("exit status: %v", codes)
		}
	})

	t.Run("tracelog", func(t *testing.T) {
		coll := testprog.Load(t, "tracelog_printk")
		id := fmt.Sprint(testprog.ProgID(t, coll.Programs["tracelog_printk"]))
		codes := map[syscall.Signal]int{}
		for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGQUIT} {
			p, ok := startTracelog(t, bin, "-j", "prog", "tracelog")
			if !ok {
				t.Fatalf("tracelog ended early: %+v", p.wait(t))
			}
			want := tracelogTrigger(t, id, p)
			r := p.stop(t, sig)
			codes[sig] = r.code
			var lines []string
			if err := json.Unmarshal([]byte(r.stdout), &lines); err != nil || !strings.HasSuffix(r.stdout, "]\n") {
				t.Fatalf("%v: not a closed array: %q (%v)", sig, r.stdout, err)
			}
			if !strings.Contains(strings.Join(lines, ""), want) || r.stderr != "" {
				t.Errorf("%v: stderr %q, line %q in %q", sig, r.stderr, want, lines)
			}
			if v := statsSysctl(t); v != sysctl {
				t.Errorf("%v: kernel.bpf_stats_enabled %q, was %q", sig, v, sysctl)
			}
		}
		if codes[syscall.SIGQUIT] != codes[syscall.SIGTERM] || codes[syscall.SIGTERM] != 0 {
			t.Errorf("exit status: %v", codes)
		}
	})
}
