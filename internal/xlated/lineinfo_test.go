package xlated

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/cilium/ebpf/btf"
)

func lineRecs(recs ...lineRec) []byte {
	var b bytes.Buffer
	for _, r := range recs {
		binary.Write(&b, binary.LittleEndian, []uint32{r.insnOff, r.fileNameOff, r.lineOff, r.lineCol})
	}
	return b.Bytes()
}

// TestLineFind mirrors bpf_prog_linfo__lfind, including its handling of
// two records at one instruction: the later one wins and the earlier one
// is consumed, so the later one prints again at the next instruction.
func TestLineFind(t *testing.T) {
	p := &Program{LineInfoRecSize: 16, LineInfo: lineRecs(
		lineRec{insnOff: 0}, lineRec{insnOff: 2}, lineRec{insnOff: 2, lineOff: 1}, lineRec{insnOff: 5},
	)}
	lt := NewLineTable(p)
	if lt == nil {
		t.Fatal("no table")
	}
	cases := []struct {
		insn   uint32
		nrSkip int
		want   int
	}{
		{0, 0, 0}, {1, 1, -1}, {2, 1, 2}, {3, 2, 2}, {4, 3, -1}, {5, 3, 3}, {9, 4, -1},
	}
	for _, c := range cases {
		if got := lt.Find(c.insn, c.nrSkip); got != c.want {
			t.Errorf("find(%d, %d) = %d, want %d", c.insn, c.nrSkip, got, c.want)
		}
	}
}

func TestLineTableRejects(t *testing.T) {
	recs := lineRecs(lineRec{insnOff: 0}, lineRec{insnOff: 3})
	if NewLineTable(&Program{LineInfoRecSize: 8, LineInfo: recs}) != nil {
		t.Error("short records accepted")
	}
	ok := &Program{LineInfoRecSize: 16, LineInfo: recs,
		JitedKsyms: []uint64{0x100, 0x200}, JitedFuncLens: []uint32{0x100, 0x40}, JitedLineInfo: []uint64{0x100, 0x200}}
	if NewLineTable(ok) == nil {
		t.Error("consistent jited lines rejected")
	}
	bad := *ok
	bad.JitedLineInfo = []uint64{0x108, 0x200}
	if NewLineTable(&bad) != nil {
		t.Error("first jited line off the function start accepted")
	}
	bad.JitedLineInfo = []uint64{0x100, 0x180}
	if NewLineTable(&bad) != nil {
		t.Error("missing second function accepted")
	}
}

// TestPlainLines checks the "; " source lines, their left trim, the linum
// suffix and what happens when a string offset is bad.
func TestPlainLines(t *testing.T) {
	i32 := &btf.Int{Name: "int", Size: 4, Encoding: btf.Signed}
	fn := &btf.Func{Name: "f", Type: &btf.FuncProto{Return: i32}}
	b, _ := btf.NewBuilder([]btf.Type{fn}, nil)
	raw, err := b.Marshal(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Append our own strings to the string section, which ends the
	// blob; its length is the header's last field, at offset 20.
	strLen := binary.LittleEndian.Uint32(raw[20:])
	base := strLen
	extra := []byte("  \tint x = 1;\x00prog.c\x00")
	raw = append(raw, extra...)
	binary.LittleEndian.PutUint32(raw[20:], strLen+uint32(len(extra)))
	spec, err := btf.LoadSpecFromReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	lineOff, fileOff := base, base+uint32(len("  \tint x = 1;\x00"))
	p := &Program{
		Insns:           []byte{0xb7, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0},
		FuncInfo:        []byte{0, 0, 0, 0, 1, 0, 0, 0},
		FuncInfoRecSize: 8,
		LineInfoRecSize: 16,
		LineInfo: lineRecs(
			lineRec{insnOff: 0, fileNameOff: fileOff, lineOff: lineOff, lineCol: 7<<10 | 3},
			lineRec{insnOff: 1, fileNameOff: 9999, lineOff: 9999},
		),
		BTF: spec,
	}
	var out bytes.Buffer
	if err := WritePlain(&out, p, Options{Linum: true}); err != nil {
		t.Fatal(err)
	}
	want := "int f():\n; int x = 1; [file:prog.c line_num:7 line_col:3]\n   0: (b7) r0 = 0\n   1: (95) exit\n"
	if out.String() != want {
		t.Errorf("got\n%q\nwant\n%q", out.String(), want)
	}
}

// TestFindAddr mirrors bpf_prog_linfo__lfind_addr_func on two JITed
// functions of three and two lines.
func TestFindAddr(t *testing.T) {
	p := &Program{
		LineInfoRecSize: 16,
		LineInfo:        lineRecs(lineRec{insnOff: 0}, lineRec{insnOff: 1}, lineRec{insnOff: 3}, lineRec{insnOff: 5}, lineRec{insnOff: 6}),
		JitedKsyms:      []uint64{0x100, 0x200},
		JitedFuncLens:   []uint32{0x40, 0x20},
		JitedLineInfo:   []uint64{0x100, 0x108, 0x120, 0x200, 0x210},
	}
	lt := NewLineTable(p)
	if lt == nil {
		t.Fatal("rejected")
	}
	cases := []struct {
		addr           uint64
		fn, skip, want int
	}{
		{0x100, 0, 0, 0}, {0x107, 0, 0, 0}, {0x108, 0, 1, 1}, {0x130, 0, 1, 2},
		{0x130, 0, 3, -1}, {0x0ff, 0, 0, -1}, {0x200, 1, 0, 3}, {0x220, 1, 1, 4},
		{0x220, 1, 2, -1}, {0x200, 2, 0, -1},
	}
	for _, c := range cases {
		if got := lt.FindAddr(c.addr, c.fn, c.skip); got != c.want {
			t.Errorf("FindAddr(%#x, %d, %d) = %d, want %d", c.addr, c.fn, c.skip, got, c.want)
		}
	}
	p.JitedLineInfo = nil
	if got := NewLineTable(p).FindAddr(0x100, 0, 0); got != -1 {
		t.Errorf("without jited lines: %d", got)
	}
}
