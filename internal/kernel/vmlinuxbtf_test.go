package kernel

import (
	"os"
	"testing"
)

// TestVmlinuxFacts: the streamed walk agrees with a whole-blob read, and
// rejects, never panics on, any cut or corrupted blob.
func TestVmlinuxFacts(t *testing.T) {
	raw, err := os.ReadFile("/sys/kernel/btf/vmlinux")
	if err != nil {
		t.Skip("no kernel BTF")
	}
	f, err := parseVmlinuxFacts(raw)
	if err != nil || f.iterFuncID == 0 || f.progAux == 0 {
		t.Fatalf("real BTF: %+v %v", f, err)
	}
	g, err := readVmlinuxFacts()
	if err != nil || *g != *f {
		t.Errorf("from sysfs %+v %v, from memory %+v", g, err, f)
	}
	for _, n := range []int{0, 10, 24, 100, 4096, len(raw) / 2, len(raw) - 1} {
		parseVmlinuxFacts(raw[:n])
	}
	bad := append([]byte(nil), raw...)
	for i := 24; i < 1<<20; i += 97 {
		bad[i] ^= 0xff
	}
	parseVmlinuxFacts(bad)
}
