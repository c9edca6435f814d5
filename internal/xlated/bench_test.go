package xlated

import (
	"io"
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
