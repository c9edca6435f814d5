package prog_test

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gobpftool/gobpftool/internal/testprog"
)

// TestLoadCorruptObjects replays a fixed subset of bench/corrupt's mutated
// xdp-tools objects: BTF that libbpf drops, repairs or refuses, .BTF.ext
// it ignores, line info the kernel refuses. For `prog load` and `prog
// loadall`, gobpftool must end as bpftool does: the same exit code and
// the same last line on stderr, nothing pinned and no fd left open.
func TestLoadCorruptObjects(t *testing.T) {
	testprog.Privileged(t)
	testprog.NeedTool(t, "bpftool")
	const objDir = "/usr/lib/x86_64-linux-gnu/bpf"
	if _, err := os.Stat(filepath.Join(objDir, "xdp-dispatcher.o")); err != nil {
		testprog.Missing(t, "the xdp-tools objects (package libxdp1) are not installed")
	}
	dir := testPinDir(t)
	tmp := t.TempDir()
	f, err := os.Open("testdata/corrupt_cases.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	before := bpffsFiles(t)
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		fields := strings.Fields(line)
		if len(fields) < 2 {
			continue
		}
		raw, err := os.ReadFile(filepath.Join(objDir, fields[0]))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range fields[1:] {
			off, val, _ := strings.Cut(p, "=")
			o, err1 := strconv.ParseUint(off, 0, 64)
			v, err2 := strconv.ParseUint(val, 16, 8)
			if err1 != nil || err2 != nil || o >= uint64(len(raw)) {
				t.Fatalf("bad patch %q in %q", p, sc.Text())
			}
			raw[o] = byte(v)
		}
		n++
		obj := filepath.Join(tmp, "m"+strconv.Itoa(n)+"_"+fields[0])
		if err := os.WriteFile(obj, raw, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, cmd := range []string{"load", "loadall"} {
			pin := filepath.Join(dir, cmd)
			args := []string{"prog", cmd, obj, pin}
			want := theirs(t, args...)
			cleanBPFFS(before, pin)
			fds := testprog.OpenFDs(t)
			got := ours(args...)
			cleanBPFFS(before, pin)
			if leaked := fds.Leaked(t); len(leaked) > 0 {
				t.Errorf("%s: %q: leaked %v", sc.Text(), args, leaked)
			}
			if want.code != got.code || lastLine(want.stderr) != lastLine(got.stderr) {
				t.Errorf("%s: %s:\n got: %d %s\nwant: %d %s\nour stderr:\n%s", sc.Text(), cmd,
					got.code, lastLine(got.stderr), want.code, lastLine(want.stderr), got.stderr)
			}
		}
	}
	if n == 0 {
		t.Fatal("no cases in testdata/corrupt_cases.txt")
	}
}

func lastLine(s string) string {
	s = strings.TrimRight(s, "\n")
	return s[strings.LastIndexByte(s, '\n')+1:]
}

// bpffsFiles are the paths directly under /sys/fs/bpf now.
func bpffsFiles(t *testing.T) map[string]bool {
	t.Helper()
	paths, _ := filepath.Glob("/sys/fs/bpf/*")
	m := map[string]bool{}
	for _, p := range paths {
		m[p] = true
	}
	return m
}

// cleanBPFFS removes a command's pin and the maps the xdp-filter objects
// pin by name directly under /sys/fs/bpf.
func cleanBPFFS(before map[string]bool, pin string) {
	os.RemoveAll(pin)
	paths, _ := filepath.Glob("/sys/fs/bpf/*")
	for _, p := range paths {
		if st, err := os.Lstat(p); err == nil && !before[p] && !st.IsDir() {
			os.Remove(p)
		}
	}
}
