package cfg

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/gobpftool/gobpftool/internal/xlated"
)

// FuzzCFG builds and draws graphs of arbitrary images: jumps and calls
// may point anywhere, and nothing may panic or loop.
func FuzzCFG(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join(goldenDir, "*", "insns.bin"))
	for _, s := range seeds {
		if b, err := os.ReadFile(s); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte{0x05, 0, 0xf0, 0xff, 0, 0, 0, 0})
	f.Add([]byte{0x85, 0x10, 0x40, 0, 1, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, image []byte) {
		if err := WriteDOT(io.Discard, image, nil, xlated.DialectCurrent); err != nil {
			t.Fatal(err)
		}
	})
}
