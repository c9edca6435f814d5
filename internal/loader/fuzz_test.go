package loader

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// FuzzLoadELF feeds mutated objects to what `prog load` does before the
// kernel sees anything: libbpf's header checks, the section walk,
// cilium/ebpf's ELF reader, libbpf's program and map order, type
// inference and the function layout. None of it may panic.
func FuzzLoadELF(f *testing.F) {
	for _, seed := range fuzzSeeds(f) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		// -m rewrites the object's BTF before cilium/ebpf reads it.
		parseObject("fuzz.o", raw, true, func(string, ...any) {})
		obj, err := parseObject("fuzz.o", raw, false, func(string, ...any) {})
		if err != nil {
			return
		}
		for _, p := range obj.progs {
			FindSection(p.sec)
			libbpfLayout(p.spec.Instructions)
		}
		for _, m := range obj.maps {
			mmapable(m.spec)
		}
	})
}

// fuzzSeeds adds the test objects, compiled when clang is there, to the
// corpus under testdata/fuzz.
func fuzzSeeds(f *testing.F) [][]byte {
	clang, err := exec.LookPath("clang")
	if err != nil {
		return nil
	}
	_, file, _, _ := runtime.Caller(0)
	src := filepath.Join(filepath.Dir(file), "..", "testprog", "src")
	dir := f.TempDir()
	var seeds [][]byte
	for _, name := range []string{"load_multi", "load_calls", "load_core", "load_noprog", "load_unknown", "load_mapfield"} {
		out := filepath.Join(dir, name+".o")
		cmd := exec.Command(clang, "-O2", "-g", "-target", "bpf", "-I/usr/include/x86_64-linux-gnu",
			"-c", filepath.Join(src, name+".c"), "-o", out)
		if cmd.Run() != nil {
			continue
		}
		if b, err := os.ReadFile(out); err == nil {
			seeds = append(seeds, b)
		}
	}
	return seeds
}
