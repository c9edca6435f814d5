package prog

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/link"

	"github.com/gobpftool/gobpftool/internal/cli"
	"github.com/gobpftool/gobpftool/internal/jsonw"
	"github.com/gobpftool/gobpftool/internal/kernel"
	"github.com/gobpftool/gobpftool/internal/profiler"
	"github.com/gobpftool/gobpftool/internal/testprog"
)

// Debian's bpftool, the oracle of the other commands, was built without
// skeletons: `bpftool prog profile ...` prints "not supported" for every
// argument list and checks none of them. The argument errors below are
// therefore bpftool 7.1's (prog.c do_profile, profile_parse_metrics,
// profile_target_name) as its source prints them; TestProfileOracle pins
// down what the Debian binary does, so that a rebuilt oracle shows up.

type profOutput struct {
	stdout, stderr string
	code           int
}

func profCLI(args ...string) profOutput {
	var out, errb bytes.Buffer
	code := cli.Run(args, []cli.Object{{Name: "prog", Run: Run}}, strings.NewReader(""), &out, &errb)
	return profOutput{out.String(), errb.String(), code}
}

// profTarget loads the BTF-carrying XDP target; closed at cleanup.
func profTarget(t testing.TB) (*ebpf.Program, string) {
	t.Helper()
	coll := testprog.Load(t, "profile_target")
	p := coll.Programs["profile_target"]
	return p, strconv.Itoa(int(testprog.ProgID(t, p)))
}

