package profiler

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// openFDs is this process's open fds and what each points to, to show
// that nothing is left open: perf events, maps, programs, links and the
// stats fd are all anon inodes with telling names.
func openFDs(t *testing.T) []string {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	var fds []string
	for _, e := range ents {
		target, err := os.Readlink(filepath.Join("/proc/self/fd", e.Name()))
		if err != nil {
			continue // the directory's own fd, closed by now
		}
		fds = append(fds, e.Name()+" -> "+target)
	}
	sort.Strings(fds)
	return fds
}

func sameFDs(t *testing.T, before []string) {
	t.Helper()
	after := openFDs(t)
	if strings.Join(before, "\n") != strings.Join(after, "\n") {
		t.Errorf("open fds changed:\nbefore %q\nafter  %q", before, after)
	}
}
