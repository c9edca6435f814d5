package kallsyms

import (
	"bytes"
	"os"
	"testing"
)

// BenchmarkParse reads this machine's whole table, what bpftool pays on
// every dump.
func BenchmarkParse(b *testing.B) {
	raw, err := os.ReadFile("/proc/kallsyms")
	if err != nil || len(raw) == 0 {
		b.Skip("no /proc/kallsyms")
	}
	for b.Loop() {
		if _, err := Parse(bytes.NewReader(raw)); err != nil {
			b.Fatal(err)
		}
	}
}
