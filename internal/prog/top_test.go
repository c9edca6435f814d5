package prog_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cilium/ebpf"

	"github.com/gobpftool/gobpftool/internal/kernel"
	"github.com/gobpftool/gobpftool/internal/testprog"
)

// topSample is one JSON line of `prog top -j`.
type topSample struct {
	Timestamp  float64 `json:"timestamp"`
	IntervalNs int64   `json:"interval_ns"`
	Programs   []struct {
		ID              uint32  `json:"id"`
		Type            string  `json:"type"`
		Name            string  `json:"name"`
		RunCnt          uint64  `json:"run_cnt"`
		RunTimeNs       uint64  `json:"run_time_ns"`
		PeriodRunCnt    uint64  `json:"period_run_cnt"`
		PeriodRunTimeNs uint64  `json:"period_run_time_ns"`
		EventsPerSec    float64 `json:"events_per_sec"`
		AvgRuntimeNs    float64 `json:"avg_runtime_ns"`
		CPUPercent      float64 `json:"cpu_percent"`
		Pids            []struct {
			PID  int    `json:"pid"`
			Comm string `json:"comm"`
		} `json:"pids"`
	} `json:"programs"`
}

// topXDP loads run_progs and returns its XDP program and id.
func topXDP(t *testing.T) (*ebpf.Program, string) {
	t.Helper()
	coll := testprog.Load(t, "run_progs")
	p := coll.Programs["run_xdp"]
	return p, fmt.Sprint(testprog.ProgID(t, p))
}

// runTimes test-runs p n times in one BPF_PROG_TEST_RUN.
func runTimes(t *testing.T, p *ebpf.Program, n int) {
	t.Helper()
	if _, err := p.Run(&ebpf.RunOptions{Data: make([]byte, 64), Repeat: uint32(n)}); err != nil {
		t.Fatal(err)
	}
}

func TestTopBadInput(t *testing.T) {
	testprog.Privileged(t)
	sysctl := statsSysctl(t)
	fds := testprog.OpenFDs(t)
	for _, c := range []struct {
		args   []string
		stderr string // a prefix
		stdout string
	}{
		{[]string{"interval"}, "Usage: gobpftool prog { show | list } [PROG]\n", ""},
		{[]string{"interval", "abc"}, "Error: can't parse interval abc\n", ""},
		{[]string{"interval", "0.05"}, "Error: interval 0.05 out of range: expected 0.1 to 86400 seconds\n", ""},
		// As in bpftool, getopt takes "-1" for an option unless "--" ends them.
		{[]string{"interval", "-1"}, "Error: unrecognized option '-1'\n", ""},
		{[]string{"--", "interval", "-1"}, "Error: interval -1 out of range: expected 0.1 to 86400 seconds\n", ""},
		{[]string{"interval", "NaN"}, "Error: can't parse interval NaN\n", ""},
		{[]string{"interval", "inf"}, "Error: can't parse interval inf\n", ""},
		{[]string{"count"}, "Usage: gobpftool prog { show | list } [PROG]\n", ""},
		{[]string{"count", "0"}, "Error: count must be at least 1\n", ""},
		{[]string{"--", "count", "-2"}, "Error: can't parse count -2\n", ""},
		{[]string{"count", "x"}, "Error: can't parse count x\n", ""},
		{[]string{"interval", "1", "count"}, "Usage: ", ""},
		{[]string{"bogus"}, "Error: expected no more arguments, 'interval' or 'count', got: 'bogus'?\n", ""},
		{[]string{"name", "no_such_program_zz"}, "Error: no program matches name no_such_program_zz\n", ""},
		{[]string{"tag", "0000000000000000"}, "Error: no program matches tag 0000000000000000\n", ""},
		{[]string{"id", "4294967295"}, "Error: get by id (4294967295): No such file or directory\n", ""},
		{[]string{"id"}, "Usage: ", ""},
		{[]string{"pinned", "/sys/fs/bpf/no_such_pin_zz"}, "Error: bpf obj get (/sys/fs/bpf/no_such_pin_zz): No such file or directory\n", ""},
	} {
		args := append([]string{"prog", "top"}, c.args...)
		if c.args[0] == "--" {
			args = append([]string{"--", "prog", "top"}, c.args[1:]...)
		}
		r := ours(args...)
		if r.code != 255 || !strings.HasPrefix(r.stderr, c.stderr) || r.stdout != c.stdout {
			t.Errorf("%q: code %d stdout %q stderr %q, want 255 and %q", args, r.code, r.stdout, r.stderr, c.stderr)
		}
	}
	r := ours("-j", "prog", "top", "count", "0")
	if r.code != 255 || r.stdout != `{"error":"count must be at least 1"}`+"\n" || r.stderr != "" {
		t.Errorf("-j count 0: %+v", r)
	}
	if leaked := fds.Leaked(t); len(leaked) > 0 {
		t.Errorf("bad input leaked %v", leaked)
	}
	if got := statsSysctl(t); got != sysctl {
		t.Errorf("kernel.bpf_stats_enabled %q, was %q", got, sysctl)
	}
}

