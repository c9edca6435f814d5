// Package top turns successive samples of program facts into what `prog
// top` shows: per-program statistics over each period (runs, run time,
// events per second, average run time, CPU share), a history of them for
// charts, and the interactive view that renders them. The model is pure:
// it takes samples and returns rows, and knows nothing of the kernel.
package top

import (
	"time"

	"github.com/gobpftool/gobpftool/internal/progfacts"
)

// Sample is one reading of the programs, taken at At.
type Sample struct {
	At    time.Time
	Progs []*progfacts.Prog
}

// Row is one program's statistics over the period that ended with a
// sample: since the program's previous sample, or nothing (zero period
// values) in the first sample that shows it.
type Row struct {
	Prog *progfacts.Prog
	// PeriodNs is the wall time since the program's previous sample; 0
	// in the first.
	PeriodNs        int64
	PeriodRunCnt    uint64
	PeriodRunTimeNs uint64
	EventsPerSec    float64
	// AvgRuntimeNs is period run time over period runs, 0 without runs.
	AvgRuntimeNs float64
	// CPUPercent is period run time over period wall time, x100: 100 is
	// one core busy for the whole period.
	CPUPercent float64
}

// Point is one period of a program's history.
type Point struct {
	CPUPercent, EventsPerSec, AvgRuntimeNs float64
}

// HistoryLen is how many periods of each program the model keeps.
const HistoryLen = 120

// History is a ring of a program's last HistoryLen periods. The ring is
// allocated at the first period with runs: most programs of a busy
// system idle, and their history is all zeros.
type History struct {
	pts  *[HistoryLen]Point
	next int
	n    int
}

func (h *History) add(p Point) {
	if h.pts == nil {
		if p == (Point{}) {
			h.next = (h.next + 1) % HistoryLen
			h.n = min(h.n+1, HistoryLen)
			return
		}
		h.pts = new([HistoryLen]Point)
	}
	h.pts[h.next] = p
	h.next = (h.next + 1) % HistoryLen
	h.n = min(h.n+1, HistoryLen)
}

// Points returns the history, oldest first, into buf (reused if large
// enough).
func (h *History) Points(buf []Point) []Point {
	buf = buf[:0]
	start := (h.next - h.n + HistoryLen) % HistoryLen
	for i := 0; i < h.n; i++ {
		if h.pts == nil {
			buf = append(buf, Point{})
		} else {
			buf = append(buf, h.pts[(start+i)%HistoryLen])
		}
	}
	return buf
}

type last struct {
	at              time.Time
	runCnt, runTime uint64
	hist            History
	seen            uint64 // the sample number that last saw it
}

// Model keeps each program's previous reading and history. Programs that
// leave a sample leave the model: its memory follows the programs loaded,
// not the samples taken.
type Model struct {
	progs map[uint32]*last
	gen   uint64
	rows  []Row
}

// NewModel returns an empty model.
func NewModel() *Model { return &Model{progs: map[uint32]*last{}} }

// Update adds a sample and returns its rows, in the sample's order. The
// slice is reused by the next Update.
func (m *Model) Update(s Sample) []Row {
	m.gen++
	m.rows = m.rows[:0]
	for _, p := range s.Progs {
		r := Row{Prog: p}
		l := m.progs[p.ID]
		if l == nil {
			l = &last{}
			m.progs[p.ID] = l
		} else if p.RunCnt >= l.runCnt && p.RunTimeNs >= l.runTime {
			r.PeriodNs = s.At.Sub(l.at).Nanoseconds()
			r.PeriodRunCnt = p.RunCnt - l.runCnt
			r.PeriodRunTimeNs = p.RunTimeNs - l.runTime
			if r.PeriodNs > 0 {
				r.EventsPerSec = float64(r.PeriodRunCnt) * 1e9 / float64(r.PeriodNs)
				r.CPUPercent = float64(r.PeriodRunTimeNs) * 100 / float64(r.PeriodNs)
			}
			if r.PeriodRunCnt > 0 {
				r.AvgRuntimeNs = float64(r.PeriodRunTimeNs) / float64(r.PeriodRunCnt)
			}
			l.hist.add(Point{r.CPUPercent, r.EventsPerSec, r.AvgRuntimeNs})
		}
		l.at, l.runCnt, l.runTime, l.seen = s.At, p.RunCnt, p.RunTimeNs, m.gen
		m.rows = append(m.rows, r)
	}
	for id, l := range m.progs {
		if l.seen != m.gen {
			delete(m.progs, id)
		}
	}
	return m.rows
}

// History returns a program's history, nil for a program not in the
// last sample.
func (m *Model) History(id uint32) *History {
	if l := m.progs[id]; l != nil {
		return &l.hist
	}
	return nil
}

// Tracked is how many programs the model holds.
func (m *Model) Tracked() int { return len(m.progs) }
