package prog_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gobpftool/gobpftool/internal/testprog"
)

// TestDumpXlatedMatchesBpftool: every form of `prog dump xlated` prints
// what Debian's bpftool prints for the same program.
func TestDumpXlatedMatchesBpftool(t *testing.T) {
	testprog.Privileged(t)
	coll := testprog.Load(t, "show")
	helpers := testprog.Load(t, "dump_helpers")
	for name, p := range helpers.Programs {
		coll.Programs[name] = p
	}
	for name, p := range coll.Programs {
		id := fmt.Sprint(testprog.ProgID(t, p))
		for _, tail := range [][]string{nil, {"opcodes"}, {"linum"}, {"visual"}, {"op"}, {"l"}} {
			for _, opts := range [][]string{nil, {"-j"}, {"-p"}} {
				args := append(append(append([]string{}, opts...), "prog", "dump", "xlated", "id", id), tail...)
				sameAsOracle(t, args...)
			}
		}
		sameAsOracle(t, "prog", "d", "x", "name", name)
	}
}

// TestDumpSeveralPrograms: a name that matches two programs dumps both,
// each under its header, as an array in JSON.
func TestDumpSeveralPrograms(t *testing.T) {
	testprog.Privileged(t)
	testprog.Load(t, "nogpl")
	testprog.Load(t, "nogpl")
	for _, opts := range [][]string{nil, {"-j"}, {"-p"}} {
		sameAsOracle(t, append(opts, "prog", "dump", "xlated", "name", "show_nogpl_xdp")...)
		sameAsOracle(t, append(opts, "prog", "dump", "xlated", "name", "show_nogpl_xdp", "visual")...)
		sameAsOracle(t, append(opts, "prog", "dump", "xlated", "name", "show_nogpl_xdp", "file", "/tmp/x")...)
	}
}

func TestDumpFile(t *testing.T) {
	testprog.Privileged(t)
	coll := testprog.Load(t, "show")
	id := fmt.Sprint(testprog.ProgID(t, coll.Programs["show_sock"]))
	dir := t.TempDir()
	info, err := coll.Programs["show_sock"].Info()
	if err != nil {
		t.Fatal(err)
	}
	jitedImage, _ := info.JitedInsns()
	for _, kind := range []string{"xlated", "jited"} {
		theirsPath, oursPath := filepath.Join(dir, kind+".theirs"), filepath.Join(dir, kind+".ours")
		got := ours("-j", "prog", "dump", kind, "id", id, "file", oursPath)
		var a []byte
		if kind == "xlated" {
			want := theirs(t, "-j", "prog", "dump", kind, "id", id, "file", theirsPath)
			if got != want {
				t.Errorf("%s: got %+v want %+v", kind, got, want)
			}
			a, _ = os.ReadFile(theirsPath)
		} else {
			// Debian's bpftool has no JIT support at all ("No libbfd
			// support"); the kernel's image read by cilium/ebpf is the
			// reference.
			if got.stdout != "null\n" || got.code != 0 {
				t.Errorf("jited file: %+v", got)
			}
			a = jitedImage
		}
		b, _ := os.ReadFile(oursPath)
		if len(a) == 0 || !bytes.Equal(a, b) {
			t.Errorf("%s image: %d bytes from bpftool, %d from us, equal %v", kind, len(a), len(b), bytes.Equal(a, b))
		}
		if st, err := os.Stat(oursPath); err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v %v", kind, st.Mode(), err)
		}
	}
}

func TestDumpBadInput(t *testing.T) {
	testprog.Privileged(t)
	coll := testprog.Load(t, "show")
	id := fmt.Sprint(testprog.ProgID(t, coll.Programs["show_xdp"]))
	testprog.CheckFDs(t)
	for _, args := range [][]string{
		{"prog", "dump"},
		{"prog", "dump", "bogus", "id", id},
		{"prog", "dump", "xlated"},
		{"prog", "dump", "xlated", "id"},
		{"prog", "dump", "xlated", "id", "abc"},
		{"prog", "dump", "xlated", "id", id, "file"},
		{"-j", "prog", "dump", "xlated", "id", id, "file"},
		{"prog", "dump", "xlated", "id", id, "file", "/nonexistent/dir/f"},
		{"prog", "dump", "xlated", "id", id, "opcodes", "linum"},
		{"prog", "dump", "xlated", "id", id, "bogus"},
		{"prog", "dump", "xlated", "name", "no_such_program_here"},
		{"prog", "dump", "xlated", "tag", "xyz"},
	} {
		sameAsOracle(t, args...)
	}
}

