package prog_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/gobpftool/gobpftool/internal/kernel"
	"github.com/gobpftool/gobpftool/internal/progfacts"
	"github.com/gobpftool/gobpftool/internal/testprog"
)

// TestBadInput: every mistake gets bpftool's message and exit status and
// leaves no fd and no pin behind.
func TestBadInput(t *testing.T) {
	testprog.Privileged(t)
	coll := testprog.Load(t, "show")
	id := fmt.Sprint(testprog.ProgID(t, coll.Programs["show_xdp"]))
	dir := testPinDir(t)
	existing := filepath.Join(dir, "existing")
	if err := kernel.ObjPin(coll.Programs["show_cg_sock"].FD(), existing); err != nil {
		t.Fatal(err)
	}
	mapPin := filepath.Join(dir, "amap")
	if err := kernel.ObjPin(coll.Maps["counters"].FD(), mapPin); err != nil {
		t.Fatal(err)
	}
	quote := filepath.Join(t.TempDir(), "quote.batch")
	os.WriteFile(quote, []byte("prog show id "+id+"\nprog show 'id "+id+"\n"), 0o644)

	cases := [][]string{
		{"prog", "show", "id", "abc"},
		{"prog", "show", "id", "12x"},
		{"prog", "show", "id", ""},
		{"prog", "show", "id", "0x"},
		{"prog", "show", "id"},
		{"prog", "show", "id", "4294967295"},
		{"-j", "prog", "show", "id", "4294967295"},
		{"prog", "show", "tag", "1234"},
		{"prog", "show", "tag", "zz5b9b8e2eb70a82"},
		{"prog", "show", "tag", "0000000000000001"},
		{"-j", "prog", "show", "tag", "0000000000000001"},
		{"prog", "show", "name", "no_such_program_here"},
		{"-p", "prog", "show", "name", "no_such_program_here"},
		{"prog", "show", "pinned", filepath.Join(dir, "nonexistent")},
		{"prog", "show", "pinned", "/etc/passwd"},
		{"prog", "show", "pinned", "/tmp"},
		{"prog", "show", "pinned", mapPin},
		{"-j", "prog", "show", "pinned", mapPin},
		{"prog", "pin", "id", id, filepath.Join(dir, "with.dot")},
		{"prog", "pin", "id", id, existing},
		{"-j", "prog", "pin", "id", id, existing},
		{"-n", "prog", "pin", "id", id, filepath.Join(t.TempDir(), "offbpffs")},
		{"prog", "pin", "id", id},
		{"prog", "pin"},
		{"prog", "pin", "id", "999999999", filepath.Join(dir, "x")},
		{"prog", "pin", "name", "no_such_program_here", filepath.Join(dir, "x")},
		{"prog", "pin", "tag", "b11459a0e11ca14c", filepath.Join(dir, "x")},
		{"prog", "show", "bogus", "1"},
		{"prog", "show", "id", "1", "extra"},
		{"prog", "bogus"},
		{"bogus"},
		{"-x", "prog", "show"},
		{"-jx", "prog", "show"},
		{"-xj", "prog", "show"},
		{"--bogus"},
		{"--json=1"},
		{"-j", "--nomount", "--bogus"},
		{"batch", "file", "/nonexistent/batch"},
		{"-j", "batch", "file", "/nonexistent/batch"},
		{"batch", "file", quote},
		{"-j", "batch", "file", quote},
		{"batch", "foo", quote},
		{"batch", "file"},
		{"batch", "file", quote, "extra"},
	}
	before := testprog.OpenFDs(t)
	for _, args := range cases {
		sameAsOracle(t, args...)
	}
	if leaked := before.Leaked(t); len(leaked) > 0 {
		t.Errorf("leaked %v", leaked)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 2 {
		t.Errorf("pins left behind in %s: %v", dir, ents)
	}
}

// TestPin pins by each handle kind, as bpftool does, and prints null in
// JSON mode.
func TestPin(t *testing.T) {
	testprog.Privileged(t)
	coll := testprog.Load(t, "show")
	id := testprog.ProgID(t, coll.Programs["show_sock"])
	dir := testPinDir(t)
	for i, args := range [][]string{
		{"prog", "pin", "id", fmt.Sprint(id)},
		{"-j", "prog", "pin", "id", fmt.Sprintf("%#x", id)},
		{"prog", "pin", "pinned"},
	} {
		path := filepath.Join(dir, fmt.Sprint("p", i))
		if args[len(args)-1] == "pinned" {
			args = append(args, filepath.Join(dir, "p0"))
		}
		args = append(args, path)
		got := ours(args...)
		want := ""
		if args[0] == "-j" {
			want = "null\n"
		}
		if got.code != 0 || got.stdout != want || got.stderr != "" {
			t.Fatalf("%q: %+v", args, got)
		}
		fd, err := kernel.ObjGet(path)
		if err != nil {
			t.Fatalf("%s not pinned: %v", path, err)
		}
		pid, _ := kernel.GetProgInfoLite(fd)
		kernel.Close(fd)
		if pid != id {
			t.Errorf("%s pins id %d, want %d", path, pid, id)
		}
	}
	// bpftool mounts a bpffs on the pin's directory when it has none.
	fresh := t.TempDir()
	got := ours("prog", "pin", "id", fmt.Sprint(id), filepath.Join(fresh, "pinned"))
	// bpftool's way stacks a bind mount and the bpffs: undo both.
	defer func() {
		for syscall.Unmount(fresh, syscall.MNT_DETACH) == nil {
		}
	}()
	if got.code != 0 || !kernel.IsBPFFS(fresh) {
		t.Errorf("pin off bpffs: %+v, bpffs mounted: %v", got, kernel.IsBPFFS(fresh))
	}
}

// TestUnprivileged: without CAP_BPF/CAP_SYS_ADMIN the kernel refuses
// every lookup; both tools fail the same way.
func TestUnprivileged(t *testing.T) {
	testprog.Privileged(t)
	bpftool := testprog.NeedTool(t, "bpftool")
	coll := testprog.Load(t, "nogpl")
	id := fmt.Sprint(testprog.ProgID(t, coll.Programs["show_nogpl_xdp"]))
	bin := testprog.Binary(t)
	for _, args := range [][]string{
		{"prog", "show", "id", id},
		{"-j", "prog", "show", "name", "show_nogpl_xdp"},
		{"prog", "show"},
	} {
		run := func(path string, env ...string) result {
			cmd := exec.Command(path, args...)
			cmd.Env = append(os.Environ(), env...)
			cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
			return runCmd(t, cmd)
		}
		want := run(bpftool)
		want.stderr = oracleHelp(want.stderr, bin)
		// Unprivileged, the automatic choice and the syscall path are
		// bpftool's; the iterator, insisted on, cannot load.
		compare(t, args, want, run(bin, progfacts.FactsEnv+"="))
		compare(t, args, want, run(bin, progfacts.FactsEnv+"=syscall"))
		if len(args) == 2 {
			got := run(bin, progfacts.FactsEnv+"=iter")
			if got.code != 255 || !strings.Contains(got.stderr, "Error: can't read programs with the bpf_prog iterator: ") {
				t.Errorf("%s=iter unprivileged: code %d, %q", progfacts.FactsEnv, got.code, got.stderr)
			}
		}
	}
}
