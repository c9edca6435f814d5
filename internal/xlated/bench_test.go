package xlated

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/gobpftool/gobpftool/internal/jsonw"
)

func benchCase(b *testing.B) goldenCase {
	for _, c := range loadGolden(b) {
		if filepath.Base(c.dir) == "xdp_prog1" {
			return c
		}
	}
	b.Skip("no xdp_prog1 golden")
	return goldenCase{}
}

func BenchmarkWritePlainLinum(b *testing.B) {
	c := benchCase(b)
	o := Options{Symbols: c.syms, Linum: true, Opcodes: true}
	for b.Loop() {
		if err := WritePlain(io.Discard, c.prog, o); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWriteJSON(b *testing.B) {
	c := benchCase(b)
	o := Options{Symbols: c.syms, Linum: true, Opcodes: true}
	for b.Loop() {
		jw := jsonw.New(io.Discard, true)
		WriteJSON(jw, c.prog, o)
		jw.End()
	}
}

// BenchmarkParseKallsyms reads this machine's table, what one dump costs.
func BenchmarkParseKallsyms(b *testing.B) {
	raw, err := os.ReadFile("/proc/kallsyms")
	if err != nil || len(raw) == 0 {
		b.Skip("no /proc/kallsyms")
	}
	for b.Loop() {
		if _, err := ParseKallsyms(bytes.NewReader(raw)); err != nil {
			b.Fatal(err)
		}
	}
}
