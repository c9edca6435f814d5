package xlated

import (
	"bytes"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/cilium/ebpf/btf"

	"github.com/gobpftool/gobpftool/internal/jsonw"
)

// fuzzSpec is a small BTF with a function and a string table, so fuzzed
// func_info and line_info records resolve some of the time.
func fuzzSpec(f *testing.F) *btf.Spec {
	i32 := &btf.Int{Name: "int", Size: 4, Encoding: btf.Signed}
	fn := &btf.Func{Name: "prog", Type: &btf.FuncProto{Return: i32, Params: []btf.FuncParam{{Name: "ctx", Type: &btf.Pointer{Target: i32}}}}}
	b, err := btf.NewBuilder([]btf.Type{fn}, nil)
	if err != nil {
		f.Fatal(err)
	}
	raw, err := b.Marshal(nil, nil)
	if err != nil {
		f.Fatal(err)
	}
	spec, err := btf.LoadSpecFromReader(bytes.NewReader(raw))
	if err != nil {
		f.Fatal(err)
	}
	return spec
}

// FuzzDisasm feeds arbitrary bytes to the dumper: the first byte picks
// options, the next two split the rest into an image, func_info and
// line_info. Nothing may panic, and plain and JSON must agree on the
// instruction count.
func FuzzDisasm(f *testing.F) {
	spec := fuzzSpec(f)
	seeds, _ := filepath.Glob(filepath.Join(goldenDir, "*", "insns.bin"))
	for _, s := range seeds {
		if b, err := os.ReadFile(s); err == nil {
			f.Add(append([]byte{0x0f, 0xff, 0xff}, b...))
		}
	}
	f.Add([]byte{0x03, 8, 16, 0x18, 0x21, 0, 0, 1, 0, 0, 0})
	f.Add([]byte{0x01, 0, 0, 0x85, 0x10, 5, 0, 1, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0})

	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 3 {
			return
		}
		flags, nImg, nFn := data[0], int(data[1]), int(data[2])
		rest := data[3:]
		cut := func(n int) []byte {
			if n > len(rest) {
				n = len(rest)
			}
			b := rest[:n]
			rest = rest[n:]
			return b
		}
		p := &Program{Insns: rest}
		if nImg != 0xff {
			p.Insns = cut(nImg * InsnSize)
			p.FuncInfo = cut(nFn)
			p.FuncInfoRecSize = uint32(flags>>4)*4 + 4
			p.LineInfo = rest
			p.LineInfoRecSize = lineRecSize
		}
		if flags&4 != 0 {
			p.BTF = spec
		}
		if flags&8 != 0 {
			p.JitedKsyms = []uint64{0x1000, 0x2000}
		}
		if len(p.LineInfo) >= 16 && flags&0x40 != 0 {
			p.JitedLineInfo = []uint64{binary.LittleEndian.Uint64(p.LineInfo)}
			p.JitedFuncLens = []uint32{16, 16}
		}
		o := Options{Opcodes: flags&1 != 0, Linum: flags&2 != 0, Symbols: fakeSyms{0x2000: "sub"}}
		if flags&0x80 != 0 {
			o.Dialect = DialectLinux61
		}
		if err := WritePlain(io.Discard, p, o); err != nil {
			t.Fatal(err)
		}
		var js bytes.Buffer
		jw := jsonw.New(&js, flags&0x20 != 0)
		WriteJSON(jw, p, o)
		jw.End()
	})
}
