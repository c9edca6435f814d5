package cfg

import (
	"bytes"
	"strings"
	"testing"

	"github.com/gobpftool/gobpftool/internal/xlated"
)

func image(insns ...xlated.Insn) []xlated.Insn { return insns }

func in(code byte, off int16, src uint8) xlated.Insn {
	return xlated.Insn{Code: code, Off: off, Src: src}
}

// TestBuildFunctions checks cfg.c's numbering: functions are indexed in
// discovery order but listed by address.
func TestBuildFunctions(t *testing.T) {
	g := Build(image(
		in(0x85, 5, 1), // 0: call pc+5 -> 6
		in(0x85, 1, 1), // 1: call pc+1 -> 3
		in(0x95, 0, 0), // 2: exit
		in(0xb7, 0, 0), // 3
		in(0x95, 0, 0), // 4
		in(0x95, 0, 0), // 5
		in(0xb7, 0, 0), // 6
		in(0x95, 0, 0), // 7
	))
	var got []int
	for _, f := range g.Funcs {
		got = append(got, f.Index, f.Start, f.End)
	}
	want := []int{0, 0, 2, 2, 3, 5, 1, 6, 7}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
}

// TestBlocksAndEdges checks block splitting and edge order on a loop with
// a conditional exit.
func TestBlocksAndEdges(t *testing.T) {
	g := Build(image(
		in(0xb7, 0, 0),  // 0
		in(0x15, 2, 0),  // 1: if ... goto +2 -> 4
		in(0x07, 0, 0),  // 2
		in(0x05, -3, 0), // 3: goto -3 -> 1
		in(0x95, 0, 0),  // 4
	))
	f := g.Funcs[0]
	var heads, succ []int
	for _, b := range f.Blocks[1 : len(f.Blocks)-1] {
		heads = append(heads, b.Head, b.Tail)
	}
	for _, b := range f.Blocks {
		for _, s := range b.Succs {
			succ = append(succ, b.Index, s.Index)
		}
	}
	if want := []int{0, 0, 1, 1, 2, 3, 4, 4}; !equal(heads, want) {
		t.Errorf("blocks %v, want %v", heads, want)
	}
	if want := []int{0, 2, 2, 3, 3, 4, 3, 5, 4, 3, 5, 1}; !equal(succ, want) {
		t.Errorf("edges %v, want %v", succ, want)
	}
}

// TestLabelEscapes checks the 63-byte cut and the record escapes.
func TestLabelEscapes(t *testing.T) {
	if got := label("(2d) if r1 > r8 goto pc+92\n"); got != "(2d) if r1 \\> r8 goto pc+92\\l\\\n" {
		t.Errorf("got %q", got)
	}
	long := strings.Repeat("x", 70) + "\n"
	if got := label(long); got != strings.Repeat("x", 63) {
		t.Errorf("long label not cut: %q", got)
	}
	if got := label("a|b&c<d\n"); got != "a\\|b\\&c\\<d\\l\\\n" {
		t.Errorf("got %q", got)
	}
}

func TestEmptyImage(t *testing.T) {
	var out bytes.Buffer
	if err := WriteDOT(&out, nil, nil, xlated.DialectCurrent); err != nil {
		t.Fatal(err)
	}
	if out.String() != "digraph \"DOT graph for eBPF program\" {\n}\n" {
		t.Errorf("got %q", out.String())
	}
}

func equal(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
