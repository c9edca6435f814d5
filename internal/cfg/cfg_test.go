package cfg

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gobpftool/gobpftool/internal/kallsyms"
	"github.com/gobpftool/gobpftool/internal/xlated"
)

// The golden graphs are captured with the xlated package's golden files
// (go test ./internal/xlated -update, as root): bpftool 7.1's
// "prog dump xlated id N visual" on the same loaded programs.
const goldenDir = "../xlated/testdata/golden"

func TestGoldenDOT(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join(goldenDir, "*"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no golden files (%v); run go test ./internal/xlated -update as root", err)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			image := mustRead(t, filepath.Join(dir, "insns.bin"))
			want := mustRead(t, filepath.Join(dir, "visual.dot"))
			ks, err := os.Open(filepath.Join(dir, "kallsyms.txt"))
			if err != nil {
				t.Fatal(err)
			}
			defer ks.Close()
			syms, err := kallsyms.Parse(ks)
			if err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			if err := WriteDOT(&got, image, syms, xlated.DialectLinux61); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want) {
				t.Errorf("DOT differs from bpftool\n%s", firstDiff(want, got.Bytes()))
			}
		})
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func firstDiff(want, got []byte) string {
	wl := strings.Split(string(want), "\n")
	gl := strings.Split(string(got), "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return "want: " + w + "\ngot:  " + g
		}
	}
	return ""
}
