package prog_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gobpftool/gobpftool/internal/testprog"
)

// memLimitKiB is the address space the child gets: room for the Go
// runtime (which reserves most of a gigabyte before main) and far less
// than an endless input would take.
const memLimitKiB = 2 << 20

// runLimited runs a tool under `ulimit -v` with stdin from the shell
// command feed (or none), and a deadline: an endless read fails it.
func runLimited(t *testing.T, feed, bin string, args ...string) result {
	t.Helper()
	script := `ulimit -v ` + strconv.Itoa(memLimitKiB) + `; exec "$@"`
	if feed != "" {
		script = `ulimit -v ` + strconv.Itoa(memLimitKiB) + `; ` + feed + ` | "$@"`
	}
	cmd := exec.Command("sh", append([]string{"-c", script, "sh", bin}, args...)...)
	done := make(chan struct{})
	timer := time.AfterFunc(60*time.Second, func() { cmd.Process.Kill(); close(done) })
	r := runCmd(t, cmd)
	if !timer.Stop() {
		<-done
		t.Fatalf("%s %v: still reading after 60 s", bin, args)
	}
	return r
}

// TestEndlessInputs: every file read for a user has a bound. Devices that
// never end are refused as bpftool refuses them, at once, and a stream
// that starts as a valid input but never ends stops at the bound with a
// clear error, in a child whose address space is limited.
func TestEndlessInputs(t *testing.T) {
	testprog.Privileged(t)
	bin := testprog.Binary(t)
	dir := testPinDir(t)
	pin := filepath.Join(dir, "endless")
	for _, args := range [][]string{
		{"prog", "load", "/dev/zero", pin},
		{"prog", "loadall", "/dev/urandom", pin},
		{"-B", "/dev/zero", "prog", "show", "id", "1"},
		{"-B", "/dev/urandom", "prog", "show", "id", "1"},
		{"batch", "file", "/dev/zero"},
	} {
		ourR := runLimited(t, "", bin, args...)
		if args[0] == "batch" {
			// bpftool reads a NUL-filled batch file forever; we refuse it.
			if ourR.code != 255 || !strings.HasPrefix(ourR.stderr, "Error: ") {
				t.Errorf("%v: %+v", args, ourR)
			}
			continue
		}
		theirR := runLimited(t, "", testprog.NeedTool(t, "bpftool"), args...)
		if ourR != theirR {
			t.Errorf("%v:\nours   %+v\ntheirs %+v", args, ourR, theirR)
		}
		if _, err := os.Lstat(pin); err == nil {
			t.Errorf("%v left %s", args, pin)
		}
	}

	// kernel_btf is newer than the oracle: its message follows libbpf's.
	core := testprog.Object(t, "load_core")
	r := runLimited(t, "", bin, "prog", "loadall", core, pin, "kernel_btf", "/dev/zero")
	if r.code != 255 || !strings.HasPrefix(r.stderr, "libbpf: failed to get EHDR from /dev/zero\nlibbpf: failed to parse target BTF: -4001\n") {
		t.Errorf("kernel_btf /dev/zero: %+v", r)
	}

	// A valid object followed by endless zeros, through a pipe: the
	// bound ends it.
	obj := testprog.Object(t, "load_unknown")
	r = runLimited(t, "cat "+obj+" /dev/zero", bin, "prog", "load", "/dev/stdin", pin, "type", "xdp")
	if r.code != 255 || !strings.Contains(r.stderr, "File too large") {
		t.Errorf("endless object stream: %+v", r)
	}
	// Test-run data: endless input stops at the bound, before the kernel
	// (which takes a few pages at most) is asked.
	xdp := testprog.Load(t, "run_progs").Programs["run_xdp"]
	id := strconv.Itoa(int(testprog.ProgID(t, xdp)))
	r = runLimited(t, "", bin, "prog", "run", "id", id, "data_in", "/dev/zero")
	if r.code != 255 || r.stderr != "Error: failed to read data_in/ctx_in from /dev/zero: File too large\n" {
		t.Errorf("endless data_in: %+v", r)
	}
	if _, err := os.Lstat(pin); err == nil {
		t.Errorf("left %s", pin)
	}
}
