package jited

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/gobpftool/gobpftool/internal/jsonw"
)

// prologue is push %rbp; mov %rsp,%rbp; xor %eax,%eax; leave; ret.
var prologue = []byte{0x55, 0x48, 0x89, 0xe5, 0x31, 0xc0, 0xc9, 0xc3}

func mustDisasm(t *testing.T, b []byte, arch Arch, start uint64) []Inst {
	t.Helper()
	insns, err := Disassemble(b, arch, start)
	if err != nil {
		t.Fatal(err)
	}
	return insns
}

// The expected layouts below are read from disasm_print_insn in bpftool's
// jit_disasm.c (libbfd build): printf("%4x:" "\t", pc), the text, with
// opcodes printf("\n\t") and "%02x " per byte, then "\n".
func TestWritePlain(t *testing.T) {
	insns := mustDisasm(t, prologue, X86_64, 0)
	for _, tc := range []struct {
		opcodes bool
		want    string
	}{
		{false, "   0:\tpush   %rbp\n" +
			"   1:\tmov    %rsp,%rbp\n" +
			"   4:\txor    %eax,%eax\n" +
			"   6:\tleave\n" +
			"   7:\tret\n"},
		{true, "   0:\tpush   %rbp\n\t55 \n" +
			"   1:\tmov    %rsp,%rbp\n\t48 89 e5 \n" +
			"   4:\txor    %eax,%eax\n\t31 c0 \n" +
			"   6:\tleave\n\tc9 \n" +
			"   7:\tret\n\tc3 \n"},
	} {
		var b bytes.Buffer
		if err := WritePlain(&b, insns, Options{Opcodes: tc.opcodes}); err != nil {
			t.Fatal(err)
		}
		if b.String() != tc.want {
			t.Errorf("opcodes=%v:\n%q\nwant\n%q", tc.opcodes, b.String(), tc.want)
		}
	}
}

func TestWritePlainOffsetsFromStart(t *testing.T) {
	// Newer bpftool starts each function at its ksym; the column still
	// counts from the function's first byte.
	insns := mustDisasm(t, []byte{0xe8, 0, 0, 0, 0, 0xc3}, X86_64, 0xffffffffc0001000)
	var b bytes.Buffer
	if err := WritePlain(&b, insns, Options{}); err != nil {
		t.Fatal(err)
	}
	want := "   0:\tcall   0xffffffffc0001005\n   5:\tret\n"
	if b.String() != want {
		t.Errorf("%q, want %q", b.String(), want)
	}
}

func TestWritePlainBefore(t *testing.T) {
	var b bytes.Buffer
	insns := mustDisasm(t, prologue, X86_64, 0)
	opt := Options{Before: func(fn int, off uint64) {
		if off == 0 || off == 4 {
			fmt.Fprintf(&b, "; line at %d:%d\n", fn, off)
		}
	}}
	if err := WritePlain(&b, insns[:3], opt); err != nil {
		t.Fatal(err)
	}
	want := "; line at 0:0\n   0:\tpush   %rbp\n   1:\tmov    %rsp,%rbp\n; line at 0:4\n   4:\txor    %eax,%eax\n"
	if b.String() != want {
		t.Errorf("%q, want %q", b.String(), want)
	}
}

// The JSON shape is that of the same function in JSON mode: "pc" through
// jsonw_printf("\"0x%x\""), the mnemonic as "operation", one string per
// operand and a null when there is none, opcodes as "0x%02hhx" strings.
func TestWriteJSON(t *testing.T) {
	insns := mustDisasm(t, prologue, X86_64, 0)
	var b bytes.Buffer
	jw := jsonw.New(&b, false)
	WriteJSON(jw, insns[:2], Options{Opcodes: true})
	jw.End()
	want := `[{"pc":"0x0","operation":"push","operands":["%rbp"],"opcodes":["0x55"]},` +
		`{"pc":"0x1","operation":"mov","operands":["%rsp","%rbp"],"opcodes":["0x48","0x89","0xe5"]}]` + "\n"
	if b.String() != want {
		t.Errorf("%s\nwant\n%s", b.String(), want)
	}

	b.Reset()
	jw = jsonw.New(&b, false)
	WriteJSON(jw, insns[3:], Options{})
	jw.End()
	want = `[{"pc":"0x0","operation":"leave","operands":[null]},{"pc":"0x1","operation":"ret","operands":[null]}]` + "\n"
	if b.String() != want {
		t.Errorf("%s\nwant\n%s", b.String(), want)
	}

	b.Reset()
	jw = jsonw.New(&b, true)
	WriteJSON(jw, insns[:1], Options{})
	jw.End()
	want = "[{\n        \"pc\": \"0x0\",\n        \"operation\": \"push\",\n        \"operands\": [\"%rbp\"\n        ]\n    }\n]\n"
	if b.String() != want {
		t.Errorf("pretty:\n%s\nwant\n%s", b.String(), want)
	}
}

