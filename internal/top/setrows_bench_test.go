package top

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/gobpftool/gobpftool/internal/progfacts"
)

// BenchmarkSetRows is what a sample of 10,000 programs costs the table:
// only the rows near the cursor are formatted.
func BenchmarkSetRows(b *testing.B) {
	v := NewView(context.Background(), Config{Interval: time.Second})
	v.width, v.height = 100, 30
	v.layout()
	rows := make([]Row, 10000)
	for i := range rows {
		rows[i] = Row{Prog: &progfacts.Prog{ID: uint32(i), Name: fmt.Sprintf("bench_%04d", i), TypeName: "socket_filter"}, CPUPercent: float64(i % 7)}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		v.setRows(rows)
	}
}
