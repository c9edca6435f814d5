package top

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gobpftool/gobpftool/internal/progfacts"
)

var ansi = regexp.MustCompile("\x1b\\[[0-9;]*m")

// TestViewWideIDs: ids of any length (a machine that has loaded
// millions of programs) and high event rates show whole, on 80 columns.
func TestViewWideIDs(t *testing.T) {
	v := NewView(context.Background(), Config{Interval: time.Second})
	v.width, v.height = 80, 24
	v.layout()
	for _, id := range []uint32{7, 1003218, 4294967295, 12} {
		v.setRows([]Row{{Prog: &progfacts.Prog{ID: id, Name: "wide", TypeName: "xdp"}, EventsPerSec: 123456789.4}})
		screen := ansi.ReplaceAllString(v.View(), "")
		found := false
		for _, line := range strings.Split(screen, "\n") {
			f := strings.Fields(line)
			found = found || len(f) > 4 && f[0] == itoa(uint64(id)) && f[4] == "123456789"
		}
		if !found {
			t.Errorf("id %d: no row with the whole id and rate:\n%s", id, screen)
		}
		for i, line := range strings.Split(screen, "\n") {
			if w := len([]rune(line)); w > 80 {
				t.Errorf("id %d: line %d is %d columns wide: %q", id, i, w, line)
			}
		}
	}
}
