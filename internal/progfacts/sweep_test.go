package progfacts

import (
	"context"
	"testing"

	"github.com/gobpftool/gobpftool/internal/testprog"
)

// TestSamplerSweepsCaches: a sampler keeps the parsed BTF and the maps of
// the programs it sees, and drops them within two sweeps of the programs
// going away, so that hours of sampling a machine that loads and unloads
// programs do not keep every one it ever saw.
func TestSamplerSweepsCaches(t *testing.T) {
	testprog.Privileged(t)
	defer func(n int) { sweepEvery = n }(sweepEvery)
	sweepEvery = 2
	sm := NewSampler(Options{})
	defer sm.Close()
	coll := testprog.Load(t, "show")
	long := coll.Programs["show_tc_classifier_with_a_long_name"]
	info, err := long.Info()
	if err != nil {
		t.Fatal(err)
	}
	btfID, _ := info.BTFID()
	// show_xdp reads .rodata, which has its metadata.
	xdpInfo, err := coll.Programs["show_xdp"].Info()
	if err != nil {
		t.Fatal(err)
	}
	mapIDs, _ := xdpInfo.MapIDs()
	if btfID == 0 || len(mapIDs) == 0 {
		t.Fatalf("show.c's programs have BTF %d and maps %v", btfID, mapIDs)
	}
	cached := func() (btf, maps bool) {
		sm.s.btf.mu.Lock()
		_, btf = sm.s.btf.ids[uint32(btfID)]
		sm.s.btf.mu.Unlock()
		sm.s.maps.mu.Lock()
		_, maps = sm.s.maps.ids[uint32(mapIDs[0])]
		sm.s.maps.mu.Unlock()
		return
	}
	for range 4 { // two sweeps: what is in use stays
		if _, err := sm.Sample(context.Background(), nil); err != nil {
			t.Fatal(err)
		}
		if btf, maps := cached(); !btf || !maps {
			t.Fatalf("in use, but not cached: BTF %v, map %v", btf, maps)
		}
	}
	coll.Close()
	for range 2 * sweepEvery {
		if _, err := sm.Sample(context.Background(), nil); err != nil {
			t.Fatal(err)
		}
	}
	if btf, maps := cached(); btf || maps {
		t.Errorf("gone, but still cached: BTF %v, map %v", btf, maps)
	}
}