// profNoBTFTarget is an XDP program built in Go, so without BTF.
func profNoBTFTarget(t *testing.T) (*ebpf.Program, string) {
	t.Helper()
	testprog.Privileged(t)
	p, err := ebpf.NewProgram(&ebpf.ProgramSpec{
		Name: "prof_nobtf", Type: ebpf.XDP, License: "GPL",
		Instructions: asm.Instructions{asm.Mov.Imm(asm.R0, 2), asm.Return()},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	info, err := p.Info()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := info.BTFID(); ok {
		t.Skip("cilium/ebpf gave the asm program BTF: no target without BTF")
	}
	return p, strconv.Itoa(int(testprog.ProgID(t, p)))
}

// profWithHook runs fn once the next profile's window is open.
func profWithHook(t testing.TB, fn func()) {
	t.Helper()
	profileWindowOpen = fn
	t.Cleanup(func() { profileWindowOpen = nil })
}

func TestProfileOracle(t *testing.T) {
	bin := testprog.NeedTool(t, "bpftool")
	for _, args := range [][]string{{"prog", "profile"}, {"prog", "profile", "id", "1", "bogus"}, {"-j", "prog", "prof", "id"}} {
		cmd := exec.Command(bin, args...)
		var errb bytes.Buffer
		cmd.Stderr = &errb
		err := cmd.Run()
		msg := "bpftool prog profile command is not supported. Please build bpftool with clang >= 10.0.0"
		want := "Error: " + msg + "\n"
		if args[0] == "-j" {
			want = ""
		}
		if err != nil || errb.String() != want {
			t.Errorf("%q: the oracle now does something else (err %v, stderr %q): compare the argument errors with it", args, err, errb.String())
		}
	}
}

// TestProfileBadInput: every bad input of the issue, with bpftool's message
// and exit status, and nothing left open.
func TestProfileBadInput(t *testing.T) {
	testprog.Privileged(t)
	_, id := profTarget(t)
	_, noBTF := profNoBTFTarget(t)
	help := profCLI("prog", "help").stderr
	profCLI("prog", "profile", "id", id, "bogus") // warm up: lazily opened runtime fds

	type tc struct {
		args   []string
		stderr string // a regexp for the whole of stderr
		stdout string
		code   int
	}
	cases := []tc{
		// No metric: the argument count check catches it first.
		{args: []string{"prog", "profile", "id", id}, code: 234,
			stderr: `Error: 'profile' needs at least 3 arguments, 2 found\n`},
		{args: []string{"prog", "profile"}, code: 234,
			stderr: `Error: 'profile' needs at least 3 arguments, 0 found\n`},
		// The keyword as typed, bpftool's argv[-1].
		{args: []string{"prog", "prof", "id"}, code: 234,
			stderr: `Error: 'prof' needs at least 3 arguments, 1 found\n`},
		{args: []string{"-j", "prog", "profile", "id", id}, code: 234,
			stdout: `{"error":"'profile' needs at least 3 arguments, 2 found"}` + "\n"},
		// "duration N" needs a metric after it, or it is the metric.
		{args: []string{"prog", "profile", "id", id, "duration", "1"}, code: 255,
			stderr: `Error: unknown metric duration\n`},
		{args: []string{"prog", "profile", "id", id, "bogus"}, code: 255,
			stderr: `Error: unknown metric bogus\n`},
		{args: []string{"prog", "profile", "id", id, "cycles", "cyclesx"}, code: 255,
			stderr: `Error: unknown metric cyclesx\n`},
		{args: []string{"-j", "prog", "profile", "id", id, "bogus"}, code: 255,
			stdout: `{"error":"unknown metric bogus"}` + "\n"},
		{args: []string{"prog", "profile", "id", id, "cycles", "instructions", "l1d_loads", "llc_misses", "itlb_misses"}, code: 255,
			stderr: `Error: too many \(5\) metrics, please specify no more than 4 metrics at at time\n`},
		{args: []string{"prog", "profile", "id", id, "c", "i", "l1", "ll", "it", "d"}, code: 255,
			stderr: `Error: too many \(6\) metrics, please specify no more than 4 metrics at at time\n`},
		{args: []string{"prog", "profile", "id", id, "duration", "x", "cycles"}, code: 255,
			stderr: regexp.QuoteMeta(help)},
		{args: []string{"prog", "profile", "id", id, "duration", "1s", "run_cnt"}, code: 255,
			stderr: regexp.QuoteMeta(help)},
		{args: []string{"prog", "profile", "id", "4294967295", "cycles"}, code: 255,
			stderr: `Error: get by id \(4294967295\): No such file or directory\nError: failed to parse fd\n`},
		{args: []string{"prog", "profile", "id", "x", "cycles"}, code: 255,
			stderr: `Error: can't parse x as ID\nError: failed to parse fd\n`},
		{args: []string{"prog", "profile", "name", "no_such_prog_xyz", "cycles"}, code: 255,
			stderr: `Error: failed to parse fd\n`},
		{args: []string{"prog", "profile", "id", noBTF, "cycles"}, code: 255,
			stderr: `Error: prog FD [0-9]+ doesn't have valid btf\n`},
		{args: []string{"prog", "profile", "id", noBTF, "duration", "0", "cpu_clock", "run_cnt"}, code: 255,
			stderr: `Error: prog FD [0-9]+ doesn't have valid btf\n`},
	}
	for _, c := range cases {
		before := testprog.OpenFDs(t)
		got := profCLI(c.args...)
		if got.code != c.code || got.stdout != c.stdout || !regexp.MustCompile(`^`+c.stderr+`$`).MatchString(got.stderr) {
			t.Errorf("%q:\n got code %d stdout %q stderr %q\nwant code %d stdout %q stderr ~ %q",
				c.args, got.code, got.stdout, got.stderr, c.code, c.stdout, c.stderr)
		}
		before.Same(t)
	}
}

// TestProfileNoBTFStats: the run statistics need no BTF, so a target
// without it still gets them.
func TestProfileNoBTFStats(t *testing.T) {
	p, id := profNoBTFTarget(t)
	profWithHook(t, func() {
		if _, err := p.Run(&ebpf.RunOptions{Data: make([]byte, 64), Repeat: 10}); err != nil {
			t.Error(err)
		}
	})
	got := profCLI("prog", "profile", "id", id, "duration", "0", "run_time_ns")
	if got.code != 0 || !strings.HasPrefix(got.stdout, "\n") || got.stderr != "" {
		t.Fatalf("code %d stdout %q stderr %q", got.code, got.stdout, got.stderr)
	}
}

// profRuns test-runs p from another goroutine, repeat times per call, and
// reports how many runs that made, or -1 when a signal cut a call short
// and cilium/ebpf ran it again (the kernel counted the cut runs too).
func profRuns(t *testing.T, p *ebpf.Program, calls int, repeat uint32) (runs int64, runTime time.Duration) {
	t.Helper()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		interrupted := false
		for i := 0; i < calls; i++ {
			ret, d, err := p.Benchmark(make([]byte, 64), int(repeat), func() { interrupted = true })
			if err != nil || ret != 2 {
				t.Errorf("test run: %d %v", ret, err)
				return
			}
			runTime += d * time.Duration(repeat)
		}
		runs = int64(calls) * int64(repeat)
		if interrupted {
			runs = -1
		}
	}()
	wg.Wait()
	return runs, runTime
}

var profRowRE = regexp.MustCompile(`(?m)^ *([0-9]+) (\S+) *(?:# +([0-9.]+) ([a-z ]+?) *)?$`)

// profParsePlain reads bpftool's plain layout: a blank line, run_cnt, then
// a row per metric.
func profParsePlain(t *testing.T, s string) (runCnt uint64, rows map[string][2]string) {
	t.Helper()
	if !strings.HasPrefix(s, "\n") {
		t.Fatalf("output does not start with bpftool's blank line: %q", s)
	}
	rows = map[string][2]string{}
	for i, line := range strings.Split(strings.TrimSuffix(s[1:], "\n"), "\n") {
		m := profRowRE.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("line %q is not in bpftool's layout", line)
		}
		if i == 0 {
			if m[2] != "run_cnt" || len(line) != 39 {
				t.Fatalf("first line %q is not bpftool's run_cnt line", line)
			}
			runCnt, _ = strconv.ParseUint(m[1], 10, 64)
			continue
		}
		rows[m[2]] = [2]string{m[1], m[3]}
	}
	return runCnt, rows
}

