package kallsyms

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	text := `0000000000000000 A fixed_percpu_data
ffffffff81000000 T _text
ffffffff814ca810 T __bpf_call_base
ffffffff814d0050 T bpf_user_rnd_u32
ffffffff814d0050 T bpf_get_prandom_u32_alias
ffffffffc00263ac t bpf_prog_d89440b20c73f36b_xdp_prog1	[bpf]
garbage line
zzzz T not_hex
`
	k, err := Parse(strings.NewReader(text))
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
func TestParseRestricted(t *testing.T) {
	text := "0000000000000000 T _text\n0000000000000000 T __bpf_call_base\n0000000000000000 T bpf_user_rnd_u32\n"
	k, err := Parse(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	if k.Len() != 0 || k.CallBase() != 0 {
		t.Errorf("restricted table kept %d symbols, base %#x", k.Len(), k.CallBase())
	}
}

// TestReadFor: a partial read answers the targets as the full
// table does, and reads on past aliases.
func TestReadFor(t *testing.T) {
	text := `ffffffff81000000 T _text
ffffffff814ca810 T __bpf_call_base
ffffffff814ca900 T helper_one
ffffffff814d0050 T bpf_user_rnd_u32
ffffffff814d0050 T bpf_get_prandom_u32_alias
ffffffff814d0060 T after
ffffffffc00263ac t bpf_prog_d89440b20c73f36b_xdp_prog1	[bpf]
`
	full, _ := Parse(strings.NewReader(text))
	for _, tc := range []struct {
		abs     []uint64
		rel     []int64
		entries int // symbols kept by the partial read
	}{
		{nil, []int64{0xf0}, 3},                // stops after helper_one
		{nil, []int64{0x5840}, 7},              // an alias: reads everything
		{[]uint64{0xffffffffc00263ac}, nil, 7}, // bpf programs come last
		{nil, []int64{0x1000000}, 7},           // absent: reads everything
	} {
		k, err := ReadFor(strings.NewReader(text), tc.abs, tc.rel)
		if err != nil {
			t.Fatal(err)
		}
		if k.Len() != tc.entries {
			t.Errorf("%+v: kept %d symbols, want %d", tc, k.Len(), tc.entries)
		}
		if k.CallBase() != full.CallBase() {
			t.Errorf("call base %#x", k.CallBase())
		}
		targets := append([]uint64{}, tc.abs...)
		for _, r := range tc.rel {
			targets = append(targets, full.CallBase()+uint64(r))
		}
		for _, a := range targets {
			g, gok := k.Lookup(a)
			w, wok := full.Lookup(a)
			if g != w || gok != wok {
				t.Errorf("%#x: partial %q %v, full %q %v", a, g, gok, w, wok)
			}
		}
	}
}

// FuzzParse checks the parser on arbitrary text: no panic, and every kept
// symbol resolves by its own address.
func FuzzParse(f *testing.F) {
	f.Add("ffffffff814ca810 T __bpf_call_base\nffffffffc00263ac t bpf_prog_x\t[bpf]\n")
	f.Add("0000000000000000 T __bpf_call_base\n")
	f.Add("0x10 t a\n 20\tT\tb \r\nzz t c\n1 t\n")
	f.Fuzz(func(t *testing.T, text string) {
		k, err := Parse(strings.NewReader(text))
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range k.syms {
			if _, ok := k.Lookup(s.addr); !ok {
				t.Fatalf("%#x not found", s.addr)
			}
		}
		ReadFor(strings.NewReader(text), []uint64{0x10}, []int64{-8, 0x20})
	})
}
