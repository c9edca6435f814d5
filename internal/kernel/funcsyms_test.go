package kernel

import (
	"testing"

	"github.com/cilium/ebpf/btf"

	"github.com/gobpftool/gobpftool/internal/kallsyms"
	"github.com/gobpftool/gobpftool/internal/testprog"
)

// TestFuncSymbolsMatchKallsyms: for every program loaded on the machine,
// with several functions (show.c, load_calls.c) and with a name only, the
// names worked out from tags and BTF are the ones /proc/kallsyms gives
// the functions' addresses.
func TestFuncSymbolsMatchKallsyms(t *testing.T) {
	testprog.Privileged(t)
	testprog.Load(t, "show")
	testprog.Load(t, "load_calls")
	k, err := kallsyms.Load()
	if err != nil {
		t.Fatal(err)
	}
	checked, multi := 0, 0
	for id, err := ProgGetNextID(0); err == nil; id, err = ProgGetNextID(id) {
		fd, err := ProgFDByID(id)
		if err != nil {
			continue
		}
		pi, err := ProgInfoImages(fd, ImageJited)
		Close(fd)
		if err != nil || len(pi.JitedKsyms) == 0 {
			continue
		}
		var spec *btf.Spec
		if pi.BTFID != 0 {
			spec, _ = BTFSpec(pi.BTFID)
		}
		names, ok := pi.FuncSymbols(spec)
		if !ok {
			continue
		}
		for i, addr := range pi.JitedKsyms {
			want, found := k.Lookup(addr)
			if !found {
				continue // loaded after the table was read
			}
			if names[i] != want {
				t.Errorf("program %d function %d: %q, kallsyms says %q", pi.ID, i, names[i], want)
			}
		}
		checked++
		if len(names) > 1 {
			multi++
		}
	}
	if checked == 0 || multi == 0 {
		t.Fatalf("checked %d programs, %d with several functions", checked, multi)
	}
}
