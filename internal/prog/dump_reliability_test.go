package prog_test

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"

	"github.com/gobpftool/gobpftool/internal/kallsyms"
	"github.com/gobpftool/gobpftool/internal/prog"
	"github.com/gobpftool/gobpftool/internal/testprog"
)

// TestDumpEmptyFileName: an empty argument after `file` names a file; bpftool
// fails to open it rather than dumping to stdout.
func TestDumpEmptyFileName(t *testing.T) {
	testprog.Privileged(t)
	coll := testprog.Load(t, "show")
	id := fmt.Sprint(testprog.ProgID(t, coll.Programs["show_xdp"]))
	sameAsOracle(t, "prog", "dump", "xlated", "id", id, "file", "")
	sameAsOracle(t, "-j", "prog", "dump", "xlated", "id", id, "file", "")
	// Debian's bpftool stops at "No libbfd support" for jited; ours
	// takes the same path as xlated.
	want := result{"", "Error: can't open file : No such file or directory\n", 255}
	if got := ours("prog", "dump", "jited", "id", id, "file", ""); got != want {
		t.Errorf("jited file '': %+v, want %+v", got, want)
	}
}

// TestDumpJitedManyReadsKallsymsOnce: a dump of many programs reads
// /proc/kallsyms once, not once per program.
func TestDumpJitedManyReadsKallsymsOnce(t *testing.T) {
	testprog.Privileged(t)
	const n = 50
	insns := asm.Instructions{
		asm.Mov.Imm(asm.R0, 2),
		asm.Return(),
	}
	var tag string
	for i := 0; i < n; i++ {
		p, err := ebpf.NewProgram(&ebpf.ProgramSpec{Name: "many_same", Type: ebpf.XDP, License: "GPL", Instructions: insns})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { p.Close() })
		if tag == "" {
			info, err := p.Info()
			if err != nil {
				t.Fatal(err)
			}
			tag = info.Tag
		}
	}
	timed := func(kind string) time.Duration {
		before := prog.KallsymsReads()
		start := time.Now()
		r := ours("prog", "dump", kind, "tag", tag)
		d := time.Since(start)
		if r.code != 0 {
			t.Fatalf("dump %s: %+v", kind, r)
		}
		if reads := prog.KallsymsReads() - before; reads > 1 {
			t.Errorf("dump %s of %d programs read /proc/kallsyms %d times", kind, n, reads)
		}
		return d
	}
	x, j := timed("xlated"), timed("jited")
	// Not asserted: the one read of /proc/kallsyms (the kernel formats
	// every line, 100 ms and more) keeps jited several times slower than
	// xlated at this count, and timings on a shared machine are noise.
	t.Logf("%d programs: xlated %v, jited %v", n, x, j)
}

// TestDumpJitedSeveralNames: the function names of a jited dump of
// several programs, from the one shared table, are the names
// /proc/kallsyms gives their addresses.
func TestDumpJitedSeveralNames(t *testing.T) {
	testprog.Privileged(t)
	a, b := testprog.Load(t, "nogpl"), testprog.Load(t, "nogpl")
	k, err := kallsyms.Load()
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, coll := range []*ebpf.Collection{a, b} {
		info, err := coll.Programs["show_nogpl_xdp"].Info()
		if err != nil {
			t.Fatal(err)
		}
		addrs, _ := info.JitedKsymAddrs()
		for _, addr := range addrs {
			n, _ := k.Lookup(uint64(addr))
			want = append(want, n)
		}
	}
	out := ours("-j", "prog", "dump", "jited", "name", "show_nogpl_xdp")
	var progs []struct {
		Insns []struct {
			Name string `json:"name"`
		} `json:"insns"`
	}
	if err := json.Unmarshal([]byte(out.stdout), &progs); err != nil {
		t.Fatalf("%v: %s", err, out.stdout)
	}
	var got []string
	for _, p := range progs {
		for _, f := range p.Insns {
			got = append(got, f.Name)
		}
	}
	sort.Strings(got)
	sort.Strings(want)
	if strings.Join(got, " ") != strings.Join(want, " ") || len(got) < 2 {
		t.Errorf("names %q, kallsyms says %q", got, want)
	}
}
