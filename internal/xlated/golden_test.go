package xlated

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cilium/ebpf/btf"

	"github.com/gobpftool/gobpftool/internal/jsonw"
	"github.com/gobpftool/gobpftool/internal/kallsyms"
)

type goldenCase struct {
	dir  string
	meta meta
	prog *Program
	syms *kallsyms.Table
}

func readOptional(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func loadGolden(t testing.TB) []goldenCase {
	t.Helper()
	dirs, err := filepath.Glob(filepath.Join(goldenDir, "*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) == 0 {
		t.Fatal("no golden files; run go test -update as root")
	}
	var cases []goldenCase
	for _, dir := range dirs {
		var m meta
		if err := json.Unmarshal(readOptional(t, filepath.Join(dir, "meta.json")), &m); err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
		p := &Program{
			Insns:           readOptional(t, filepath.Join(dir, "insns.bin")),
			FuncInfo:        readOptional(t, filepath.Join(dir, "func_info.bin")),
			FuncInfoRecSize: m.FuncInfoRecSize,
			LineInfo:        readOptional(t, filepath.Join(dir, "line_info.bin")),
			LineInfoRecSize: m.LineInfoRecSize,
			JitedKsyms:      m.JitedKsyms,
			JitedLineInfo:   m.JitedLineInfo,
			JitedFuncLens:   m.JitedFuncLens,
		}
		if m.HasBTF {
			spec, err := btf.LoadSpecFromReader(bytes.NewReader(readOptional(t, filepath.Join(dir, "btf.bin"))))
			if err != nil {
				t.Fatalf("%s: btf: %v", dir, err)
			}
			p.BTF = spec
		}
		syms, err := kallsyms.Parse(bytes.NewReader(readOptional(t, filepath.Join(dir, "kallsyms.txt"))))
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, goldenCase{dir, m, p, syms})
	}
	return cases
}

// render produces what bpftool printed for variant file.
func (c goldenCase) render(file string, d Dialect) []byte {
	var out bytes.Buffer
	o := Options{Symbols: c.syms, Dialect: d}
	o.Opcodes = strings.Contains(file, "opcodes")
	o.Linum = strings.Contains(file, "linum")
	switch {
	case strings.HasSuffix(file, ".json"):
		jw := jsonw.New(&out, strings.HasPrefix(file, "pretty"))
		WriteJSON(jw, c.prog, o)
		jw.End()
	default:
		if err := WritePlain(&out, c.prog, o); err != nil {
			panic(err)
		}
	}
	return out.Bytes()
}

// TestGolden compares every dump form with the oracle's bytes. The oracle
// carries Linux 6.1's disasm.c, so the comparison uses that dialect.
func TestGolden(t *testing.T) {
	for _, c := range loadGolden(t) {
		for _, v := range variants {
			if v.file == "visual.dot" || skipVariant(filepath.Base(c.dir), v.file) {
				continue // visual is internal/cfg's test
			}
			t.Run(filepath.Base(c.dir)+"/"+v.file, func(t *testing.T) {
				want := readOptional(t, filepath.Join(c.dir, v.file))
				got := c.render(v.file, DialectLinux61)
				if strings.HasSuffix(v.file, ".json") {
					// Our escapes are valid JSON; written back
					// with the oracle's, the bytes are its bytes.
					if !json.Valid(got) {
						t.Errorf("invalid JSON:\n%s", got)
					}
					got = []byte(jsonw.OracleEscapes(string(got), false))
				}
				if !bytes.Equal(got, want) {
					t.Errorf("output differs from bpftool\n%s", lineDiff(want, got))
				}
			})
		}
	}
}

// TestGoldenCurrentDialect checks that the current dialect departs from the
// oracle only on lines holding instructions the 6.1 text cannot name.
func TestGoldenCurrentDialect(t *testing.T) {
	for _, c := range loadGolden(t) {
		want := readOptional(t, filepath.Join(c.dir, "plain.txt"))
		got := c.render("plain.txt", DialectCurrent)
		wl := strings.Split(string(want), "\n")
		gl := strings.Split(string(got), "\n")
		if len(wl) != len(gl) {
			t.Fatalf("%s: %d lines, oracle has %d", c.dir, len(gl), len(wl))
		}
		for i := range wl {
			if wl[i] == gl[i] {
				continue
			}
			if !dialectLine(gl[i]) {
				t.Errorf("%s line %d: %q, oracle %q", c.dir, i+1, gl[i], wl[i])
			}
		}
	}
}

// dialectLine reports whether a line shows a form only the current
// disasm.c names.
func dialectLine(s string) bool {
	for _, k := range []string{"bswap", "s/=", "s%=", "(s8)", "(s16)", "(s32)", "*(s8 *)", "*(s16 *)", "*(s32 *)",
		"load_acquire", "store_release", "gotol", "may_goto", "gotox", "addr_space_cast", "__percpu"} {
		if strings.Contains(s, k) {
			return true
		}
	}
	return false
}

// lineDiff shows the first differing lines, cut to a window around the
// first differing byte so one-line JSON stays readable.
func lineDiff(want, got []byte) string {
	wl := strings.Split(string(want), "\n")
	gl := strings.Split(string(got), "\n")
	var b strings.Builder
	shown := 0
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w == g {
			continue
		}
		at := 0
		for at < len(w) && at < len(g) && w[at] == g[at] {
			at++
		}
		fmt.Fprintf(&b, "line %d, byte %d:\n  want: %s\n  got:  %s\n", i+1, at, window(w, at), window(g, at))
		if shown++; shown == 8 {
			break
		}
	}
	return b.String()
}

func window(s string, at int) string {
	lo, hi := max(at-60, 0), min(at+60, len(s))
	if lo > len(s) {
		lo = len(s)
	}
	return s[lo:hi]
}
