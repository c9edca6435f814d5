package progfacts_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/gobpftool/gobpftool/internal/progfacts"
	"github.com/gobpftool/gobpftool/internal/testprog"
)

// holderPIDs samples every program and returns the pids holding id.
func holderPIDs(t *testing.T, sm *progfacts.Sampler, id uint32) []int {
	t.Helper()
	progs, err := sm.Sample(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range progs {
		if p.Name == "gobpftool_pids" || p.Name == "gobpftool_progs" {
			t.Errorf("sample lists the sampler's own iterator %d %s", p.ID, p.Name)
		}
		if p.ID == id {
			var pids []int
			for _, h := range p.Holders {
				pids = append(pids, h.PID)
			}
			return pids
		}
	}
	t.Fatalf("program %d not sampled", id)
	return nil
}

// A sampler that may show holders old scans them again when a new
// program appears, and otherwise keeps the last scan; one that may not
// scans every sample.
func TestSamplerHolderEvery(t *testing.T) {
	testprog.Privileged(t)
	a := testprog.Load(t, "nogpl").Programs["show_nogpl_xdp"]
	if a == nil {
		t.Fatal("nogpl.c has no program show_nogpl_xdp")
	}
	idA := testprog.ProgID(t, a)
	first := testprog.HoldInChild(t, a.FD()).Process.Pid

	// One sampler at a time: each leaves out its own iterators only.
	exact := progfacts.NewSampler(progfacts.Options{Holders: true})
	if pids := holderPIDs(t, exact, idA); !slices.Contains(pids, first) {
		t.Fatalf("holders of %d: %v, want %d among them", idA, pids, first)
	}
	second := testprog.HoldInChild(t, a.FD()).Process.Pid
	if pids := holderPIDs(t, exact, idA); !slices.Contains(pids, second) {
		t.Errorf("exact sampler: holders of %d %v lack the new holder %d", idA, pids, second)
	}
	exact.Close()

	lazy := progfacts.NewSamplerEvery(progfacts.Options{Holders: true}, time.Hour)
	defer lazy.Close()
	for range 2 { // the second sample sees the iterators the first loaded
		if pids := holderPIDs(t, lazy, idA); !slices.Contains(pids, second) {
			t.Fatalf("holders of %d: %v, want %d among them", idA, pids, second)
		}
	}
	third := testprog.HoldInChild(t, a.FD()).Process.Pid
	if pids := holderPIDs(t, lazy, idA); slices.Contains(pids, third) {
		t.Errorf("lazy sampler scanned again with no new program: holders %v", pids)
	}

	b := testprog.Load(t, "nogpl").Programs["show_nogpl_xdp"]
	idB := testprog.ProgID(t, b)
	fourth := testprog.HoldInChild(t, b.FD()).Process.Pid
	if pids := holderPIDs(t, lazy, idB); !slices.Contains(pids, fourth) {
		t.Errorf("lazy sampler: holders of new program %d %v lack %d", idB, pids, fourth)
	}
	if pids := holderPIDs(t, lazy, idA); !slices.Contains(pids, third) {
		t.Errorf("lazy sampler did not scan again for the new program: holders of %d %v", idA, pids)
	}
}
