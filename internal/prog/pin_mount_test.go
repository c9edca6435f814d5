package prog_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/gobpftool/gobpftool/internal/testprog"
)

// mountsUnder lists the mountinfo lines of mounts at or below dir.
func mountsUnder(t *testing.T, dir string) []string {
	t.Helper()
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) > 4 && (f[4] == dir || strings.HasPrefix(f[4], dir+"/")) {
			out = append(out, l)
		}
	}
	return out
}

// unmountAll removes every mount stacked on dir and below it.
func unmountAll(dir string) {
	for _, d := range []string{filepath.Join(dir, "x"), dir} {
		for syscall.Unmount(d, syscall.MNT_DETACH) == nil {
		}
	}
}

// TestFailedPinLeavesNoMount: a pin that fails after mounting a bpffs for
// itself (an empty path, whose directory is "."; a name with a dot, which
// bpffs refuses) says what bpftool says and leaves the mount table as it
// found it. bpftool leaves a bind mount, and a bpffs on top of it.
func TestFailedPinLeavesNoMount(t *testing.T) {
	testprog.Privileged(t)
	bpftool := testprog.NeedTool(t, "bpftool")
	bin := testprog.Binary(t)
	coll := testprog.Load(t, "show")
	id := fmt.Sprint(testprog.ProgID(t, coll.Programs["show_xdp"]))
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unmountAll(dir) })
	for _, path := range []string{"", filepath.Join(dir, "x", "a.b"), filepath.Join(dir, "x", "missing", "p")} {
		run := func(tool string) result {
			cmd := exec.Command(tool, "prog", "pin", "id", id, path)
			cmd.Dir = dir
			return runCmd(t, cmd)
		}
		want := run(bpftool)
		unmountAll(dir)
		before := mountsUnder(t, dir)
		got := run(bin)
		after := mountsUnder(t, dir)
		compare(t, []string{"prog", "pin", "id", id, path}, want, got)
		if strings.Join(before, "\n") != strings.Join(after, "\n") {
			t.Errorf("pin %q: mounts before\n%s\nafter\n%s", path, strings.Join(before, "\n"), strings.Join(after, "\n"))
			unmountAll(dir)
		}
	}
}
