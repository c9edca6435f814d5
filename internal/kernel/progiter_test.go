package kernel

import (
	"os"
	"testing"
)

// TestProgIterateMatchesInfo: every program the iterator reports agrees
// with BPF_OBJ_GET_INFO_BY_FD on each field the record carries.
func TestProgIterateMatchesInfo(t *testing.T) {
	if os.Geteuid() != 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("needs root to load an iterator")
		}
		t.Skip("needs root to load an iterator")
	}
	var progs []IterProg
	err := ProgIterate(PrepareIterator(), func(p *IterProg) error {
		p.MapIDs = append([]uint32(nil), p.MapIDs...)
		progs = append(progs, *p)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(progs) == 0 {
		t.Fatal("no programs")
	}
	for _, p := range progs {
		fd, err := ProgFDByID(p.ID)
		if err != nil {
			continue // gone meanwhile
		}
		pi, err := GetProgInfo(fd)
		Close(fd)
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
	t.Logf("%d programs", len(progs))
}
