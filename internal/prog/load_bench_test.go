package prog_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/gobpftool/gobpftool/internal/testprog"
)

// BenchmarkLoadallMany loads the fifty programs of load_many.c and pins
// them, as `gobpftool prog loadall` does (docs/PERFORMANCE.md compares the
// binaries with hyperfine).
func BenchmarkLoadallMany(b *testing.B) {
	testprog.Privileged(b)
	obj := testprog.Object(b, "load_many")
	dir := filepath.Join("/sys/fs/bpf", "gobpftool_bench_load")
	defer os.RemoveAll(dir)
	for i := 0; i < b.N; i++ {
		os.RemoveAll(dir)
		if r := ours("prog", "loadall", obj, dir); r.code != 0 {
			b.Fatalf("loadall: %+v", r)
		}
	}
}
