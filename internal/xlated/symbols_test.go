package xlated

import (
	"strings"
	"testing"

	"github.com/gobpftool/gobpftool/internal/kallsyms"
)

// With kernel.kptr_restrict the table is empty: calls print as addresses.
func TestFormatterRestrictedSymbols(t *testing.T) {
	text := "0000000000000000 T _text\n0000000000000000 T __bpf_call_base\n0000000000000000 T bpf_user_rnd_u32\n"
	k, err := kallsyms.Parse(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	f := NewFormatter(nil, k, DialectCurrent)
	if got := f.Insn([]Insn{{Code: 0x85, Imm: 22592}}, 0); got != "(85) call 0x5840#22592" {
		t.Errorf("got %q", got)
	}
}

func TestFormatterNilSymbols(t *testing.T) {
	f := NewFormatter(nil, nil, DialectCurrent)
	if got := f.Insn([]Insn{{Code: 0x85, Imm: 300}}, 0); got != "(85) call 0x12c#300" {
		t.Errorf("got %q", got)
	}
}
