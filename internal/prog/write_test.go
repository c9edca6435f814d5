package prog_test

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/gobpftool/gobpftool/internal/testprog"
)

// TestStdoutWriteErrors runs gobpftool as a process with stdout on
// /dev/full (every command says so and exits 255; bpftool exits 0 or 255
// without a word) and on a pipe whose reader is gone (SIGPIPE ends it
// quietly, as it ends bpftool).
func TestStdoutWriteErrors(t *testing.T) {
	testprog.Privileged(t)
	coll := testprog.Load(t, "show")
	id := fmt.Sprint(testprog.ProgID(t, coll.Programs["show_xdp"]))
	bin := testprog.Binary(t)
	cmds := [][]string{
		{"prog", "show"},
		{"-j", "prog", "show"},
		{"prog", "dump", "xlated", "id", id},
		{"prog", "dump", "jited", "id", id},
		{"-p", "prog", "dump", "xlated", "id", id},
		{"version"},
	}
	for _, args := range cmds {
		full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(bin, args...)
		cmd.Stdout = full
		var errb strings.Builder
		cmd.Stderr = &errb
		err = cmd.Run()
		full.Close()
		var ee *exec.ExitError
		code := 0
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		}
		want := "Error: can't write to stdout: No space left on device\n"
		if code != 255 || errb.String() != want {
			t.Errorf("%q >/dev/full: code %d stderr %q, want 255 %q", args, code, errb.String(), want)
		}

		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		r.Close()
		cmd = exec.Command(bin, args...)
		cmd.Stdout = w
		errb.Reset()
		cmd.Stderr = &errb
		err = cmd.Run()
		w.Close()
		ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
		if !ws.Signaled() || ws.Signal() != syscall.SIGPIPE || errb.Len() != 0 {
			t.Errorf("%q to a closed pipe: %v, stderr %q; want death by SIGPIPE, nothing said", args, err, errb.String())
		}
	}
}

// TestBatchStdinClosedProcess: with fd 0 closed at start, Go's runtime
// puts /dev/null there; `batch file -` must still fail as bpftool does,
// while a real </dev/null is an empty batch for both.
func TestBatchStdinClosedProcess(t *testing.T) {
	bin := testprog.Binary(t)
	bpftool := testprog.NeedTool(t, "bpftool")
	for _, redir := range []string{"<&-", "</dev/null"} {
		for _, opt := range []string{"", "-j"} {
			script := `exec "$0" ` + opt + ` batch file - ` + redir
			want := runCmd(t, exec.Command("sh", "-c", script, bpftool))
			got := runCmd(t, exec.Command("sh", "-c", script, bin))
			if got != want {
				t.Errorf("batch file - %s %s: got %+v want %+v", opt, redir, got, want)
			}
		}
	}
}
