package prog_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gobpftool/gobpftool/internal/kernel"
	"github.com/gobpftool/gobpftool/internal/testprog"
)

// TestTracelogJSONEscapes: a trace line with a backslash, a quote and
// control characters (written to trace_marker) comes out of `-j prog
// tracelog` as JSON that parses to the line as it was. bpftool writes the
// backslash as \n and \x01 raw.
func TestTracelogJSONEscapes(t *testing.T) {
	testprog.Privileged(t)
	stdbuf := testprog.NeedTool(t, "stdbuf")
	tracefs, ok := kernel.KnownTracefs()
	if !ok {
		testprog.Missing(t, "no tracefs mounted")
	}
	bin := testprog.Binary(t)
	p, ok := startTracelog(t, stdbuf, "-o0", bin, "-j", "prog", "tracelog")
	if !ok {
		t.Fatalf("tracelog ended early: %+v", p.wait(t))
	}
	marker := fmt.Sprintf("gobpftool-json %d a\\b \"q\" \x01\x1f", rand.Uint32())
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(p.out.String(), "gobpftool-json") && time.Now().Before(deadline); {
		if err := os.WriteFile(tracefs+"/trace_marker", []byte(marker), 0); err != nil {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	r := p.stop(t, syscall.SIGINT)
	var lines []string
	if err := json.Unmarshal([]byte(r.stdout), &lines); err != nil {
		t.Fatalf("-j tracelog: invalid JSON %q: %v", r.stdout, err)
	}
	found := false
	for _, l := range lines {
		found = found || strings.Contains(l, marker)
	}
	if !found || r.code != 0 {
		t.Errorf("code %d, no line with %q in %q", r.code, marker, lines)
	}
}
