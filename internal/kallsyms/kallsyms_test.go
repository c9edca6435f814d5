package kallsyms

import (
	"strings"
	"testing"
)

const sample = `ffffffff81000000 T _text
ffffffff81200000 T __bpf_call_base
ffffffff81200010 T bpf_map_lookup_elem
ffffffff81200010 t alias_of_lookup
ffffffffc0001000 t bpf_prog_6deef7357e7b4530_xdp_prog	[bpf]
`

func TestParse(t *testing.T) {
	tab := Parse(strings.NewReader(sample), []uint64{0xffffffff81200010, 0xffffffffc0001000, 0x1})
	if tab.CallBaseAddr() != 0xffffffff81200000 {
		t.Errorf("call base %#x", tab.CallBaseAddr())
	}
	if n, _ := tab.Lookup(0xffffffff81200010); n != "bpf_map_lookup_elem" {
		t.Errorf("lookup: %q", n)
	}
	if n, _ := tab.Lookup(0xffffffffc0001000); n != "bpf_prog_6deef7357e7b4530_xdp_prog" {
		t.Errorf("module suffix kept: %q", n)
	}
	if _, ok := tab.Lookup(1); ok {
		t.Error("found an address that is not there")
	}
}

func TestParseHostile(t *testing.T) {
	for _, in := range []string{"", "\n", "zz T x\n", "ffff", "ffff T\n", strings.Repeat("f", 1<<20) + " T x\n"} {
		Parse(strings.NewReader(in), []uint64{1})
	}
}
