// Package testprog compiles and loads the BPF programs that tests run
// against the real kernel, and holds the rules for tests that need root:
// they skip with the reason, except under CI=true where a skip fails.
package testprog

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/rlimit"
	"golang.org/x/sys/unix"
)

// Privileged stops a test that needs root and a BPF-capable kernel when
// they are missing: a skip on a developer's machine, a failure in CI.
func Privileged(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		skipOrFail(t, "needs root to load BPF programs")
	}
	if err := rlimit.RemoveMemlock(); err != nil {
		skipOrFail(t, "cannot lift RLIMIT_MEMLOCK: "+err.Error())
	}
}

// NeedTool stops a test that needs an external program (bpftool, clang).
func NeedTool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		skipOrFail(t, name+" is not installed (the README's test command installs it)")
	}
	return p
}

// Missing stops a test whose input the README's test command installs:
// a skip on a developer's machine, a failure in CI.
func Missing(t testing.TB, why string) {
	t.Helper()
	skipOrFail(t, why)
}

func skipOrFail(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("privileged test cannot run under CI: %s", why)
	}
	t.Skip(why)
}

var (
	buildMu sync.Mutex
	built   = map[string]string{}
	tmpDir  string
)

// srcDir is this package's src directory, wherever the test runs.
func srcDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "src")
}

// Object compiles src/NAME.c with clang for the BPF target, once per test
// binary, and returns the object's path.
func Object(t testing.TB, name string) string {
	t.Helper()
	buildMu.Lock()
	defer buildMu.Unlock()
	if p, ok := built[name]; ok {
		return p
	}
	clang := NeedTool(t, "clang")
	if tmpDir == "" {
		d, err := os.MkdirTemp("", "gobpftool-bpf-")
		if err != nil {
			t.Fatal(err)
		}
		tmpDir = d
	}
	out := filepath.Join(tmpDir, name+".o")
	cmd := exec.Command(clang, "-O2", "-g", "-target", "bpf",
		"-I/usr/include/"+multiarch(), "-c", filepath.Join(srcDir(), name+".c"), "-o", out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("clang %s.c: %v\n%s", name, err, b)
	}
	built[name] = out
	return out
}

// multiarch is Debian's include directory for asm/types.h.
func multiarch() string {
	switch runtime.GOARCH {
	case "arm64":
		return "aarch64-linux-gnu"
	}
	return "x86_64-linux-gnu"
}

// Load compiles and loads src/NAME.c; the collection is closed when the
// test ends.
func Load(t testing.TB, name string) *ebpf.Collection {
	t.Helper()
	Privileged(t)
	spec, err := ebpf.LoadCollectionSpec(Object(t, name))
	if err != nil {
		t.Fatalf("spec %s: %v", name, err)
	}
	coll, err := ebpf.NewCollection(spec)
	if err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
	t.Cleanup(coll.Close)
	return coll
}

// ProgID is the kernel id of a loaded program.
func ProgID(t testing.TB, p *ebpf.Program) uint32 {
	t.Helper()
	info, err := p.Info()
	if err != nil {
		t.Fatal(err)
	}
	id, ok := info.ID()
	if !ok {
		t.Fatal("kernel reports no program id")
	}
	return uint32(id)
}

// HoldInChild starts `sleep 30` with a copy of fd, so that another process
// holds the object; the child is killed when the test ends.
func HoldInChild(t testing.TB, fd int) *exec.Cmd {
	t.Helper()
	dup, err := unix.Dup(fd)
	if err != nil {
		t.Fatal(err)
	}
	f := os.NewFile(uintptr(dup), "held")
	child := exec.Command("sleep", "30")
	child.ExtraFiles = []*os.File{f}
	err = child.Start()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		child.Process.Kill()
		child.Wait()
	})
	return child
}

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// Binary builds gobpftool (CGO_ENABLED=0, as released) once per test
// binary and returns its path, for tests that need it as a process of
// its own: another uid, a signal, a terminal, a resource limit.
func Binary(t testing.TB) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "gobpftool-bin-")
		if err != nil {
			binErr = err
			return
		}
		// Readable by the unprivileged users some tests run it as.
		os.Chmod(dir, 0o755)
		binPath = filepath.Join(dir, "gobpftool")
		cmd := exec.Command("go", "build", "-o", binPath, "github.com/gobpftool/gobpftool/cmd/gobpftool")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// FDs is a snapshot of this process's open fds: each number and what it
// points at.
type FDs map[int]string

// OpenFDs lists this process's open fds now.
func OpenFDs(t testing.TB) FDs {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	fds := FDs{}
	for _, e := range ents {
		n, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		target, err := os.Readlink("/proc/self/fd/" + e.Name())
		if err != nil {
			continue // the directory's own fd, closed by now
		}
		fds[n] = target
	}
	return fds
}

// Leaked names the fds open now that were not open in the snapshot, as
// "fd 7 (anon_inode:bpf-prog)", less the Go runtime's own poller fds,
// which it opens once and keeps. An fd must stay open a little while to
// count: a background reader of the runtime or of a library (a /sys file
// read for a moment) is not a leak.
func (before FDs) Leaked(t testing.TB) []string {
	t.Helper()
	var leaked []string
	for try := 0; try < 4; try++ {
		if try > 0 {
			time.Sleep(25 * time.Millisecond)
		}
		leaked = leaked[:0]
		for n, target := range OpenFDs(t) {
			if before[n] == target || target == "anon_inode:[eventpoll]" || target == "anon_inode:[eventfd]" {
				continue
			}
			leaked = append(leaked, fmt.Sprintf("fd %d (%s)", n, target))
		}
		if len(leaked) == 0 {
			return nil
		}
	}
	slices.Sort(leaked)
	return leaked
}

// CheckFDs fails the test if it ends with fds open that were not open
// when CheckFDs was called, naming each. Call it after the test has
// opened what it keeps to the end (its programs), so that their cleanup,
// registered earlier, runs after this check.
func CheckFDs(t testing.TB) {
	t.Helper()
	before := OpenFDs(t)
	t.Cleanup(func() {
		if leaked := before.Leaked(t); len(leaked) > 0 {
			t.Errorf("leaked %s", strings.Join(leaked, ", "))
		}
	})
}

// Same fails the test if the open fds differ from the snapshot in any
// way, opened or closed, naming each difference (the runtime's poller
// fds aside).
func (before FDs) Same(t testing.TB) {
	t.Helper()
	var diff []string
	diff = append(diff, before.Leaked(t)...)
	now := OpenFDs(t)
	for n, target := range before {
		if now[n] != target {
			diff = append(diff, fmt.Sprintf("fd %d (%s) closed", n, target))
		}
	}
	if len(diff) > 0 {
		slices.Sort(diff)
		t.Errorf("open fds changed: %s", strings.Join(diff, ", "))
	}
}