func profStatsEnabled(t *testing.T) string {
	b, err := os.ReadFile("/proc/sys/kernel/bpf_stats_enabled")
	if err != nil {
		t.Skip("no kernel.bpf_stats_enabled")
	}
	return string(b)
}

// TestProfileStatsWindow: the target runs from another goroutine while the
// window is open; run_cnt is the runs made, the times are those the kernel
// recorded, and the system's stats setting is as it was.
func TestProfileStatsWindow(t *testing.T) {
	p, id := profTarget(t)
	sysctl := profStatsEnabled(t)
	for _, json := range []bool{false, true} {
		t.Run(fmt.Sprint("json=", json), func(t *testing.T) {
			before := testprog.OpenFDs(t)
			var runs int64
			var runTime time.Duration
			profWithHook(t, func() { runs, runTime = profRuns(t, p, 5, 1000) })
			info0, _ := p.Stats()
			args := []string{"prog", "profile", "id", id, "duration", "0", "run_time_ns", "run_cnt"}
			if json {
				args = append([]string{"-j"}, args...)
			}
			got := profCLI(args...)
			info1, _ := p.Stats()
			if got.code != 0 || got.stderr != "" {
				t.Fatalf("code %d stderr %q", got.code, got.stderr)
			}
			kRuns := info1.RunCount - info0.RunCount
			kTime := uint64((info1.Runtime - info0.Runtime).Nanoseconds())
			var cnt, total, cntRow uint64
			if json {
				var rows []struct {
					Metric                  string
					RunCnt                  uint64 `json:"run_cnt"`
					Value, Enabled, Running uint64
				}
				if err := jsonUnmarshal(got.stdout, &rows); err != nil || len(rows) != 2 {
					t.Fatalf("JSON %q: %v", got.stdout, err)
				}
				// Table order, not command-line order.
				if rows[0].Metric != "run_cnt" || rows[1].Metric != "run_time_ns" {
					t.Errorf("rows %+v", rows)
				}
				cnt, cntRow, total = rows[1].RunCnt, rows[0].Value, rows[1].Value
				if rows[0].Enabled != rows[0].Running || rows[0].Enabled == 0 {
					t.Errorf("enabled/running %+v", rows[0])
				}
			} else {
				var rows map[string][2]string
				cnt, rows = profParsePlain(t, got.stdout)
				cntRow, _ = strconv.ParseUint(rows["run_cnt"][0], 10, 64)
				total, _ = strconv.ParseUint(rows["run_time_ns"][0], 10, 64)
				avg, _ := strconv.ParseFloat(rows["run_time_ns"][1], 64)
				if want := float64(total) / float64(cnt); cnt == 0 || avg < want-0.01 || avg > want+0.01 {
					t.Errorf("ns per run %v, want %.2f", avg, want)
				}
			}
			if runs >= 0 && cnt != uint64(runs) {
				t.Errorf("run_cnt %d, made %d runs", cnt, runs)
			}
			if cnt != kRuns || cntRow != cnt {
				t.Errorf("run_cnt %d (row %d), the kernel counted %d", cnt, cntRow, kRuns)
			}
			if total == 0 || total != kTime {
				t.Errorf("run_time_ns %d, the kernel's %d", total, kTime)
			}
			// The kernel times each run inside the test run's loop, so
			// its total cannot exceed what the test run measured by much.
			if float64(total) > 1.5*float64(runTime.Nanoseconds())+1e6 {
				t.Errorf("run_time_ns %d > test-run time %v", total, runTime)
			}
			if s := profStatsEnabled(t); s != sysctl {
				t.Errorf("kernel.bpf_stats_enabled %q, was %q", s, sysctl)
			}
			before.Same(t)
		})
	}
}

