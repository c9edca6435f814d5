package kernel_test

import (
	"testing"

	"github.com/gobpftool/gobpftool/internal/kernel"
	"github.com/gobpftool/gobpftool/internal/testprog"
)

// TestProgIterateMatchesInfo: every program the iterator reports agrees
// with BPF_OBJ_GET_INFO_BY_FD on each field the record carries; the
// show object adds subprograms, maps, BTF and a long name to whatever
// else is loaded.
func TestProgIterateMatchesInfo(t *testing.T) {
	testprog.Privileged(t)
	coll := testprog.Load(t, "show")
	want := map[uint32]bool{}
	for _, p := range coll.Programs {
		want[testprog.ProgID(t, p)] = true
	}
	var progs []kernel.IterProg
	err := kernel.ProgIterate(kernel.PrepareIterator(), func(p *kernel.IterProg) error {
		p.MapIDs = append([]uint32(nil), p.MapIDs...)
		progs = append(progs, *p)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range progs {
		delete(want, p.ID)
		fd, err := kernel.ProgFDByID(p.ID)
		if err != nil {
			continue // gone meanwhile
		}
		pi, err := kernel.GetProgInfo(fd)
		kernel.Close(fd)
		if err != nil {
			t.Fatal(err)
		}
		if p.NeedsInfo {
			continue
		}
		got := [...]any{p.Type, p.Tag, p.XlatedLen, p.JitedLen, p.LoadTime, p.UID, p.BTFID, p.VerifiedInsns, p.GPL, p.Name, len(p.MapIDs), p.HasFuncInfo}
		want := [...]any{pi.Type, pi.Tag, pi.XlatedLen, pi.JitedLen, pi.LoadTime, pi.UID, pi.BTFID, pi.VerifiedInsns, pi.GPL, pi.Name, len(pi.MapIDs), pi.NrFuncInfo > 0}
		if got != want {
			t.Errorf("program %d: iterator %v, info %v", p.ID, got, want)
		}
		for i := range p.MapIDs {
			if p.MapIDs[i] != pi.MapIDs[i] {
				t.Errorf("program %d: maps %v, info %v", p.ID, p.MapIDs, pi.MapIDs)
				break
			}
		}
		// Statistics move while programs run; the iterator read first.
		if p.RunCnt > pi.RunCnt || p.RunTimeNs > pi.RunTimeNs || p.RecursionMisses > pi.RecursionMisses {
			t.Errorf("program %d: stats %d %d %d, info %d %d %d", p.ID, p.RunTimeNs, p.RunCnt, p.RecursionMisses, pi.RunTimeNs, pi.RunCnt, pi.RecursionMisses)
		}
	}
	if len(want) > 0 {
		t.Errorf("programs %v not seen by the iterator", want)
	}
	t.Logf("%d programs", len(progs))
}
