// Package testprog compiles and loads the BPF programs that tests run
// against the real kernel, and holds the rules for tests that need root:
// they skip with the reason, except under CI=true where a skip fails.
package testprog

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

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
