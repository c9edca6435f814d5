package prog_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/gobpftool/gobpftool/internal/testprog"
)

// TestObjGetAccessDenied: on EACCES bpftool names dirname(PATH), whether
// the directory is on bpffs or not. Root without CAP_DAC_OVERRIDE meets
// the permission bits as any user would.
func TestObjGetAccessDenied(t *testing.T) {
	testprog.Privileged(t)
	bpftool := testprog.NeedTool(t, "bpftool")
	setpriv := testprog.NeedTool(t, "setpriv")
	bin := testprog.Binary(t)
	dir := testPinDir(t)
	off := t.TempDir()
	for _, d := range []string{dir, off} {
		sub := filepath.Join(d, "closed")
		if err := os.Mkdir(sub, 0); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { os.Chmod(filepath.Join(dir, "closed"), 0o755) })
	noDAC := []string{"--inh-caps=-dac_override,-dac_read_search", "--bounding-set=-dac_override,-dac_read_search"}
	for _, path := range []string{
		filepath.Join(dir, "closed", "x"),
		filepath.Join(dir, "closed", "x", "y"),
		filepath.Join(off, "closed", "x"),
	} {
		for _, opt := range []string{"-p", "--bpffs"} {
			args := []string{"prog", "show", "pinned", path}
			if opt == "-p" {
				args = append([]string{opt}, args...)
			}
			run := func(tool string) result {
				return runCmd(t, exec.Command(setpriv, append(append(noDAC, tool), args...)...))
			}
			want := run(bpftool)
			compare(t, args, want, run(bin))
		}
	}
}
