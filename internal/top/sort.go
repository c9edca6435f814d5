package top

import (
	"cmp"
	"slices"
	"strings"
)

// Column is a sortable column of the table.
type Column int

// The columns, in the table's order.
const (
	ColID Column = iota
	ColType
	ColName
	ColAvg
	ColEvents
	ColCPU
	ColRunTime
	ColRunCnt
	ColComm
	numColumns
)

// ColumnNames are the columns' headers.
var ColumnNames = [numColumns]string{"ID", "TYPE", "NAME", "AVG_NS", "EVENTS/S", "CPU%", "RUN_TIME", "RUN_CNT", "COMM"}

// TypeName is bpftool's name of a program's type, or "type N".
func TypeName(r *Row) string {
	if r.Prog.TypeName != "" {
		return r.Prog.TypeName
	}
	return "type " + itoa(uint64(r.Prog.Type))
}

// Comms joins the comm of every holder.
func Comms(r *Row) string {
	var b strings.Builder
	for i, h := range r.Prog.Holders {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(h.Comm)
	}
	return b.String()
}

// SortRows orders rows by col, descending if desc; ties go by id.
func SortRows(rows []Row, col Column, desc bool) {
	// The id breaks ties, so the order is total and needs no stable
	// sort. Indexes are sorted rather than the rows, which are too big
	// to copy at every comparison (a sort of 10,000 was half a sample's
	// work in the view).
	idx := make([]int32, len(rows))
	for i := range idx {
		idx[i] = int32(i)
	}
	slices.SortFunc(idx, func(i, j int32) int {
		a, b := &rows[i], &rows[j]
		c := compareBy(a, b, col)
		if desc {
			c = -c
		}
		if c == 0 {
			c = cmp.Compare(a.Prog.ID, b.Prog.ID)
		}
		return c
	})
	sorted := make([]Row, len(rows))
	for k, i := range idx {
		sorted[k] = rows[i]
	}
	copy(rows, sorted)
}

func compareBy(a, b *Row, col Column) int {
	switch col {
	case ColType:
		return cmp.Compare(TypeName(a), TypeName(b))
	case ColName:
		return cmp.Compare(a.Prog.Name, b.Prog.Name)
	case ColAvg:
		return cmp.Compare(a.AvgRuntimeNs, b.AvgRuntimeNs)
	case ColEvents:
		return cmp.Compare(a.EventsPerSec, b.EventsPerSec)
	case ColCPU:
		return cmp.Compare(a.CPUPercent, b.CPUPercent)
	case ColRunTime:
		return cmp.Compare(a.Prog.RunTimeNs, b.Prog.RunTimeNs)
	case ColRunCnt:
		return cmp.Compare(a.Prog.RunCnt, b.Prog.RunCnt)
	case ColComm:
		return cmp.Compare(Comms(a), Comms(b))
	}
	return cmp.Compare(a.Prog.ID, b.Prog.ID)
}

// Match tells whether a row passes a filter: a case-insensitive
// substring of the name, the type or a holder's comm. lower is the
// filter in lower case; "" passes everything.
func Match(r *Row, lower string) bool {
	if lower == "" {
		return true
	}
	if strings.Contains(strings.ToLower(r.Prog.Name), lower) ||
		strings.Contains(strings.ToLower(TypeName(r)), lower) {
		return true
	}
	for _, h := range r.Prog.Holders {
		if strings.Contains(strings.ToLower(h.Comm), lower) {
			return true
		}
	}
	return false
}

func itoa(v uint64) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			return string(b[i:])
		}
	}
}