// TestTopBatch: the plain table and the JSON lines, in-process.
func TestTopBatch(t *testing.T) {
	testprog.Privileged(t)
	_, id := topXDP(t)
	fds := testprog.OpenFDs(t)
	r := ours("prog", "top", "id", id, "interval", "0.1", "count", "3")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("%+v", r)
	}
	tables := strings.Split(r.stdout, "\n\n")
	if len(tables) != 3 {
		t.Fatalf("%d tables, want 3:\n%s", len(tables), r.stdout)
	}
	for _, tb := range tables {
		lines := strings.Split(strings.TrimSuffix(tb, "\n"), "\n")
		if len(lines) != 2 || !strings.HasPrefix(lines[0], "ID") || !strings.Contains(lines[0], "TYPE") ||
			!strings.Contains(lines[0], "NAME") || !strings.Contains(lines[0], "CPU%") {
			t.Fatalf("table %q", tb)
		}
		f := strings.Fields(lines[1])
		if f[0] != id || f[1] != "xdp" || f[2] != "run_xdp" {
			t.Errorf("row %q", lines[1])
		}
	}
	// Every program without PROG, unnamed ones too (the iterator's own
	// program is never listed).
	r = ours("-j", "prog", "top", "interval", "0.1", "count", "2")
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	if r.code != 0 || len(lines) != 2 {
		t.Fatalf("-j: %d lines, %+v", len(lines), r)
	}
	found := false
	for _, l := range lines {
		var s topSample
		if err := json.Unmarshal([]byte(l), &s); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		if s.IntervalNs != 1e8 || s.Timestamp < 1e9 {
			t.Errorf("interval %d timestamp %f", s.IntervalNs, s.Timestamp)
		}
		for _, p := range s.Programs {
			if p.Name == "gobpftool_pids" {
				t.Errorf("our own iterator listed")
			}
			if fmt.Sprint(p.ID) == id {
				found = found || (p.Type == "xdp" && p.Name == "run_xdp" && p.Pids != nil)
			}
		}
	}
	if !found {
		t.Errorf("run_xdp (id %s) not listed: %s", id, r.stdout)
	}
	// -p: pretty objects, one after another.
	r = ours("-p", "prog", "top", "id", id, "interval", "0.1", "count", "2")
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	n := 0
	for {
		var s topSample
		if err := dec.Decode(&s); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("-p: %v\n%s", err, r.stdout)
		}
		n++
	}
	if n != 2 || !strings.Contains(r.stdout, "\n    \"programs\": [\n") {
		t.Errorf("-p: %d objects:\n%s", n, r.stdout)
	}
	if leaked := fds.Leaked(t); len(leaked) > 0 {
		t.Errorf("top leaked %v", leaked)
	}
}

