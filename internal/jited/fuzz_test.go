package jited

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/gobpftool/gobpftool/internal/jsonw"
)

// FuzzDisasm feeds arbitrary bytes to both decoders: they must not panic,
// must cover every byte exactly once with instructions of legal length, and
// the writers must take whatever they return.
func FuzzDisasm(f *testing.F) {
	for _, dir := range []string{"x86_64", "arm64"} {
		bins, _ := filepath.Glob(filepath.Join("testdata", dir, "*.bin"))
		for _, b := range bins {
			img, err := os.ReadFile(b)
			if err == nil && len(img) <= 512 {
				f.Add(img, dir == "arm64")
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, arm bool) {
		arch, max := X86_64, 15
		if arm {
			arch, max = ARM64, 4
		}
		insns, err := Disassemble(data, arch, 0xffffffffc0000000)
		if err != nil {
			t.Fatal(err)
		}
		next := uint64(0xffffffffc0000000)
		var seen []byte
		for _, in := range insns {
			if in.PC != next || len(in.Bytes) == 0 || len(in.Bytes) > max || in.Text == "" || in.Op == "" {
				t.Fatalf("bad instruction %+v after %#x", in, next)
			}
			next += uint64(len(in.Bytes))
			seen = append(seen, in.Bytes...)
		}
		if !bytes.Equal(seen, data) {
			t.Fatalf("instructions cover % x, input % x", seen, data)
		}
		if err := WritePlain(io.Discard, insns, Options{Opcodes: true}); err != nil {
			t.Fatal(err)
		}
		WriteJSON(jsonw.New(io.Discard, true), insns, Options{Opcodes: true})
	})
}

// BenchmarkDisassemble measures the x86-64 decoder on the captured JIT
// images, which is what one `prog dump jited` costs beyond the syscalls.
func BenchmarkDisassemble(b *testing.B) {
	bins, _ := filepath.Glob(filepath.Join("testdata", "x86_64", "[st][cox]*.bin"))
	var images [][]byte
	size := 0
	for _, p := range bins {
		img, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		images = append(images, img)
		size += len(img)
	}
	b.SetBytes(int64(size))
	for b.Loop() {
		for _, img := range images {
			insns, _ := Disassemble(img, X86_64, 0)
			WritePlain(io.Discard, insns, Options{Opcodes: true})
		}
	}
}