func jsonUnmarshal(s string, v any) error {
	return json.Unmarshal([]byte(s), v)
}

// TestProfileSignal: with no duration, SIGINT or SIGTERM ends the window,
// the results print and the command succeeds (bpftool's int_exit).
func TestProfileSignal(t *testing.T) {
	p, id := profTarget(t)
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			before := testprog.OpenFDs(t)
			made := make(chan int64, 1)
			profWithHook(t, func() {
				go func() {
					runs, _ := profRuns(t, p, 3, 100)
					made <- runs
					syscall.Kill(os.Getpid(), sig)
				}()
			})
			done := make(chan profOutput)
			go func() { done <- profCLI("prog", "profile", "id", id, "run_cnt") }()
			var got profOutput
			select {
			case got = <-done:
			case <-time.After(30 * time.Second):
				t.Fatal("the signal did not end the profile")
			}
			if got.code != 0 || got.stderr != "" {
				t.Fatalf("code %d stderr %q", got.code, got.stderr)
			}
			cnt, _ := profParsePlain(t, got.stdout)
			if runs := <-made; runs >= 0 && cnt != uint64(runs) {
				t.Errorf("run_cnt %d, made %d", cnt, runs)
			}
			before.Same(t)
		})
	}
}

// TestProfileTargetVanishes: the target's last other holder lets go during
// the window. The profile holds its own fd, so the program lives on until
// the results are read, and then nothing keeps it: its id is gone.
func TestProfileTargetVanishes(t *testing.T) {
	testprog.Privileged(t)
	spec, err := ebpf.LoadCollectionSpec(testprog.Object(t, "profile_target"))
	if err != nil {
		t.Fatal(err)
	}
	before := testprog.OpenFDs(t)
	coll, err := ebpf.NewCollection(spec)
	if err != nil {
		t.Fatal(err)
	}
	defer coll.Close()
	p := coll.Programs["profile_target"]
	pid := testprog.ProgID(t, p)
	var runs int64
	profWithHook(t, func() {
		runs, _ = profRuns(t, p, 2, 500)
		coll.Close()
		if fd, err := kernel.ProgFDByID(pid); err == nil {
			kernel.Close(fd)
		} else {
			t.Errorf("the target vanished while profiled: %v", err)
		}
	})
	got := profCLI("prog", "profile", "id", fmt.Sprint(pid), "duration", "0", "run_cnt", "run_time_ns")
	if got.code != 0 || got.stderr != "" {
		t.Fatalf("code %d stderr %q", got.code, got.stderr)
	}
	if cnt, _ := profParsePlain(t, got.stdout); runs >= 0 && cnt != uint64(runs) {
		t.Errorf("run_cnt %d, made %d", cnt, runs)
	}
	// The program is freed after an RCU grace period.
	deadline := time.Now().Add(5 * time.Second)
	for {
		fd, err := kernel.ProgFDByID(pid)
		if errors.Is(err, syscall.ENOENT) {
			break
		}
		kernel.Close(fd)
		if time.Now().After(deadline) {
			t.Fatalf("program %d still loaded after the profile: %v", pid, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	got = profCLI("prog", "profile", "id", fmt.Sprint(pid), "run_cnt")
	want := fmt.Sprintf("Error: get by id (%d): No such file or directory\nError: failed to parse fd\n", pid)
	if got.code != 255 || got.stderr != want {
		t.Errorf("after: code %d stderr %q", got.code, got.stderr)
	}
	before.Same(t)
}

// profOurProgs lists loaded programs named as the profiler's: only this
// test binary makes them.
func profOurProgs(t *testing.T) []uint32 {
	var ids []uint32
	var id uint32
	for {
		next, err := kernel.ProgGetNextID(id)
		if err != nil {
			return ids
		}
		id = next
		fd, err := kernel.ProgFDByID(id)
		if err != nil {
			continue
		}
		if pi, err := kernel.GetProgInfo(fd); err == nil && (pi.Name == "fentry_XXX" || pi.Name == "fexit_XXX") {
			ids = append(ids, id)
		}
		kernel.Close(fd)
	}
}

// profTargetLinks lists the links whose target is the program id.
func profTargetLinks(t *testing.T, target uint32) []link.ID {
	var ids []link.ID
	it := new(link.Iterator)
	defer it.Close()
	for it.Next() {
		// Take hands the link's fd to us: close it here rather than
		// leave it to a finalizer, which would close it in the middle
		// of a later fd comparison.
		l := it.Take()
		info, err := l.Info()
		l.Close()
		if err != nil {
			continue
		}
		if tr := info.Tracing(); tr != nil && tr.TargetObjectId == target {
			ids = append(ids, info.ID)
		}
	}
	return ids
}

// TestProfileHardwareRefused: where the kernel refuses fentry (EPERM) or
// has no PMU, the counters fail with why and what works instead, and
// nothing is left: no fd, no profiler program, no link on the target.
func TestProfileHardwareRefused(t *testing.T) {
	p, id := profTarget(t)
	pid := testprog.ProgID(t, p)
	profCLI("prog", "profile", "id", id, "duration", "0", "cycles") // warm up
	for _, metrics := range [][]string{{"cycles"}, {"instructions", "run_time_ns"}, {"cpu_clock"}, {"page_faults", "dtlb_misses", "run_cnt"}} {
		before := testprog.OpenFDs(t)
		progs := profOurProgs(t)
		args := append([]string{"prog", "profile", "id", id, "duration", "0"}, metrics...)
		got := profCLI(args...)
		if got.code == 0 {
			t.Logf("%q: this kernel profiles with fentry: %q", metrics, got.stdout)
			profParsePlain(t, got.stdout)
			continue
		}
		why := regexp.MustCompile(`^Error: (failed to load profile_obj: the kernel refuses fentry/fexit programs \(Operation not permitted\)( and has no PMU for [a-z_]+ \([^)]+\))?; these metrics work without fentry or a PMU: run_cnt, run_time_ns|failed to create event [a-z_]+ on cpu [0-9]+: no PMU counts it here \([^)]+\); these metrics work without a PMU: run_cnt, run_time_ns, cpu_clock, page_faults)\n$`)
		if got.code != 255 || got.stdout != "" || !why.MatchString(got.stderr) {
			t.Errorf("%q: code %d stdout %q stderr %q", metrics, got.code, got.stdout, got.stderr)
		}
		// Both reasons are given when both hold.
		hw := false
		for _, m := range metrics {
			for _, pm := range profiler.Metrics() {
				if pm.Name == m && pm.Source == profiler.Hardware {
					hw = true
				}
			}
		}
		if strings.Contains(got.stderr, "refuses fentry") && profNoPMU() && hw != strings.Contains(got.stderr, "no PMU for") {
			t.Errorf("%q: the PMU is missing too, but %q", metrics, got.stderr)
		}
		before.Same(t)
		if after := profOurProgs(t); len(after) != len(progs) {
			t.Errorf("profiler programs left: %v", after)
		}
		if l := profTargetLinks(t, pid); len(l) != 0 {
			t.Errorf("links left on the target: %v", l)
		}
	}
	// JSON: the same message as a JSON error, nothing else on stdout.
	got := profCLI("-j", "prog", "profile", "id", id, "duration", "0", "cycles")
	if got.code != 0 && !regexp.MustCompile(`^\{"error":"failed to [^"]+"\}\n$`).MatchString(got.stdout) {
		t.Errorf("JSON: %q", got.stdout)
	}
}

// profNoPMU: no CPU PMU is registered (a virtual machine without vPMU).
func profNoPMU() bool {
	for _, d := range []string{"cpu", "cpu_core", "cpu_atom", "armv8_pmuv3_0"} {
		if _, err := os.Stat("/sys/bus/event_source/devices/" + d); err == nil {
			return false
		}
	}
	return true
}

// profVal is a counter's reading: count, enabled and running time.
func profVal(counter, enabled, running uint64) profiler.Value {
	return profiler.Value{Counter: counter, Enabled: enabled, Running: running}
}

// profBuild is profiler.Build, which cannot fail on the table's names.
func profBuild(t *testing.T, names []string, rd *profiler.Readings) *profiler.Result {
	t.Helper()
	res, err := profiler.Build(names, rd)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestProfileBuild checks the rows of the run statistics, which bpftool
// does not have.
func TestProfileBuild(t *testing.T) {
	sel := []string{"run_cnt", "run_time_ns"}
	res := profBuild(t, sel, &profiler.Readings{StatRuns: 4, StatTimeNs: 1000, Elapsed: 2 * time.Second})
	if res.RunCnt != 4 || len(res.Rows) != 2 {
		t.Fatalf("%+v", res)
	}
	if r := res.Rows[0]; r.Value.Counter != 4 || !r.HasRatio || r.Ratio != 2 || r.Value.Enabled != 2e9 || r.Value.Running != 2e9 {
		t.Errorf("run_cnt %+v", r)
	}
	if r := res.Rows[1]; r.Value.Counter != 1000 || !r.HasRatio || r.Ratio != 250 {
		t.Errorf("run_time_ns %+v", r)
	}
	res = profBuild(t, sel, &profiler.Readings{Elapsed: 0})
	if res.Rows[0].HasRatio || res.Rows[1].HasRatio {
		t.Errorf("a ratio over nothing: %+v", res.Rows)
	}
	var out bytes.Buffer
	c := &cli.Context{Out: bufio.NewWriter(&out), Err: &out}
	profRenderPlain(c, res)
	c.Out.Flush()
	want := "\n                 0 run_cnt             \n" +
		"                 0 run_cnt" + strings.Repeat(" ", 54) + "\n" +
		"                 0 run_time_ns" + strings.Repeat(" ", 50) + "\n"
	if out.String() != want {
		t.Errorf("got %q\nwant %q", out.String(), want)
	}
}

// profPrintC prints readings with bpftool's printf formats and C's float
// arithmetic (its ratio_mul is a float), compiled for this machine: the
// reference for the plain layout, which Debian's bpftool cannot print.
const profPrintC = `#include <stdio.h>
#include <stdlib.h>

struct row {
	const char *name;
	int ratio_of; /* 1 + index of the divisor, 0 for none */
	const char *desc;
	const float mul;
	int on;
	unsigned long long counter, enabled, running;
};

int main(int argc, char **argv)
{
	struct row rows[] = {
		{ "cycles", 0, "", 0 },
		{ "instructions", 1, "insns per cycle", 1.0 },
		{ "l1d_loads", 0, "", 0 },
		{ "llc_misses", 2, "LLC misses per million insns", 1e6 },
		{ "itlb_misses", 2, "itlb misses per million insns", 1e6 },
		{ "dtlb_misses", 2, "dtlb misses per million insns", 1e6 },
	};
	int i;

	if (argc != 2 + 6 * 4)
		return 1;
	for (i = 0; i < 6; i++) {
		rows[i].on = atoi(argv[2 + 4 * i]);
		rows[i].counter = strtoull(argv[3 + 4 * i], NULL, 10);
		rows[i].enabled = strtoull(argv[4 + 4 * i], NULL, 10);
		rows[i].running = strtoull(argv[5 + 4 * i], NULL, 10);
	}
	printf("\n%18llu %-20s\n", strtoull(argv[1], NULL, 10), "run_cnt");
	for (i = 0; i < 6; i++) {
		struct row *r = &rows[i];
		int d = r->ratio_of - 1;

		if (!r->on)
			continue;
		printf("%18llu %-20s", r->counter, r->name);
		if (d >= 0 && rows[d].on && rows[d].counter > 0)
			printf("# %8.2f %-30s", r->counter * r->mul / rows[d].counter, r->desc);
		else
			printf("%-41s", "");
		if (r->enabled > r->running)
			printf("(%4.2f%%)", r->running * 100.0 / r->enabled);
		printf("\n");
	}
	return 0;
}
`

func TestProfilePlainMatchesC(t *testing.T) {
	clang := testprog.NeedTool(t, "clang")
	dir := t.TempDir()
	src, bin := filepath.Join(dir, "print.c"), filepath.Join(dir, "print")
	os.WriteFile(src, []byte(profPrintC), 0o644)
	if out, err := exec.Command(clang, "-O2", "-o", bin, src).CombinedOutput(); err != nil {
		t.Skipf("cannot build the C reference: %v\n%s", err, out)
	}
	max := ^uint64(0)
	cases := []struct {
		runs uint64
		vals map[string]profiler.Value
	}{
		{1000, map[string]profiler.Value{"cycles": profVal(5000000, 100, 100), "instructions": profVal(12345678, 100, 50),
			"llc_misses": profVal(17, 300, 100), "dtlb_misses": profVal(0, 7, 7)}},
		{3, map[string]profiler.Value{"instructions": profVal(3, 1, 1), "llc_misses": profVal(1, 1, 1)}},          // float, not double: 333333.34
		{0, map[string]profiler.Value{"cycles": profVal(0, 0, 0), "instructions": profVal(99, 0, 0)}},             // no ratio over zero
		{1, map[string]profiler.Value{"instructions": profVal(max, max, 1), "itlb_misses": profVal(max-1, 3, 2)}}, // the widest
		{7, map[string]profiler.Value{"l1d_loads": profVal(123, 1e9, 999999999)}},
		{2, map[string]profiler.Value{"cycles": profVal(1e12+1, 10, 9), "instructions": profVal(3e12+7, 10, 1), "l1d_loads": profVal(1, 1, 1), "itlb_misses": profVal(123456789, 1, 0)}},
	}
	for _, tc := range cases {
		args := []string{fmt.Sprint(tc.runs)}
		var sel []string
		for _, m := range profiler.Metrics()[:6] {
			v, on := tc.vals[m.Name]
			flag := "0"
			if on {
				flag = "1"
				sel = append(sel, m.Name)
			}
			args = append(args, flag, fmt.Sprint(v.Counter), fmt.Sprint(v.Enabled), fmt.Sprint(v.Running))
		}
		want, err := exec.Command(bin, args...).Output()
		if err != nil {
			t.Fatal(err)
		}
		res := profBuild(t, sel, &profiler.Readings{Values: tc.vals, FexitRuns: tc.runs, HasFexit: true})
		var out bytes.Buffer
		c := &cli.Context{Out: bufio.NewWriter(&out), Err: &out}
		profRenderPlain(c, res)
		c.Out.Flush()
		if out.String() != string(want) {
			t.Errorf("%v:\n got %q\nwant %q", tc.vals, out.String(), want)
		}
	}
}

// TestProfileJSON: bpftool's JSON, an object per metric with the run count
// in each, plain and pretty.
func TestProfileJSON(t *testing.T) {
	sel := []string{"cycles", "instructions", "run_time_ns"}
	res := profBuild(t, sel, &profiler.Readings{Values: map[string]profiler.Value{"cycles": profVal(10, 2, 1), "instructions": profVal(20, 4, 4)},
		FexitRuns: 5, HasFexit: true, StatRuns: 6, StatTimeNs: 600, Elapsed: 3})
	for _, pretty := range []bool{false, true} {
		var out bytes.Buffer
		c := &cli.Context{Out: bufio.NewWriter(&out), Err: &out, JSON: true}
		c.JW = jsonw.New(c.Out, pretty)
		profRenderJSON(c, res)
		c.JW.End()
		c.Out.Flush()
		want := `[{"metric":"cycles","run_cnt":5,"value":10,"enabled":2,"running":1},` +
			`{"metric":"instructions","run_cnt":5,"value":20,"enabled":4,"running":4},` +
			`{"metric":"run_time_ns","run_cnt":5,"value":600,"enabled":3,"running":3}]` + "\n"
		if pretty {
			want = "[{\n        \"metric\": \"cycles\",\n        \"run_cnt\": 5,\n        \"value\": 10,\n        \"enabled\": 2,\n        \"running\": 1\n" +
				"    },{\n        \"metric\": \"instructions\",\n        \"run_cnt\": 5,\n        \"value\": 20,\n        \"enabled\": 4,\n        \"running\": 4\n" +
				"    },{\n        \"metric\": \"run_time_ns\",\n        \"run_cnt\": 5,\n        \"value\": 600,\n        \"enabled\": 3,\n        \"running\": 3\n    }\n]\n"
		}
		if out.String() != want {
			t.Errorf("pretty=%v:\n got %q\nwant %q", pretty, out.String(), want)
		}
	}
}

// BenchmarkProfileOverhead measures what profiling costs the target: the
// kernel's own time per test run of it (BPF_PROG_TEST_RUN's duration),
// without a profile and inside a profile's window. The figures and the
// command are in docs/PERFORMANCE.md.
func BenchmarkProfileOverhead(b *testing.B) {
	p, id := profTarget(b)
	const repeat = 10000
	data := make([]byte, 64)
	measure := func(b *testing.B) {
		var total time.Duration
		for i := 0; i < b.N; i++ {
			_, d, err := p.Benchmark(data, repeat, nil)
			if err != nil {
				b.Fatal(err)
			}
			total += d
		}
		b.ReportMetric(float64(total.Nanoseconds())/float64(b.N), "ns/run")
	}
	b.Run("off", measure)
	for _, m := range []string{"run_cnt", "run_time_ns"} {
		b.Run(m, func(b *testing.B) {
			profWithHook(b, func() { measure(b) })
			if got := profCLI("prog", "profile", "id", id, "duration", "0", m); got.code != 0 {
				b.Fatalf("%+v", got)
			}
		})
	}
}

// TestProfileHostileArgs: odd argument lists end in an error, never a
// panic, and leave nothing open.
func TestProfileHostileArgs(t *testing.T) {
	before := testprog.OpenFDs(t)
	for _, args := range [][]string{
		{"", "", ""}, {"id", "", ""}, {"id", "", "", ""}, {"tag", "zz", "d", "d"},
		{"pinned", "/nonexistent", "duration", "", "x"}, {"name", strings.Repeat("n", 200), "cycles"},
		{"id", "0x", "duration", "-1", "run_cnt"}, {"duration", "duration", "duration"},
		{"id", "99999999", "duration", "99999999999999999999999", "cycles"},
	} {
		got := profCLI(append([]string{"prog", "profile"}, args...)...)
		if got.code == 0 {
			t.Errorf("%q succeeded: %q", args, got.stdout)
		}
	}
	before.Same(t)
}
