package top

import (
	"math"
	"testing"
	"time"

	"github.com/gobpftool/gobpftool/internal/progfacts"
)

func prog(id uint32, cnt, ns uint64) *progfacts.Prog {
	return &progfacts.Prog{ID: id, TypeName: "xdp", Name: "p", RunCnt: cnt, RunTimeNs: ns}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9*math.Max(1, math.Abs(b)) }

// TestModelPeriods: the first sample of a program is its baseline; later
// ones give the period's runs, time, rates and CPU share.
func TestModelPeriods(t *testing.T) {
	m := NewModel()
	t0 := time.Unix(1000, 0)
	rows := m.Update(Sample{At: t0, Progs: []*progfacts.Prog{prog(1, 10, 1000)}})
	if r := rows[0]; r.PeriodNs != 0 || r.PeriodRunCnt != 0 || r.CPUPercent != 0 || r.EventsPerSec != 0 {
		t.Errorf("first sample %+v, want a zero period", r)
	}
	// 500 runs of 2000ns each in half a second: 1000/s, 0.2% of a core.
	rows = m.Update(Sample{At: t0.Add(500 * time.Millisecond), Progs: []*progfacts.Prog{prog(1, 510, 1000+500*2000)}})
	r := rows[0]
	if r.PeriodNs != 5e8 || r.PeriodRunCnt != 500 || r.PeriodRunTimeNs != 1e6 {
		t.Errorf("period %+v", r)
	}
	if !near(r.EventsPerSec, 1000) || !near(r.AvgRuntimeNs, 2000) || !near(r.CPUPercent, 0.2) {
		t.Errorf("rates: %v/s avg %v cpu %v", r.EventsPerSec, r.AvgRuntimeNs, r.CPUPercent)
	}
	// No runs: average 0, not NaN.
	rows = m.Update(Sample{At: t0.Add(time.Second), Progs: []*progfacts.Prog{prog(1, 510, 1000+500*2000)}})
	if r := rows[0]; r.AvgRuntimeNs != 0 || r.EventsPerSec != 0 || r.CPUPercent != 0 || r.PeriodNs != 5e8 {
		t.Errorf("idle period %+v", r)
	}
	if h := m.History(1); h == nil || len(h.Points(nil)) != 2 {
		t.Errorf("history %v, want 2 periods", h)
	}
}

// TestModelAppearLeave: a program's period runs from its own previous
// sample; programs that vanish leave the model.
func TestModelAppearLeave(t *testing.T) {
	m := NewModel()
	t0 := time.Unix(0, 0)
	m.Update(Sample{At: t0, Progs: []*progfacts.Prog{prog(1, 0, 0)}})
	rows := m.Update(Sample{At: t0.Add(time.Second), Progs: []*progfacts.Prog{prog(1, 1, 100), prog(2, 50, 5000)}})
	if rows[1].PeriodRunCnt != 0 || rows[1].PeriodNs != 0 {
		t.Errorf("new program has a period: %+v", rows[1])
	}
	rows = m.Update(Sample{At: t0.Add(3 * time.Second), Progs: []*progfacts.Prog{prog(2, 60, 6000)}})
	if len(rows) != 1 || rows[0].PeriodNs != 2e9 || rows[0].PeriodRunCnt != 10 || !near(rows[0].EventsPerSec, 5) {
		t.Errorf("rows %+v", rows)
	}
	if m.Tracked() != 1 || m.History(1) != nil {
		t.Errorf("vanished program still tracked (%d)", m.Tracked())
	}
	// Counters going back (a reused id) start a new baseline.
	rows = m.Update(Sample{At: t0.Add(4 * time.Second), Progs: []*progfacts.Prog{prog(2, 1, 1)}})
	if rows[0].PeriodRunCnt != 0 || rows[0].PeriodNs != 0 {
		t.Errorf("counter went back: %+v", rows[0])
	}
}

// TestModelFlat: the model's memory follows the programs, not the
// samples; the history is a fixed ring.
func TestModelFlat(t *testing.T) {
	m := NewModel()
	t0 := time.Unix(0, 0)
	progs := []*progfacts.Prog{prog(1, 0, 0), prog(2, 0, 0)}
	for i := 0; i < 3*HistoryLen; i++ {
		progs[0].RunCnt++
		m.Update(Sample{At: t0.Add(time.Duration(i) * time.Second), Progs: progs})
	}
	pts := m.History(1).Points(nil)
	if len(pts) != HistoryLen {
		t.Fatalf("%d points, want %d", len(pts), HistoryLen)
	}
	allocs := testing.AllocsPerRun(100, func() {
		t0 = t0.Add(time.Second)
		progs[0].RunCnt++
		m.Update(Sample{At: t0, Progs: progs})
	})
	if allocs != 0 {
		t.Errorf("%v allocations per sample of known programs, want 0", allocs)
	}
}

func TestSortAndMatch(t *testing.T) {
	rows := []Row{
		{Prog: &progfacts.Prog{ID: 3, TypeName: "xdp", Name: "Alpha"}, CPUPercent: 1},
		{Prog: &progfacts.Prog{ID: 1, TypeName: "sched_cls", Name: "beta",
			Holders: []progfacts.Holder{{PID: 7, Comm: "Cilium-agent"}}}, CPUPercent: 5},
		{Prog: &progfacts.Prog{ID: 2, Type: 99}, CPUPercent: 1},
	}
	SortRows(rows, ColCPU, true)
	if got := []uint32{rows[0].Prog.ID, rows[1].Prog.ID, rows[2].Prog.ID}; got[0] != 1 || got[1] != 2 || got[2] != 3 {
		t.Errorf("CPU desc order %v, want 1 2 3 (ties by id)", got)
	}
	SortRows(rows, ColName, false)
	if rows[0].Prog.ID != 2 || rows[1].Prog.ID != 3 {
		t.Errorf("name order: %d %d", rows[0].Prog.ID, rows[1].Prog.ID)
	}
	for _, c := range []struct {
		f    string
		want []uint32
	}{{"alp", []uint32{3}}, {"sched", []uint32{1}}, {"cilium", []uint32{1}}, {"type 99", []uint32{2}}, {"", []uint32{2, 3, 1}}} {
		var got []uint32
		for i := range rows {
			if Match(&rows[i], c.f) {
				got = append(got, rows[i].Prog.ID)
			}
		}
		if len(got) != len(c.want) {
			t.Errorf("filter %q: %v, want %v", c.f, got, c.want)
		}
	}
}