var objdumpLine = regexp.MustCompile(`^\s*([0-9a-f]+):\t(?:[0-9a-f]{2} )+\s*\t(.*)$`)

// TestDumpJitedMatchesObjdump: Debian's bpftool cannot disassemble JIT
// images, so the oracle is GNU objdump on the same bytes.
func TestDumpJitedMatchesObjdump(t *testing.T) {
	testprog.Privileged(t)
	objdump := testprog.NeedTool(t, "objdump")
	coll := testprog.Load(t, "show")
	for name, p := range coll.Programs {
		id := fmt.Sprint(testprog.ProgID(t, p))
		img := filepath.Join(t.TempDir(), "img")
		if r := ours("prog", "dump", "jited", "id", id, "file", img); r.code != 0 {
			t.Fatalf("%s: %+v", name, r)
		}
		out, err := exec.Command(objdump, "-D", "-b", "binary", "-mi386:x86-64", img).Output()
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, l := range strings.Split(string(out), "\n") {
			if m := objdumpLine.FindStringSubmatch(l); m != nil {
				want = append(want, fmt.Sprintf("%4s:\t%s", m[1], strings.TrimRight(m[2], " ")))
			}
		}
		got := ours("prog", "dump", "jited", "id", id)
		if got.code != 0 {
			t.Fatalf("%s: %+v", name, got)
		}
		lines := strings.Split(got.stdout, "\n")
		if !strings.HasPrefix(lines[0], "int ") && !strings.HasPrefix(lines[0], "bpf_prog_") {
			t.Errorf("%s: header %q", name, lines[0])
		}
		var insns []string
		for _, l := range lines {
			if strings.Contains(l, ":\t") {
				insns = append(insns, l)
			}
		}
		// Functions are disassembled from offset 0 each; objdump sees one
		// image, so compare the first function, which starts at 0.
		for i := range insns {
			if i >= len(want) {
				break
			}
			if strings.HasPrefix(insns[i], "   0:") && i > 0 {
				break
			}
			if insns[i] != want[i] {
				t.Errorf("%s insn %d: got %q, objdump %q", name, i, insns[i], want[i])
				break
			}
		}
		if len(insns) == 0 {
			t.Errorf("%s: no instructions", name)
		}
	}
}

// TestDumpKptrRestrict: with kernel.kptr_restrict=2 the kernel withholds
// the instruction images even from root; both dumps fail as bpftool does.
func TestDumpKptrRestrict(t *testing.T) {
	testprog.Privileged(t)
	coll := testprog.Load(t, "nogpl")
	id := fmt.Sprint(testprog.ProgID(t, coll.Programs["show_nogpl_xdp"]))
	const knob = "/proc/sys/kernel/kptr_restrict"
	old, err := os.ReadFile(knob)
	if err != nil {
		testprog.Missing(t, "no "+knob)
	}
	if err := os.WriteFile(knob, []byte("2"), 0); err != nil {
		t.Fatal(err)
	}
	defer os.WriteFile(knob, old, 0)
	for _, opts := range [][]string{nil, {"-j"}} {
		sameAsOracle(t, append(opts, "prog", "dump", "xlated", "id", id)...)
		sameAsOracle(t, append(opts, "prog", "dump", "xlated", "id", id, "visual")...)
	}
	// Debian's bpftool cannot dump JIT images at all; bpftool's libbfd
	// build says "no instructions returned" (p_info: plain mode only).
	if r := ours("prog", "dump", "jited", "id", id); r.code != 255 || r.stderr != "no instructions returned\n" || r.stdout != "" {
		t.Errorf("jited under kptr_restrict: %+v", r)
	}
	if r := ours("-j", "prog", "dump", "jited", "id", id); r.code != 255 || r.stdout != "\n" {
		t.Errorf("-j jited under kptr_restrict: %+v", r)
	}
}
