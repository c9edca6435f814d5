package prog_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"

	"github.com/gobpftool/gobpftool/internal/kernel"
	"github.com/gobpftool/gobpftool/internal/progfacts"
	"github.com/gobpftool/gobpftool/internal/testprog"
)

// loadIterSubjects loads what the iterator must describe exactly: the
// show object (subprograms, maps, metadata, a name longer than 15 bytes),
// run with statistics on, a program that is not GPL, and a program of
// more maps than the iterator's record holds. It returns the ids of all of them.
func loadIterSubjects(t *testing.T) map[uint32]bool {
	coll := testprog.Load(t, "show")
	statsFD, err := kernel.EnableStats()
	if err != nil {
		t.Fatalf("BPF_ENABLE_STATS: %v", err)
	}
	if _, err := coll.Programs["show_sock"].Run(&ebpf.RunOptions{Data: make([]byte, 64), Repeat: 5}); err != nil {
		t.Fatalf("test run: %v", err)
	}
	kernel.Close(statsFD)
	var insns asm.Instructions
	for i := 0; i < 20; i++ {
		m, err := ebpf.NewMap(&ebpf.MapSpec{Type: ebpf.Array, KeySize: 4, ValueSize: 4, MaxEntries: 1})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { m.Close() })
		insns = append(insns, asm.LoadMapPtr(asm.R1, m.FD()))
	}
	insns = append(insns, asm.Mov.Imm(asm.R0, 0), asm.Return())
	many, err := ebpf.NewProgram(&ebpf.ProgramSpec{Name: "iter_many_maps", Type: ebpf.SocketFilter,
		License: "GPL", Instructions: insns})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { many.Close() })
	// Pins, for -f: two paths of one program in nested directories, and
	// one for the program of many maps.
	dir := testPinDir(t)
	os.Mkdir(dir+"/sub", 0o755)
	for path, fd := range map[string]int{dir + "/xdp": coll.Programs["show_xdp"].FD(), dir + "/sub/xdp": coll.Programs["show_xdp"].FD(), dir + "/many": many.FD()} {
		if err := kernel.ObjPin(fd, path); err != nil {
			t.Fatal(err)
		}
	}
	ids := map[uint32]bool{testprog.ProgID(t, many): true}
	for _, p := range coll.Programs {
		ids[testprog.ProgID(t, p)] = true
	}
	// Without gpl: the iterator reads one bit of a bitfield.
	for _, p := range testprog.Load(t, "nogpl").Programs {
		ids[testprog.ProgID(t, p)] = true
	}
	return ids
}

var (
	plainRecord = regexp.MustCompile(`(?m)^[0-9]+: `)
	plainStats  = regexp.MustCompile(` run_time_ns [0-9]+ run_cnt [0-9]+`)
)

// plainRecords splits a plain listing into its programs, by id, without
// pids (they come and go with other processes), and without run
// statistics for programs not ours (they may run between two listings).
func plainRecords(t *testing.T, out string, ours map[uint32]bool) map[uint32]string {
	t.Helper()
	out = withoutPids(out)
	recs := map[uint32]string{}
	starts := plainRecord.FindAllStringIndex(out, -1)
	for i, s := range starts {
		end := len(out)
		if i+1 < len(starts) {
			end = starts[i+1][0]
		}
		rec := out[s[0]:end]
		var id uint32
		fmt.Sscanf(rec, "%d:", &id)
		if !ours[id] {
			rec = plainStats.ReplaceAllString(rec, "")
		}
		recs[id] = rec
	}
	return recs
}

// jsonRecords is plainRecords for a JSON listing.
func jsonRecords(t *testing.T, out string, ours map[uint32]bool) map[uint32]string {
	t.Helper()
	var progs []map[string]any
	if err := json.Unmarshal([]byte(out), &progs); err != nil {
		t.Fatalf("JSON listing: %v\n%.300s", err, out)
	}
	recs := map[uint32]string{}
	for _, p := range progs {
		id := uint32(p["id"].(float64))
		delete(p, "pids")
		if !ours[id] {
			delete(p, "run_time_ns")
			delete(p, "run_cnt")
		}
		b, _ := json.Marshal(p)
		recs[id] = string(b)
	}
	return recs
}

// sameRecords compares the programs two listings both show; programs
// loaded or unloaded by others between the listings are left out, ours
// must be in both.
func sameRecords(t *testing.T, what string, a, b map[uint32]string, ours map[uint32]bool) {
	t.Helper()
	for id := range ours {
		if _, ok := a[id]; !ok {
			t.Errorf("%s: program %d missing from the first listing", what, id)
		}
		if _, ok := b[id]; !ok {
			t.Errorf("%s: program %d missing from the second listing", what, id)
		}
	}
	n := 0
	for id, ra := range a {
		rb, ok := b[id]
		if !ok {
			continue
		}
		n++
		if ra != rb {
			t.Errorf("%s: program %d:\n%s\nagainst\n%s", what, id, ra, rb)
		}
	}
	if n == 0 {
		t.Errorf("%s: no program in both listings", what)
	}
}

