package jited

import (
	"bytes"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/cilium/ebpf"
)

// update regenerates testdata from the oracles: JIT images of real programs
// loaded into this kernel (needs root and clang), synthetic byte sequences,
// arm64 sources assembled with binutils, and GNU objdump's text for all of
// them. The normal test run only reads what this writes.
var update = flag.Bool("update", false, "regenerate testdata from the kernel, the assembler and objdump")

// objdumpFor names the oracle and its machine flag for each directory of
// testdata/. The flags are those of the README's reference command.
var objdumpFor = map[string][]string{
	"x86_64": {"objdump", "-mi386:x86-64"},
	"arm64":  {"aarch64-linux-gnu-objdump", "-maarch64"},
}

func TestUpdate(t *testing.T) {
	if !*update {
		t.Skip("golden files are regenerated only with -update")
	}
	writeSynthetic(t)
	assembleARM64(t)
	captureImages(t)
	for dir, tool := range objdumpFor {
		bins, _ := filepath.Glob(filepath.Join("testdata", dir, "*.bin"))
		for _, bin := range bins {
			out, err := exec.Command(tool[0], "-D", "-b", "binary", tool[1], bin).Output()
			if err != nil {
				t.Fatalf("%s %s: %v", tool[0], bin, err)
			}
			golden := strings.TrimSuffix(bin, ".bin") + ".objdump"
			if err := os.WriteFile(golden, trimHeader(out), 0o644); err != nil {
				t.Fatal(err)
			}
			vma, ok := relocated[filepath.Base(bin)]
			if !ok {
				continue
			}
			out, err = exec.Command(tool[0], "-D", "-b", "binary", tool[1],
				fmt.Sprintf("--adjust-vma=%#x", vma), bin).Output()
			if err != nil {
				t.Fatalf("%s %s: %v", tool[0], bin, err)
			}
			golden = strings.TrimSuffix(bin, ".bin") + ".vma.objdump"
			if err := os.WriteFile(golden, trimHeader(out), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// relocated lists images also disassembled at a kernel address, as newer
// bpftool does (it starts each function at its ksym), to test branch
// targets away from address 0.
var relocated = map[string]uint64{
	"tc_calls.0.bin":     0xffffffffa0001000,
	"sock_percpu.0.bin":  0xffffffffc0002000,
	"synth_branches.bin": 0xffffffffc0000800,
	"synth_moves.bin":    0xffffffffc0000800,
	"jit.bin":            0xffff800080001000,
}

// trimHeader drops objdump's header, which names the file; the golden must
// not depend on where testdata lives.
func trimHeader(out []byte) []byte {
	if i := bytes.Index(out, []byte(">:\n")); i >= 0 {
		return out[i+len(">:\n"):]
	}
	return out
}

func writeSynthetic(t *testing.T) {
	for name, seq := range synthetic {
		var img []byte
		for _, h := range seq {
			b, err := hex.DecodeString(strings.ReplaceAll(h, " ", ""))
			if err != nil {
				t.Fatalf("synthetic %s: %q: %v", name, h, err)
			}
			img = append(img, b...)
		}
		path := filepath.Join("testdata", "x86_64", "synth_"+name+".bin")
		if err := os.WriteFile(path, img, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func assembleARM64(t *testing.T) {
	srcs, _ := filepath.Glob(filepath.Join("testdata", "arm64", "*.s"))
	tmp := t.TempDir()
	for _, src := range srcs {
		obj := filepath.Join(tmp, "out.o")
		bin := strings.TrimSuffix(src, ".s") + ".bin"
		run(t, "aarch64-linux-gnu-as", "-march=armv8.5-a+lse", src, "-o", obj)
		run(t, "aarch64-linux-gnu-objcopy", "-O", "binary", "-j", ".text", obj, bin)
	}
}

// captureImages loads testdata/progs/progs.c and saves each function of each
// program's JIT image on its own, because bpftool disassembles every function
// from pc 0.
func captureImages(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Logf("JIT images are captured on amd64 only; kept the existing ones")
		return
	}
	if os.Geteuid() != 0 {
		t.Logf("loading programs needs root; kept the existing JIT images")
		return
	}
	obj := filepath.Join(t.TempDir(), "progs.o")
	run(t, "clang", "-O2", "-g", "-target", "bpf", "-mcpu=v3",
		"-I/usr/include/"+runtime.GOARCH+"-linux-gnu", "-I/usr/include/x86_64-linux-gnu",
		"-c", filepath.Join("testdata", "progs", "progs.c"), "-o", obj)
	spec, err := ebpf.LoadCollectionSpec(obj)
	if err != nil {
		t.Fatal(err)
	}
	coll, err := ebpf.NewCollection(spec)
	if err != nil {
		t.Fatal(err)
	}
	defer coll.Close()

	names := make([]string, 0, len(coll.Programs))
	for name := range coll.Programs {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		info, err := coll.Programs[name].Info()
		if err != nil {
			t.Fatal(err)
		}
		img, ok := info.JitedInsns()
		if !ok {
			t.Fatalf("%s: no JIT image (is net.core.bpf_jit_enable on?)", name)
		}
		lens, ok := info.JitedFuncLens()
		if !ok {
			lens = []uint32{uint32(len(img))}
		}
		off := 0
		for i, l := range lens {
			path := filepath.Join("testdata", "x86_64", fmt.Sprintf("%s.%d.bin", name, i))
			if err := os.WriteFile(path, img[off:off+int(l)], 0o644); err != nil {
				t.Fatal(err)
			}
			off += int(l)
		}
	}
}

func run(t *testing.T, name string, args ...string) {
	t.Helper()
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}
