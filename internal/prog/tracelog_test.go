package prog_test

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gobpftool/gobpftool/internal/testprog"
)

// syncBuffer collects a child's output while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// tracelogProc is a running `prog tracelog`.
type tracelogProc struct {
	cmd         *exec.Cmd
	out, errOut *syncBuffer
}

// startProc starts cmd with its output collected, and kills it at the
// end of the test if it is still running.
func startProc(t *testing.T, cmd *exec.Cmd) *tracelogProc {
	t.Helper()
	p := &tracelogProc{cmd: cmd, out: &syncBuffer{}, errOut: &syncBuffer{}}
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.errOut
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			p.cmd.Process.Kill()
			p.cmd.Wait()
		}
	})
	return p
}

// startTracelog starts argv and waits until it holds trace_pipe open
// (bpftool sets its signal handlers right after); ok is false when the
// process ended first.
func startTracelog(t *testing.T, argv ...string) (*tracelogProc, bool) {
	t.Helper()
	p := startProc(t, exec.Command(argv[0], argv[1:]...))
	fdDir := fmt.Sprintf("/proc/%d/fd", p.cmd.Process.Pid)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		stat, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.cmd.Process.Pid))
		if i := bytes.LastIndexByte(stat, ')'); i < 0 || i+2 >= len(stat) || stat[i+2] == 'Z' {
			return p, false
		}
		ents, err := os.ReadDir(fdDir)
		if err != nil {
			return p, false
		}
		for _, e := range ents {
			if l, _ := os.Readlink(filepath.Join(fdDir, e.Name())); strings.HasSuffix(l, "/trace_pipe") {
				time.Sleep(100 * time.Millisecond)
				return p, true
			}
		}
	}
	t.Fatalf("%q never opened trace_pipe; stderr %q", argv, p.errOut.String())
	return p, false
}

// stop sends sig and returns what the process printed and its status.
func (p *tracelogProc) stop(t *testing.T, sig syscall.Signal) result {
	t.Helper()
	if p.cmd.ProcessState == nil {
		p.cmd.Process.Signal(sig)
	}
	return p.wait(t)
}

func (p *tracelogProc) wait(t *testing.T) result {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(10 * time.Second):
		p.cmd.Process.Kill()
		t.Fatalf("%v did not end", p.cmd.Args)
	}
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	}
	return result{p.out.String(), p.errOut.String(), code}
}

