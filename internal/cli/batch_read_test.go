package cli_test

import (
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/gobpftool/gobpftool/internal/cli"
	"github.com/gobpftool/gobpftool/internal/prog"
)

// closedStdin reads as fd 0 does after `<&-`.
type closedStdin struct{}

func (closedStdin) Read([]byte) (int, error) {
	return 0, &os.PathError{Op: "read", Path: "/dev/stdin", Err: syscall.EBADF}
}

// TestBatchClosedStdin: `batch file - <&-` is a read error, as bpftool
// says, not an empty batch.
func TestBatchClosedStdin(t *testing.T) {
	objects := []cli.Object{{Name: "prog", Run: prog.Run}}
	for _, args := range [][]string{{"batch", "file", "-"}, {"-j", "batch", "file", "-"}} {
		var out, errb strings.Builder
		code := cli.RunNamed("bpftool", args, objects, closedStdin{}, &out, &errb)
		got := grammarCase{Stdout: out.String(), Stderr: errb.String(), Code: code}
		want := grammarCase{Code: 255}
		if bin, err := exec.LookPath("bpftool"); err == nil {
			cmd := exec.Command("sh", "-c", `exec "$0" "$@" <&-`, bin)
			cmd.Args = append(cmd.Args, args...)
			var so, se strings.Builder
			cmd.Stdout, cmd.Stderr = &so, &se
			err := cmd.Run()
			ee, _ := err.(*exec.ExitError)
			if ee == nil {
				t.Fatalf("bpftool %q: %v", args, err)
			}
			want = grammarCase{Stdout: so.String(), Stderr: se.String(), Code: ee.ExitCode()}
		} else if os.Getenv("CI") == "true" {
			t.Fatal("bpftool is not installed")
		}
		if got.Stdout != want.Stdout || got.Stderr != want.Stderr || got.Code != want.Code {
			t.Errorf("%q <&-: got %+v, want %+v", args, got, want)
		}
	}
}
