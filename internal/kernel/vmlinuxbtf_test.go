package kernel

import (
	"os"
	"testing"
)

// TestVmlinuxFactsHostile: the BTF walk must reject, not panic on, any
// cut or corrupted blob.
func TestVmlinuxFactsHostile(t *testing.T) {
	raw, err := os.ReadFile("/sys/kernel/btf/vmlinux")
	if err != nil {
		t.Skip("no kernel BTF to mutate")
	}
	for _, n := range []int{0, 10, 24, 100, 4096, len(raw) / 2, len(raw) - 1} {
		parseVmlinuxFacts(raw[:n])
	}
	bad := append([]byte(nil), raw[:1<<16]...)
	for i := 24; i < len(bad); i += 97 {
		bad[i] ^= 0xff
	}
	parseVmlinuxFacts(bad)
	if f, err := parseVmlinuxFacts(raw); err != nil || f.iterFuncID == 0 {
		t.Errorf("real BTF: %+v %v", f, err)
	}
}
