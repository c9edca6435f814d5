package top

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gobpftool/gobpftool/internal/progfacts"
)

// detailView renders one program: its facts as `prog show` knows them,
// its links, and charts of its history.
func (v *View) detailView() string {
	var b strings.Builder
	line := func(format string, a ...any) {
		b.WriteString(fit(fmt.Sprintf(format, a...), v.width))
		b.WriteByte('\n')
	}
	head := fmt.Sprintf(" program %d", v.detailID)
	if v.detailGone {
		head += "  -- gone: the program was unloaded"
	}
	if v.paused {
		head += "  PAUSED"
	}
	b.WriteString(statusStyle.Render(fit(head, v.width)) + "\n")
	p := v.detail
	switch {
	case v.detailErr != nil:
		line("error: %v", v.detailErr)
	case p == nil && v.detailGone:
		line("program %d is gone", v.detailID)
	case p == nil:
		line("reading...")
	}
	if p != nil {
		typ := p.TypeName
		if typ == "" {
			typ = "type " + strconv.FormatUint(uint64(p.Type), 10)
		}
		line("%s  name %s  tag %s%s", typ, orDash(p.Name), p.TagHex(), gpl(p.GPL))
		var loaded string
		if !p.LoadedAt.IsZero() {
			loaded = p.LoadedAt.Format(time.DateTime)
		}
		line("loaded_at %s  uid %d  run_cnt %d  run_time %s", orDash(loaded), p.UID, p.RunCnt, FormatNs(p.RunTimeNs))
		jited := "not jited"
		if p.JitedLen != 0 {
			jited = fmt.Sprintf("jited %dB", p.JitedLen)
		}
		memlock := ""
		if p.HasMemlock {
			memlock = fmt.Sprintf("  memlock %dB", p.Memlock)
		}
		line("xlated %dB  %s%s  map_ids %s  btf_id %d", p.XlatedLen, jited, memlock, joinIDs(p.MapIDs), p.BTFID)
		for _, pin := range p.Pins {
			line("pinned %s", pin)
		}
		var hs []string
		for _, h := range p.Holders {
			hs = append(hs, fmt.Sprintf("%s(%d)", h.Comm, h.PID))
		}
		line("pids %s", orDash(strings.Join(hs, ", ")))
		attached := 0
		for _, l := range v.links {
			if l.ProgID == p.ID {
				line("attached: link %d  %s  %s", l.ID, l.Type, l.Target)
				attached++
			}
		}
		if attached == 0 {
			line("attached: no BPF link (netlink, tc or legacy attachments are not listed)")
		}
	}
	used := strings.Count(b.String(), "\n") + 1 // and the key line
	v.charts(&b, used)
	b.WriteString(dimStyle.Render(fit("esc back  p pause  q quit", v.width)))
	return b.String()
}

// charts draws CPU %, events/s and average run time over the history, as
// many rows high as the screen leaves.
func (v *View) charts(b *strings.Builder, used int) {
	h := v.model.History(v.detailID)
	if h == nil {
		return
	}
	v.pointBuffer = h.Points(v.pointBuffer)
	pts := v.pointBuffer
	rows := max((v.height-used)/3-1, 1)
	width := max(v.width-2, 10)
	if len(pts) > width {
		pts = pts[len(pts)-width:]
	}
	type series struct {
		name string
		get  func(Point) float64
		unit string
	}
	for _, s := range []series{
		{"CPU %", func(p Point) float64 { return p.CPUPercent }, "%.3f"},
		{"events/s", func(p Point) float64 { return p.EventsPerSec }, "%.1f"},
		{"avg runtime ns", func(p Point) float64 { return p.AvgRuntimeNs }, "%.0f"},
	} {
		var cur, sum, top float64
		for i, p := range pts {
			x := s.get(p)
			sum += x
			top = max(top, x)
			if i == len(pts)-1 {
				cur = x
			}
		}
		avg := 0.0
		if len(pts) > 0 {
			avg = sum / float64(len(pts))
		}
		f := s.unit
		b.WriteString(fit(titleStyle.Render(s.name)+fmt.Sprintf("  cur "+f+"  avg "+f+"  max "+f+"  (%d samples)", cur, avg, top, len(pts)), v.width))
		b.WriteByte('\n')
		for r := rows - 1; r >= 0; r-- {
			b.WriteString(" ")
			for _, p := range pts {
				b.WriteRune(bar(s.get(p), top, r, rows))
			}
			b.WriteByte('\n')
		}
	}
}

var eighths = []rune(" ▁▂▃▄▅▆▇█")

// bar is the cell of row r (0 at the bottom) of a column of height rows
// showing x against top.
func bar(x, top float64, r, rows int) rune {
	if top <= 0 || x <= 0 {
		if r == 0 {
			return '_'
		}
		return ' '
	}
	fill := x / top * float64(rows*8)
	n := int(fill) - r*8
	if r == 0 && n < 1 {
		n = 1 // something above zero shows
	}
	return eighths[min(max(n, 0), 8)]
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func gpl(ok bool) string {
	if ok {
		return "  gpl"
	}
	return ""
}

func joinIDs(ids []uint32) string {
	if len(ids) == 0 {
		return "-"
	}
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatUint(uint64(id), 10)
	}
	return strings.Join(s, ",")
}

// DetailFunc adapts progfacts to Config.Detail: a fresh session per call
// (pins and holders found anew) and every link.
func DetailFunc(newSession func() *progfacts.Session) func(ctx context.Context, id uint32) (*progfacts.Prog, []progfacts.Link, bool, error) {
	return func(ctx context.Context, id uint32) (*progfacts.Prog, []progfacts.Link, bool, error) {
		p, ok, err := newSession().One(ctx, id)
		if err != nil || !ok {
			return nil, nil, ok, err
		}
		links, _ := progfacts.Links()
		return p, links, true, nil
	}
}