// TestShowIterMatchesSyscall: the iterator path and the syscall path print
// the same for every program loaded on the machine, plain and JSON, and
// the same as bpftool.
func TestShowIterMatchesSyscall(t *testing.T) {
	testprog.Privileged(t)
	bpftool := testprog.NeedTool(t, "bpftool")
	mine := loadIterSubjects(t)
	for _, opts := range [][]string{nil, {"-j"}, {"-f"}, {"-f", "-j"}} {
		args := append(opts, "prog", "show")
		records := plainRecords
		if opts != nil && opts[len(opts)-1] == "-j" {
			records = jsonRecords
		}
		listing := func(mode string) map[uint32]string {
			t.Setenv(progfacts.FactsEnv, mode)
			r := ours(args...)
			if r.code != 0 || r.stderr != "" {
				t.Fatalf("%s %v: code %d, %s", mode, args, r.code, r.stderr)
			}
			return records(t, r.stdout, mine)
		}
		iter, sys := listing("iter"), listing("syscall")
		sameRecords(t, fmt.Sprintf("iter against syscall %v", args), iter, sys, mine)
		oracle := runCmd(t, exec.Command(bpftool, args...))
		sameRecords(t, fmt.Sprintf("iter against bpftool %v", args), iter, records(t, oracle.stdout, mine), mine)
	}
	t.Setenv(progfacts.FactsEnv, "iter")
	got := ours("prog", "show").stdout
	got += ours("-f", "prog", "show").stdout
	for _, want := range []string{"name show_tc_classifier_with_a_long_name ", "\tmetadata:", " run_cnt 5", "name iter_many_maps ", "/sub/xdp\n", "name show_nogpl_xdp  tag 614b434cd8324ecc\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("iterator listing lacks %q", want)
		}
	}
}

// TestShowIterLeavesNothing: the iterator is never listed, and after a
// listing no program, link or fd of it remains.
func TestShowIterLeavesNothing(t *testing.T) {
	testprog.Privileged(t)
	t.Setenv(progfacts.FactsEnv, "iter")
	before := testprog.OpenFDs(t)
	got := ours("-j", "prog", "show")
	if got.code != 0 || strings.Contains(got.stdout, `"name":"gobpftool_`) {
		t.Fatalf("code %d, iterator listed: %.300s", got.code, got.stdout)
	}
	if leaked := before.Leaked(t); len(leaked) > 0 {
		t.Errorf("the listing leaked %v", leaked)
	}
	if out, _ := exec.Command(testprog.NeedTool(t, "bpftool"), "prog", "show", "name", "gobpftool_progs").CombinedOutput(); strings.Contains(string(out), "gobpftool_progs") {
		t.Errorf("iterator program left behind: %s", out)
	}
}

// TestShowChurnHelper loads and unloads programs as fast as it can; it is
// the other process of TestShowChurn and does nothing on its own.
func TestShowChurnHelper(t *testing.T) {
	if os.Getenv("GOBPFTOOL_CHURN") != "1" {
		t.Skip("helper process of TestShowChurn")
	}
	for i := 0; ; i++ {
		p, err := ebpf.NewProgram(&ebpf.ProgramSpec{Name: fmt.Sprintf("churn_%d", i%100), Type: ebpf.SocketFilter,
			License: "GPL", Instructions: asm.Instructions{asm.Mov.Imm(asm.R0, int32(i)), asm.Return()}})
		if err != nil {
			t.Fatal(err)
		}
		p.Close()
	}
}

// TestShowChurn: while another process loads and unloads programs as fast
// as it can, listings on both paths never fail and never print half a
// record: a program that goes away between the walk and its info is left
// out, as bpftool leaves it out.
func TestShowChurn(t *testing.T) {
	testprog.Privileged(t)
	churn := exec.Command(os.Args[0], "-test.run=^TestShowChurnHelper$")
	churn.Env = append(os.Environ(), "GOBPFTOOL_CHURN=1")
	if err := churn.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		churn.Process.Kill()
		churn.Wait()
	}()
	time.Sleep(100 * time.Millisecond)
	bin := testprog.Binary(t)
	fields := regexp.MustCompile(`^[0-9]+: [a-z_0-9 ]+ +(name [^ ]+ +)?tag [0-9a-f]{16}( .*)?\n\tloaded_at [^\n]+\n\txlated [0-9]+B  (jited [0-9]+B|not jited)  memlock [0-9]+B`)
	churned := false
	for round := 0; round < 10; round++ {
		for _, mode := range []string{"iter", "syscall"} {
			for _, json := range []bool{false, true} {
				args := []string{"prog", "show"}
				if json {
					args = append([]string{"-j"}, args...)
				}
				cmd := exec.Command(bin, args...)
				cmd.Env = append(os.Environ(), progfacts.FactsEnv+"="+mode)
				r := runCmd(t, cmd)
				if r.code != 0 || r.stderr != "" {
					t.Fatalf("%s %v: code %d: %s", mode, args, r.code, r.stderr)
				}
				churned = churned || strings.Contains(r.stdout, "churn_")
				if json {
					jsonRecords(t, r.stdout, nil)
					continue
				}
				for id, rec := range plainRecords(t, r.stdout, nil) {
					if !fields.MatchString(rec) {
						t.Fatalf("%s: program %d: half a record:\n%s", mode, id, rec)
					}
				}
			}
		}
	}
	if !churned {
		t.Error("no program of the churning process seen")
	}
}
