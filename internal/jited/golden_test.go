package jited

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// goldenInst is one instruction of objdump's listing.
type goldenInst struct {
	pc   uint64
	size int
	text string
}

var (
	// "   4:\t48 89 e5             \tmov    %rsp,%rbp"; arm64 prints the
	// instruction as one 32-bit word instead of bytes.
	objdumpLine = regexp.MustCompile(`^ *([0-9a-f]+):\t((?:[0-9a-f]{2,8} )+) *\t(.*)$`)
	// A long x86 instruction continues its bytes on further lines.
	objdumpMore = regexp.MustCompile(`^ *([0-9a-f]+):\t((?:[0-9a-f]{2} )+) *$`)
)

func parseObjdump(t *testing.T, path string) []goldenInst {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []goldenInst
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "\t...") {
			continue
		}
		if m := objdumpLine.FindStringSubmatch(line); m != nil {
			pc, _ := strconv.ParseUint(m[1], 16, 64)
			out = append(out, goldenInst{pc: pc, size: hexBytes(m[2]), text: m[3]})
			continue
		}
		if m := objdumpMore.FindStringSubmatch(line); m != nil && len(out) > 0 {
			out[len(out)-1].size += hexBytes(m[2])
			continue
		}
		t.Fatalf("%s: unexpected objdump line %q", path, line)
	}
	return out
}

func hexBytes(s string) int {
	return len(strings.ReplaceAll(s, " ", "")) / 2
}

// goldenFile pairs an image with objdump's listing of it at an address.
type goldenFile struct {
	arch    Arch
	bin     string
	listing string
	start   uint64
}

func goldenFiles(t *testing.T) []goldenFile {
	var out []goldenFile
	for dir, arch := range map[string]Arch{"x86_64": X86_64, "arm64": ARM64} {
		bins, err := filepath.Glob(filepath.Join("testdata", dir, "*.bin"))
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range bins {
			stem := strings.TrimSuffix(b, ".bin")
			out = append(out, goldenFile{arch, b, stem + ".objdump", 0})
			if vma, ok := relocated[filepath.Base(b)]; ok {
				out = append(out, goldenFile{arch, b, stem + ".vma.objdump", vma})
			}
		}
	}
	if len(out) == 0 {
		t.Fatal("no testdata; run go test -update as root")
	}
	return out
}

// TestObjdump compares every instruction of every captured image with
// objdump's listing: same boundaries, same text.
func TestObjdump(t *testing.T) {
	total, same := 0, 0
	for _, g := range goldenFiles(t) {
		img, err := os.ReadFile(g.bin)
		if err != nil {
			t.Fatal(err)
		}
		want := parseObjdump(t, g.listing)
		got, err := Disassemble(img, g.arch, g.start)
		if err != nil {
			t.Fatal(err)
		}
		gi := 0
		for _, w := range want {
			total++
			for gi < len(got) && got[gi].PC < w.pc {
				gi++
			}
			if gi == len(got) || got[gi].PC != w.pc {
				t.Errorf("%s %#x: no instruction starts here; objdump: %q", g.listing, w.pc, w.text)
				continue
			}
			in := got[gi]
			off := w.pc - g.start
			switch {
			case len(in.Bytes) != w.size:
				t.Errorf("%s %#x: length %d, objdump %d (% x): %q vs %q", g.listing, w.pc, len(in.Bytes), w.size, img[off:off+uint64(w.size)], in.Text, w.text)
			case in.Text != w.text:
				t.Errorf("%s %#x: % x\n\tgot  %q\n\twant %q", g.listing, w.pc, in.Bytes, in.Text, w.text)
			default:
				same++
			}
		}
		if len(want) != len(got) {
			t.Errorf("%s: %d instructions, objdump %d", g.listing, len(got), len(want))
		}
	}
	t.Logf("%d of %d instructions match objdump", same, total)
}