func TestWriteJSONBefore(t *testing.T) {
	insns := mustDisasm(t, prologue[:1], X86_64, 0)
	var b bytes.Buffer
	jw := jsonw.New(&b, false)
	WriteJSON(jw, insns, Options{Before: func(fn int, off uint64) {
		jw.StringField("src", "return 0;")
	}})
	jw.End()
	want := `[{"src":"return 0;","pc":"0x0","operation":"push","operands":["%rbp"]}]` + "\n"
	if b.String() != want {
		t.Errorf("%s\nwant\n%s", b.String(), want)
	}
}

// A program with bpf-to-bpf calls: prog_dump prints per function the
// prototype, "NAME:" and the listing, then an empty line; in JSON an array
// of {"proto"?, "name", "insns"}.
func TestWriteFuncs(t *testing.T) {
	image := append(append([]byte{}, prologue...), 0x90, 0xc3)
	funcs, err := Split(image, X86_64, []uint32{8, 2}, []string{"bpf_prog_1234_main"})
	if err != nil {
		t.Fatal(err)
	}
	funcs[0].Proto = "int main(struct __sk_buff * skb)"
	if funcs[1].Name != "unknown" || funcs[1].Insns[0].PC != 0 {
		t.Fatalf("second function: %+v", funcs[1])
	}
	var b bytes.Buffer
	if err := WriteFuncsPlain(&b, funcs, Options{}); err != nil {
		t.Fatal(err)
	}
	want := "int main(struct __sk_buff * skb):\nbpf_prog_1234_main:\n" +
		"   0:\tpush   %rbp\n   1:\tmov    %rsp,%rbp\n   4:\txor    %eax,%eax\n   6:\tleave\n   7:\tret\n\n" +
		"unknown:\n   0:\tnop\n   1:\tret\n\n"
	if b.String() != want {
		t.Errorf("%q\nwant\n%q", b.String(), want)
	}

	b.Reset()
	jw := jsonw.New(&b, false)
	if err := WriteFuncsJSON(jw, funcs, Options{}); err != nil {
		t.Fatal(err)
	}
	jw.End()
	if !strings.HasPrefix(b.String(), `[{"proto":"int main(struct __sk_buff * skb)","name":"bpf_prog_1234_main","insns":[{"pc":"0x0",`) ||
		!strings.HasSuffix(b.String(), `{"name":"unknown","insns":[{"pc":"0x0","operation":"nop","operands":[null]},{"pc":"0x1","operation":"ret","operands":[null]}]}]`+"\n") {
		t.Errorf("JSON: %s", b.String())
	}
}

func TestSplitErrors(t *testing.T) {
	if _, err := Split(prologue, X86_64, []uint32{4, 5}, nil); !errors.Is(err, ErrFuncLens) {
		t.Errorf("lengths past the image: %v", err)
	}
	funcs, err := Split(prologue, X86_64, []uint32{8, 0}, []string{"a", "b"})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteFuncsPlain(&b, funcs, Options{}); !errors.Is(err, ErrEmptyFunc) {
		t.Errorf("empty function: %v", err)
	}
	if !strings.HasSuffix(b.String(), "\nb:\n") {
		t.Errorf("bpftool prints the empty function's name before failing: %q", b.String())
	}
	if _, err := Disassemble(prologue, Arch(99), 0); !errors.Is(err, ErrArch) {
		t.Errorf("unknown arch: %v", err)
	}
}

func TestDisassembleFields(t *testing.T) {
	insns := mustDisasm(t, []byte{0x48, 0x8b, 0x05, 0x10, 0, 0, 0, 0xf0, 0x48, 0x0f, 0xc1, 0x07}, X86_64, 0x1000)
	if len(insns) != 2 {
		t.Fatalf("%d instructions", len(insns))
	}
	rip := insns[0]
	if rip.PC != 0x1000 || rip.Op != "mov" || strings.Join(rip.Operands, "|") != "0x10(%rip)|%rax" ||
		rip.Text != "mov    0x10(%rip),%rax        # 0x1017" || len(rip.Bytes) != 7 {
		t.Errorf("rip-relative: %+v", rip)
	}
	lock := insns[1]
	if lock.PC != 0x1007 || lock.Op != "lock xadd" || strings.Join(lock.Operands, "|") != "%rax|(%rdi)" {
		t.Errorf("lock: %+v", lock)
	}
	arm := mustDisasm(t, []byte{0xfd, 0x7b, 0xbf, 0xa9, 0x3f, 0x23, 0x03, 0xd5}, ARM64, 0)
	if arm[0].Op != "stp" || strings.Join(arm[0].Operands, "|") != "x29|x30|[sp, #-16]!" || arm[1].Op != "paciasp" || arm[1].Operands != nil {
		t.Errorf("arm64: %+v", arm)
	}
}

func TestTruncatedARM64(t *testing.T) {
	insns := mustDisasm(t, []byte{0x1f, 0x20, 0x03, 0xd5, 0xaa, 0xbb}, ARM64, 0)
	if len(insns) != 2 || insns[1].Text != "Address 0x4 is out of bounds." || len(insns[1].Bytes) != 2 {
		t.Errorf("%+v", insns)
	}
}
