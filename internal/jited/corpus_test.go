package jited

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCorpus measures agreement with objdump on the .text of any ELF file,
// beyond JIT code: JITED_CORPUS=/usr/sbin/bpftool (x86-64) or
// JITED_CORPUS=arm64:/path/to/arm64-binary, or raw bytes with
// JITED_CORPUS=raw:/tmp/random.bin (arm64:raw:FILE for arm64). It reports the match rate and
// the first differences. Boundary differences are errors on ELF code; on
// random bytes, and in notation of instructions no JIT emits (SIMD, x87),
// differences are expected and only counted; NOTATION.md lists them.
func TestCorpus(t *testing.T) {
	spec := os.Getenv("JITED_CORPUS")
	if spec == "" {
		t.Skip("set JITED_CORPUS=[arm64:]ELF to compare against objdump on its .text")
	}
	arch, objcopy, objdump, mach := X86_64, "objcopy", "objdump", "-mi386:x86-64"
	if rest, ok := strings.CutPrefix(spec, "arm64:"); ok {
		spec = rest
		arch, objcopy, objdump, mach = ARM64, "aarch64-linux-gnu-objcopy", "aarch64-linux-gnu-objdump", "-maarch64"
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "text.bin")
	raw, isRaw := strings.CutPrefix(spec, "raw:")
	if isRaw {
		bin = raw
	} else {
		run(t, objcopy, "-O", "binary", "-j", ".text", spec, bin)
	}
	out, err := exec.Command(objdump, "-D", "-b", "binary", mach, bin).Output()
	if err != nil {
		t.Fatal(err)
	}
	listing := filepath.Join(dir, "text.objdump")
	if err := os.WriteFile(listing, trimHeader(out), 0o644); err != nil {
		t.Fatal(err)
	}
	img, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Disassemble(img, arch, 0)
	if err != nil {
		t.Fatal(err)
	}
	at := make(map[uint64]Inst, len(got))
	for _, in := range got {
		at[in.PC] = in
	}
	want := parseObjdump(t, listing)
	same, shown, bounds := 0, 0, 0
	for _, w := range want {
		in, ok := at[w.pc]
		switch {
		case !ok || len(in.Bytes) != w.size:
			bounds++
			if !isRaw {
				t.Errorf("%#x: boundary differs: objdump %q", w.pc, w.text)
			}
		case in.Text != w.text:
			if shown < 50 {
				t.Logf("%#x: % x: %q, objdump %q", w.pc, in.Bytes, in.Text, w.text)
				shown++
			}
		default:
			same++
		}
	}
	t.Logf("%d of %d instructions match objdump, %d start elsewhere", same, len(want), bounds)
}