// tracelogTrigger test-runs the bpf_printk program with a random marker
// in its packet until the tracelog output shows the marker's line (other
// readers of trace_pipe may take a line, so it retries).
func tracelogTrigger(t *testing.T, id string, p *tracelogProc) string {
	t.Helper()
	marker := rand.Uint32()
	pkt := make([]byte, 64)
	binary.LittleEndian.PutUint32(pkt, marker)
	in := runFile(t, "pkt", pkt)
	want := fmt.Sprintf("gobpftool-tracelog %d", marker)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		if r := ours("prog", "run", "id", id, "data_in", in); r.code != 0 {
			t.Fatalf("run: %+v", r)
		}
		for i := 0; i < 10; i++ {
			if strings.Contains(p.out.String(), want) {
				return want
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	t.Fatalf("%q never appeared in %q (stderr %q)", want, p.out.String(), p.errOut.String())
	return ""
}

// TestTracelog streams trace_pipe with each tool while a bpf_printk
// program is test-run, and stops each with each signal bpftool handles.
func TestTracelog(t *testing.T) {
	testprog.Privileged(t)
	bpftool := testprog.NeedTool(t, "bpftool")
	bin := testprog.Binary(t)
	coll := testprog.Load(t, "tracelog_printk")
	id := fmt.Sprint(testprog.ProgID(t, coll.Programs["tracelog_printk"]))

	// bpftool's stdout to a pipe is block-buffered: stdbuf makes it
	// write at once (a JSON array has no line ends to flush on).
	stdbuf := testprog.NeedTool(t, "stdbuf")
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP} {
		for _, tool := range []string{bpftool, bin} {
			// JSON: an array of strings, one a line, closed by the
			// signal handler, then bpftool's newline.
			p, ok := startTracelog(t, stdbuf, "-o0", tool, "-j", "prog", "tracelog")
			if !ok {
				t.Fatalf("%s ended early: %+v", tool, p.wait(t))
			}
			want := tracelogTrigger(t, id, p)
			r := p.stop(t, sig)
			var lines []string
			if err := json.Unmarshal([]byte(r.stdout), &lines); err != nil || !strings.HasSuffix(r.stdout, "]\n") {
				t.Fatalf("%s -j tracelog, %v: not a closed array: %q (%v)", tool, sig, r.stdout, err)
			}
			found := false
			for _, l := range lines {
				found = found || (strings.Contains(l, want) && strings.HasSuffix(l, "\n"))
			}
			if !found || r.code != 0 || r.stderr != "" {
				t.Errorf("%s -j tracelog, %v: code %d stderr %q, line %q in %q", tool, sig, r.code, r.stderr, want, lines)
			}

			// Plain: the lines as they come.
			p, ok = startTracelog(t, stdbuf, "-o0", tool, "prog", "tracelog")
			if !ok {
				t.Fatalf("%s ended early: %+v", tool, p.wait(t))
			}
			want = tracelogTrigger(t, id, p)
			r = p.stop(t, sig)
			if !strings.Contains(r.stdout, want+"\n") || r.code != 0 || r.stderr != "" {
				t.Errorf("%s tracelog, %v: %+v, want %q", tool, sig, r, want)
			}
		}
	}
}

// tracelogNoTracefs runs a tool in a mount namespace of its own where
// tracefs (and debugfs, which brings it) is unmounted, after setup.
func tracelogNoTracefs(t *testing.T, setup string, argv ...string) (*tracelogProc, bool) {
	t.Helper()
	unshare := testprog.NeedTool(t, "unshare")
	script := "umount -a -t tracefs,debugfs 2>/dev/null; " + setup + ` exec "$@"`
	return startTracelog(t, append([]string{unshare, "-m", "--propagation", "private", "sh", "-c", script, "sh"}, argv...)...)
}

// TestTracelogTracefs: without tracefs, -n fails as bpftool does (no
// message); without -n it is mounted at /sys/kernel/tracing, also when
// a tracefs is mounted elsewhere (bpftool's inverted check passes over
// it). Each in a mount namespace of its own, so nothing stays mounted.
func TestTracelogTracefs(t *testing.T) {
	testprog.Privileged(t)
	bpftool := testprog.NeedTool(t, "bpftool")
	bin := testprog.Binary(t)

	var plain [2]result
	for i, tool := range []string{bpftool, bin} {
		p, ok := tracelogNoTracefs(t, "", tool, "-n", "prog", "tracelog")
		if ok {
			t.Fatalf("%s -n tracelog found a tracefs", tool)
		}
		plain[i] = p.wait(t)
	}
	compare(t, []string{"-n", "prog", "tracelog"}, plain[0], plain[1])
	// A tracefs elsewhere does not count with -n either.
	for i, tool := range []string{bpftool, bin} {
		p, ok := tracelogNoTracefs(t, "mount -t tracefs nodev "+t.TempDir()+";", tool, "-n", "prog", "tracelog")
		if ok {
			t.Fatalf("%s -n tracelog used a tracefs off the known places", tool)
		}
		plain[i] = p.wait(t)
	}
	compare(t, []string{"-n", "prog", "tracelog"}, plain[0], plain[1])
	// A tracefs whose mount point /proc/mounts escapes ("a\040b") fails
	// bpftool's check, so it takes the escaped path as it is and cannot
	// open its trace_pipe.
	spaced := filepath.Join(t.TempDir(), "a b")
	for i, tool := range []string{bpftool, bin} {
		p, ok := tracelogNoTracefs(t, "mkdir -p '"+spaced+"'; mount -t tracefs nodev '"+spaced+"';", tool, "prog", "tracelog")
		if ok {
			t.Fatalf("%s tracelog opened a trace_pipe under an escaped path", tool)
		}
		plain[i] = p.wait(t)
	}
	compare(t, []string{"prog", "tracelog"}, plain[0], plain[1])
	if !strings.Contains(plain[1].stderr, "could not open trace pipe") {
		t.Errorf("escaped tracefs path: %+v", plain[1])
	}
	// bpftool leaves its JSON array open and dies on its own writer's
	// assertion (SIGABRT); we close the array and fail.
	p, _ := tracelogNoTracefs(t, "", bin, "-j", "-n", "prog", "tracelog")
	if r := p.wait(t); r != (result{stdout: "[]\n", code: 255}) {
		t.Errorf("-j -n tracelog without tracefs: %+v", r)
	}

	elsewhere := t.TempDir()
	for _, c := range []struct {
		setup string
		args  []string
	}{
		{"", []string{"prog", "tracelog"}},
		{"", []string{"-j", "prog", "tracelog", "ignored", "words"}},
		{"mount -t tracefs nodev " + elsewhere + ";", []string{"prog", "tracelog"}},
		{"mount -t tracefs nodev " + elsewhere + ";", []string{"-j", "prog", "tracelog"}},
	} {
		var got [2]result
		for i, tool := range []string{bpftool, bin} {
			p, ok := tracelogNoTracefs(t, c.setup, append([]string{tool}, c.args...)...)
			if !ok {
				t.Fatalf("%s %q ended early: %+v", tool, c.args, p.wait(t))
			}
			got[i] = p.stop(t, syscall.SIGINT)
			// Lines of other tests' programs may pass by.
			if c.args[0] == "-j" {
				var lines []string
				if err := json.Unmarshal([]byte(got[i].stdout), &lines); err != nil {
					t.Errorf("%s %q: %q is not an array: %v", tool, c.args, got[i].stdout, err)
				}
				got[i].stdout = "[...]"
			} else {
				got[i].stdout = "..."
			}
		}
		compare(t, c.args, got[0], got[1])
	}
}

// TestTracelogStream: newer bpftool's `tracelog {stdout|stderr} PROG`
// drains a program's BPF stream (empty for a program that wrote
// nothing); bpftool 7.1 has no such form, so this checks newer bpftool's
// grammar as its source has it.
func TestTracelogStream(t *testing.T) {
	testprog.Privileged(t)
	coll := testprog.Load(t, "tracelog_printk")
	id := fmt.Sprint(testprog.ProgID(t, coll.Programs["tracelog_printk"]))
	before := testprog.OpenFDs(t)
	for _, c := range []struct {
		args []string
		want result
	}{
		{[]string{"prog", "tracelog", "stdout", "id", id}, result{}},
		{[]string{"prog", "tracelog", "stde", "id", id}, result{}},
		{[]string{"prog", "tracelog", "std"}, result{stderr: "Error: 'std' needs at least 2 arguments, 0 found\n", code: 255}},
		{[]string{"prog", "tracelog", "stderr", "id"}, result{stderr: "Error: 'stderr' needs at least 2 arguments, 1 found\n", code: 255}},
		{[]string{"prog", "tracelog", "stdout", "id", "4294967295"}, result{stderr: "Error: get by id (4294967295): No such file or directory\n", code: 255}},
		{[]string{"-j", "prog", "tracelog", "stdout", "name", "no_such_prog"}, result{stdout: "\n", code: 255}},
	} {
		if got := ours(c.args...); got != c.want {
			t.Errorf("%q: %+v, want %+v", c.args, got, c.want)
		}
	}
	if leaked := before.Leaked(t); len(leaked) > 0 {
		t.Errorf("leaked %v", leaked)
	}
}