// startTop runs the built binary with args, stdout a pipe read by line.
func startTop(t *testing.T, args ...string) (*exec.Cmd, *bufio.Reader, io.ReadCloser, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(testprog.Binary(t), args...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd, bufio.NewReader(out), out, &errb
}

// TestTopCounting: runs made while top samples are all counted, once,
// and the rates agree with the counts, the times and the kernel.
func TestTopCounting(t *testing.T) {
	testprog.Privileged(t)
	p, id := topXDP(t)
	const samples = 8
	cmd, rd, _, errb := startTop(t, "-j", "prog", "top", "id", id, "interval", "0.2", "count", fmt.Sprint(samples))
	var got []topSample
	runs := map[int]int{1: 1000, 3: 234, 4: 1}
	total := 0
	for len(got) < samples {
		line, err := rd.ReadString('\n')
		if err != nil {
			t.Fatalf("after %d samples: %v (stderr %q)", len(got), err, errb.String())
		}
		var s topSample
		if err := json.Unmarshal([]byte(line), &s); err != nil || len(s.Programs) != 1 {
			t.Fatalf("line %q: %v", line, err)
		}
		got = append(got, s)
		if n := runs[len(got)]; n > 0 {
			runTimes(t, p, n)
			total += n
		}
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("top: %v (stderr %q)", err, errb.String())
	}
	var sumCnt, sumNs uint64
	for i, s := range got {
		q := s.Programs[0]
		sumCnt += q.PeriodRunCnt
		sumNs += q.PeriodRunTimeNs
		if i == 0 {
			if q.PeriodRunCnt != 0 || q.EventsPerSec != 0 {
				t.Errorf("first sample has a period: %+v", q)
			}
			continue
		}
		if q.PeriodRunCnt == 0 {
			if q.EventsPerSec != 0 || q.AvgRuntimeNs != 0 {
				t.Errorf("sample %d: rates without runs: %+v", i, q)
			}
			continue
		}
		// The period the rates imply is the one between the samples.
		period := float64(q.PeriodRunCnt) / q.EventsPerSec
		wall := s.Timestamp - got[i-1].Timestamp
		if math.Abs(period-wall) > 0.01 {
			t.Errorf("sample %d: rate implies a %.4fs period, samples are %.4fs apart", i, period, wall)
		}
		if cpu := float64(q.PeriodRunTimeNs) / (period * 1e9) * 100; math.Abs(cpu-q.CPUPercent) > 1e-6*math.Max(1, cpu) {
			t.Errorf("sample %d: cpu_percent %v, want %v", i, q.CPUPercent, cpu)
		}
		if avg := float64(q.PeriodRunTimeNs) / float64(q.PeriodRunCnt); math.Abs(avg-q.AvgRuntimeNs) > 1e-6*avg {
			t.Errorf("sample %d: avg_runtime_ns %v, want %v", i, q.AvgRuntimeNs, avg)
		}
	}
	first, last := got[0].Programs[0], got[len(got)-1].Programs[0]
	if sumCnt != uint64(total) || last.RunCnt-first.RunCnt != uint64(total) {
		t.Errorf("period runs add up to %d (cumulative %d), want %d", sumCnt, last.RunCnt-first.RunCnt, total)
	}
	if sumNs != last.RunTimeNs-first.RunTimeNs || sumNs == 0 {
		t.Errorf("period times add up to %d, cumulative grew by %d", sumNs, last.RunTimeNs-first.RunTimeNs)
	}
	// Statistics stopped with top: the kernel's counts are its last.
	info, err := kernel.GetProgInfo(p.FD())
	if err != nil {
		t.Fatal(err)
	}
	if info.RunCnt != last.RunCnt || info.RunTimeNs != last.RunTimeNs {
		t.Errorf("kernel run_cnt %d run_time_ns %d, top's last %d %d", info.RunCnt, info.RunTimeNs, last.RunCnt, last.RunTimeNs)
	}
}

// iteratorsLeft counts programs named like our pid iterator that no
// process holds: other tools running on the machine load their own while
// they list programs, held by their fds; one of ours left behind would
// be held by none.
func iteratorsLeft() int {
	holders := kernel.FindHolders(kernel.FDProg, nil)
	n := 0
	var id uint32
	for {
		nid, err := kernel.ProgGetNextID(id)
		if err != nil {
			return n
		}
		id = nid
		fd, err := kernel.ProgFDByID(id)
		if err != nil {
			continue
		}
		if pi, err := kernel.GetProgInfo(fd); err == nil && pi.Name == "gobpftool_pids" && len(holders[id]) == 0 {
			n++
		}
		kernel.Close(fd)
	}
}

// TestTopExitPaths: signals and a closed pipe end batch mode quietly with
// kernel.bpf_stats_enabled as it was and nothing of ours left loaded.
func TestTopExitPaths(t *testing.T) {
	testprog.Privileged(t)
	_, id := topXDP(t)
	sysctl := statsSysctl(t)
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT} {
		cmd, rd, _, errb := startTop(t, "prog", "top", "interval", "0.1")
		if _, err := rd.ReadString('\n'); err != nil {
			t.Fatal(err)
		}
		cmd.Process.Signal(sig)
		go io.Copy(io.Discard, rd)
		if err := cmd.Wait(); err != nil || errb.Len() != 0 {
			t.Errorf("%v: %v, stderr %q", sig, err, errb.String())
		}
		if got := statsSysctl(t); got != sysctl {
			t.Errorf("%v: sysctl %q, was %q", sig, got, sysctl)
		}
	}
	// | head: the reader goes away; the next flush ends top.
	cmd, rd, out, errb := startTop(t, "-j", "prog", "top", "id", id, "interval", "0.1")
	if _, err := rd.ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	out.Close()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil || errb.Len() != 0 {
			t.Errorf("closed pipe: %v, stderr %q", err, errb.String())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("top kept running after its reader left")
	}
	if got := statsSysctl(t); got != sysctl {
		t.Errorf("closed pipe: sysctl %q, was %q", got, sysctl)
	}
	// The pid iterator is loaded and closed in each sample.
	deadline := time.Now().Add(2 * time.Second)
	for iteratorsLeft() > 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if n := iteratorsLeft(); n > 0 {
		t.Errorf("%d pid iterators left loaded", n)
	}
}
