package xlated

import (
	"strings"
	"testing"
)

func TestParseKallsyms(t *testing.T) {
	text := `0000000000000000 A fixed_percpu_data
ffffffff81000000 T _text
ffffffff814ca810 T __bpf_call_base
ffffffff814d0050 T bpf_user_rnd_u32
ffffffff814d0050 T bpf_get_prandom_u32_alias
ffffffffc00263ac t bpf_prog_d89440b20c73f36b_xdp_prog1	[bpf]
garbage line
zzzz T not_hex
`
	k, err := ParseKallsyms(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	if k.CallBase() != 0xffffffff814ca810 {
		t.Errorf("call base %#x", k.CallBase())
	}
	if k.Len() != 5 {
		t.Errorf("kept %d symbols, want 5 (zero address dropped)", k.Len())
	}
	for addr, want := range map[uint64]string{
		0xffffffff81000000: "_text",
		0xffffffffc00263ac: "bpf_prog_d89440b20c73f36b_xdp_prog1",
	} {
		if got, ok := k.Lookup(addr); !ok || got != want {
			t.Errorf("%#x: %q %v, want %q", addr, got, ok, want)
		}
	}
	if got, ok := k.Lookup(0xffffffff814d0050); !ok || (got != "bpf_user_rnd_u32" && got != "bpf_get_prandom_u32_alias") {
		t.Errorf("alias lookup: %q %v", got, ok)
	}
	if _, ok := k.Lookup(0); ok {
		t.Error("address 0 resolved")
	}
	if _, ok := k.Lookup(0xffffffff81000001); ok {
		t.Error("inexact address resolved")
	}
}

// With kernel.kptr_restrict every address reads 0; bpftool then drops the
// whole table, so nothing resolves and the call base is 0.
func TestParseKallsymsRestricted(t *testing.T) {
	text := "0000000000000000 T _text\n0000000000000000 T __bpf_call_base\n0000000000000000 T bpf_user_rnd_u32\n"
	k, err := ParseKallsyms(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	if k.Len() != 0 || k.CallBase() != 0 {
		t.Errorf("restricted table kept %d symbols, base %#x", k.Len(), k.CallBase())
	}
	f := NewFormatter(nil, k, DialectCurrent)
	if got := f.Insn([]Insn{{Code: 0x85, Imm: 22592}}, 0); got != "(85) call 0x5840#22592" {
		t.Errorf("got %q", got)
	}
}

func TestNilKallsyms(t *testing.T) {
	var k *Kallsyms
	f := NewFormatter(nil, k, DialectCurrent)
	if got := f.Insn([]Insn{{Code: 0x85, Imm: 300}}, 0); got != "(85) call 0x12c#300" {
		t.Errorf("got %q", got)
	}
}
