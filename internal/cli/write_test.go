package cli_test

import (
	"os"
	"strings"
	"testing"

	"github.com/gobpftool/gobpftool/internal/cli"
	"github.com/gobpftool/gobpftool/internal/prog"
)

// TestWriteToFullDevice: a failed write to stdout is an error on stderr
// and exit 255, for plain and JSON output and batch alike. bpftool exits 0
// with nothing said for most of these (docs/COMPAT-NOTES.md).
func TestWriteToFullDevice(t *testing.T) {
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skip("no /dev/full:", err)
	}
	defer full.Close()
	objects := []cli.Object{{Name: "prog", Run: prog.Run}}
	for _, tc := range []struct {
		args  []string
		stdin string
	}{
		{args: []string{"version"}},
		{args: []string{"-j", "version"}},
		{args: []string{"-p", "prog", "help"}},
		{args: []string{"-j", "-h"}},
		{args: []string{"batch", "file", "-"}, stdin: "prog help\n"},
		{args: []string{"-j", "batch", "file", "-"}, stdin: "prog help\n"},
	} {
		var errb strings.Builder
		code := cli.RunNamed("bpftool", tc.args, objects, strings.NewReader(tc.stdin), full, &errb)
		want := "Error: can't write to stdout: No space left on device\n"
		if code != 255 || !strings.HasSuffix(errb.String(), want) {
			t.Errorf("%q: code %d stderr %q, want 255 and %q", tc.args, code, errb.String(), want)
		}
	}
}
