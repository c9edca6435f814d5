package prog_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"

	"github.com/gobpftool/gobpftool/internal/testprog"
)

// TestLowFDLimit: under a `ulimit -n` that lets bpftool list every
// program, gobpftool lists them too, with every field an unlimited run
// prints: memlock, pins (which bpftool itself drops) and holders. It
// degrades to one program at a time instead of failing.
func TestLowFDLimit(t *testing.T) {
	testprog.Privileged(t)
	bin := testprog.Binary(t)
	dir := testPinDir(t)
	ids := map[string]bool{}
	for i := 0; i < 30; i++ {
		p, err := ebpf.NewProgram(&ebpf.ProgramSpec{
			Name: fmt.Sprintf("fdlim_%02d", i), Type: ebpf.SocketFilter, License: "GPL",
			Instructions: asm.Instructions{asm.Mov.Imm(asm.R0, int32(i)), asm.Return()},
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { p.Close() })
		if i%3 == 0 {
			if err := p.Pin(filepath.Join(dir, fmt.Sprintf("p%02d", i))); err != nil {
				t.Fatal(err)
			}
		}
		info, _ := p.Info()
		id, _ := info.ID()
		ids[strconv.Itoa(int(id))] = true
	}
	// The limits under which bpftool lists every program, from 7: the
	// Go runtime's poller takes two fds for good at start (a dependency
	// of client_golang, protobuf, opens the executable in its package
	// init), and a listing needs two more at once (a program and its
	// fdinfo). README says so. Under 5 and 6 bpftool lists them and we
	// fail; under 4 bpftool drops memlock (one fd cannot hold a program
	// and read its fdinfo).
	bpftool := testprog.NeedTool(t, "bpftool")
	var limits []string
	for n := 7; n <= 16; n++ {
		cmd := exec.Command("sh", "-c", "ulimit -n "+strconv.Itoa(n)+`; exec "$@"`, "sh", bpftool, "-f", "prog", "show")
		if cmd.Run() == nil {
			limits = append(limits, strconv.Itoa(n))
		}
	}
	if len(limits) == 0 || limits[0] != "7" {
		t.Fatalf("bpftool lists programs only under limits %v", limits)
	}
	t.Logf("bpftool lists every program under ulimit -n %v", limits)
	for _, args := range [][]string{
		{"prog", "show"}, {"-j", "prog", "show"}, {"-f", "prog", "show"}, {"-f", "-j", "prog", "show"},
	} {
		want := ourRecords(t, ids, "", bin, args...)
		if len(want) != len(ids) {
			t.Fatalf("%v: %d of our %d programs listed", args, len(want), len(ids))
		}
		for _, limit := range limits {
			got := ourRecords(t, ids, limit, bin, args...)
			for id, rec := range want {
				if !holdsSelf(got[id]) {
					t.Errorf("ulimit -n %s, %v, program %s: this process not among its holders:\n%s", limit, args, id, got[id])
				}
				if stripHolders(got[id]) != stripHolders(rec) {
					t.Errorf("ulimit -n %s, %v, program %s:\n%s\nunlimited:\n%s", limit, args, id, got[id], rec)
				}
			}
		}
	}
}

// Other tests that run beside this one may hold our programs for a
// moment: records compare without their holders, and must name ours.
var holdersPart = regexp.MustCompile(`\tpids .*\n|,"pids":\[.*?\]`)

func stripHolders(rec string) string { return holdersPart.ReplaceAllString(rec, "") }

func holdsSelf(rec string) bool {
	pid := strconv.Itoa(os.Getpid())
	return strings.Contains(rec, "("+pid+")") || strings.Contains(rec, `"pid":`+pid+`,`)
}

var recordStart = regexp.MustCompile(`(?m)^(\d+): `)

// ourRecords runs a listing (under `ulimit -n limit` unless it is "")
// and returns, by id, the text of each of the programs in ids: plain
// records from their "N: " line to the next, or JSON objects.
func ourRecords(t *testing.T, ids map[string]bool, limit, bin string, args ...string) map[string]string {
	t.Helper()
	script := `exec "$@"`
	if limit != "" {
		script = "ulimit -n " + limit + "; " + script
	}
	cmd := exec.Command("sh", append([]string{"-c", script, "sh", bin}, args...)...)
	r := runCmd(t, cmd)
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("ulimit -n %q %v: %+v", limit, args, result{stderr: r.stderr, code: r.code})
	}
	recs := map[string]string{}
	if slices.Contains(args, "-j") {
		for _, obj := range strings.Split(strings.Trim(r.stdout, "[]\n"), `},{"id":`) {
			id := strings.TrimPrefix(obj, `{"id":`)
			id = id[:strings.IndexByte(id, ',')]
			if ids[id] {
				// The last object of the array keeps its brace.
				recs[id] = strings.TrimSuffix(obj, "}")
			}
		}
		return recs
	}
	locs := recordStart.FindAllStringSubmatchIndex(r.stdout, -1)
	for i, loc := range locs {
		end := len(r.stdout)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		if id := r.stdout[loc[2]:loc[3]]; ids[id] {
			recs[id] = r.stdout[loc[0]:end]
		}
	}
	return recs
}

// TestLoadallLowFDLimit: two fds above the lowest `ulimit -n` at which
// bpftool loads every program of an object (the Go runtime's poller takes
// two for good before main: docs/COMPAT-NOTES.md), gobpftool loads them
// all too. It held two fds a program, the program's and its BTF's, and
// failed at program 507 of 600 under 1024.
func TestLoadallLowFDLimit(t *testing.T) {
	testprog.Privileged(t)
	bin := testprog.Binary(t)
	bpftool := testprog.NeedTool(t, "bpftool")
	dir := testPinDir(t)
	loadsAll := func(tool, obj string, limit, want int) bool {
		pin := filepath.Join(dir, "lim")
		defer os.RemoveAll(pin)
		cmd := exec.Command("sh", "-c", "ulimit -n "+strconv.Itoa(limit)+`; exec "$@"`, "sh", tool, "prog", "loadall", obj, pin)
		if cmd.Run() != nil {
			return false
		}
		ents, _ := os.ReadDir(pin)
		return len(ents) == want
	}
	for name, progs := range map[string]int{"load_many": 50, "show": 6} {
		obj := testprog.Object(t, name)
		limit := 0
		for n := 8; n <= 256; n += 2 {
			if loadsAll(bpftool, obj, n, progs) {
				limit = n
				break
			}
		}
		if limit == 0 {
			t.Fatalf("%s: bpftool loads it under no limit up to 256", name)
		}
		if !loadsAll(bin, obj, limit+2, progs) {
			t.Errorf("%s: bpftool loads its %d programs under ulimit -n %d, gobpftool not under %d", name, progs, limit, limit+2)
		}
	}
}
