package metrics

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gobpftool/gobpftool/internal/progfacts"
)

// fakeProgs are n programs with every fact set, one holder each.
func fakeProgs(n int) []*progfacts.Prog {
	progs := make([]*progfacts.Prog, n)
	for i := range progs {
		progs[i] = &progfacts.Prog{
			ID: uint32(i + 1), Type: 1, TypeName: "socket_filter", Name: fmt.Sprintf("bench_%05d", i),
			UID: 0, BTFID: uint32(i%7 + 1), XlatedLen: 56, JitedLen: 48, Memlock: 4096, HasMemlock: true,
			LoadedAt: time.Unix(1764950000, 0), RunCnt: uint64(i) * 1000, RunTimeNs: uint64(i) * 123456,
			VerifiedInsns: 7, Holders: []progfacts.Holder{{PID: 1234, Comm: "loadprogs"}},
		}
	}
	return progs
}

// BenchmarkMetricsExposition is the cost of a scrape of 10,000 programs
// past the gathering of their facts: series, registry, text encoding.
func BenchmarkMetricsExposition(b *testing.B) {
	progs := fakeProgs(10000)
	c := New(Options{})
	c.gather = func(context.Context) ([]*progfacts.Prog, error) { return progs, nil }
	for b.Loop() {
		if err := WriteText(io.Discard, c); err != nil {
			b.Fatal(err)
		}
	}
}

var tookLine = regexp.MustCompile(`(?m)^bpf_scrape_duration_seconds .*$`)

// TestMetricsGatherConsistent: what Gather builds passes client_golang's
// own checks (prometheus.Gatherers checks every series against its family
// and for duplicates, as a registry does), and is already in the order
// client_golang sorts families and series in: its exposition is the same
// byte for byte, but for the scrape's duration. With holders, unnamed
// programs, odd types and several BTF ids.
func TestMetricsGatherConsistent(t *testing.T) {
	progs := fakeProgs(1234)
	progs[3].Name, progs[4].TypeName, progs[5].HasMemlock = "", "", false
	progs[6].LoadedAt = time.Time{}
	progs[7].Holders = append(progs[7].Holders, progfacts.Holder{PID: 99, Comm: "a b\\"}, progfacts.Holder{PID: 100000, Comm: "zz"})
	progs[8].Type, progs[8].TypeName = 1, "type 1"
	c := New(Options{StatsEnabled: func() bool { return true }})
	c.gather = func(context.Context) ([]*progfacts.Prog, error) { return progs, nil }
	var checked, direct strings.Builder
	if err := WriteText(&checked, prometheus.Gatherers{c}); err != nil {
		t.Fatal(err)
	}
	if err := WriteText(&direct, c); err != nil {
		t.Fatal(err)
	}
	a := tookLine.ReplaceAllString(checked.String(), "")
	d := tookLine.ReplaceAllString(direct.String(), "")
	if a != d {
		al, dl := strings.Split(a, "\n"), strings.Split(d, "\n")
		for i := range al {
			if i >= len(dl) || al[i] != dl[i] {
				t.Fatalf("line %d differs:\nclient_golang: %q\ndirect:        %q", i+1, al[i], dl[min(i, len(dl)-1)])
			}
		}
		t.Fatalf("direct has %d lines, client_golang %d", len(dl), len(al))
	}
}
