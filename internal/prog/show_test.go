package prog_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/gobpftool/gobpftool/internal/kernel"
	"github.com/gobpftool/gobpftool/internal/testprog"
	"golang.org/x/sys/unix"
)

// testPinDir makes a directory of this test's own on the bpffs.
func testPinDir(t *testing.T) string {
	t.Helper()
	if !kernel.IsBPFFS("/sys/fs/bpf") {
		if err := unix.Mount("bpf", "/sys/fs/bpf", "bpf", 0, ""); err != nil {
			t.Fatalf("mount bpffs: %v", err)
		}
	}
	dir, err := os.MkdirTemp("/sys/fs/bpf", "gobpftool_test_")
	if err != nil {
		t.Fatal(err)
	}
	// bpffs refuses dots in names; MkdirTemp's random suffix has none.
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func progIDs(t *testing.T, coll *ebpf.Collection) map[string]uint32 {
	ids := map[string]uint32{}
	for name, p := range coll.Programs {
		ids[name] = testprog.ProgID(t, p)
	}
	return ids
}

func TestShowMatchesBpftool(t *testing.T) {
	testprog.Privileged(t)
	coll := testprog.Load(t, "show")
	nogpl := testprog.Load(t, "nogpl")
	ids := progIDs(t, coll)
	ids["show_nogpl_xdp"] = testprog.ProgID(t, nogpl.Programs["show_nogpl_xdp"])

	for name, id := range ids {
		sid := fmt.Sprint(id)
		for _, opts := range [][]string{nil, {"-j"}, {"-p"}, {"--json", "--pretty"}} {
			sameAsOracle(t, append(append([]string{}, opts...), "prog", "show", "id", sid)...)
		}
		sameAsOracle(t, "prog", "list", "id", "0x"+fmt.Sprintf("%x", id))
		sameAsOracle(t, "p", "s", "id", fmt.Sprintf("0%o", id))
		sameAsOracle(t, "prog", "id", sid, "show", "-p") // options anywhere
		_ = name
	}
	// A name longer than the kernel's 15 bytes matches by its BTF name,
	// whether the candidates come from the bpf_prog iterator or from the
	// walk by id.
	for _, facts := range []string{"iter", "syscall"} {
		t.Setenv("GOBPFTOOL_FACTS", facts)
		sameAsOracle(t, "prog", "show", "name", "show_tc_classifier_with_a_long_name")
		sameAsOracle(t, "-j", "prog", "show", "name", "show_tc_classifier_with_a_long_name")
		sameAsOracle(t, "prog", "show", "name", "show_tc_classif") // the kernel's 15 bytes: no match
		sameAsOracle(t, "-j", "prog", "show", "name", "show_xdp")
	}
	t.Setenv("GOBPFTOOL_FACTS", "")
	// cg_egress and cg_sock have the same instructions, hence one tag:
	// a tag handle matching several programs prints an array in JSON. Other
	// tests may load programs with this tag too, so only check that our
	// programs are in the answer.
	tagged := ours("-j", "prog", "show", "tag", "b11459a0e11ca14c")
	for _, n := range []string{"show_cg_egress", "show_cg_sock"} {
		if !strings.Contains(tagged.stdout, fmt.Sprintf(`"id":%d,`, ids[n])) {
			t.Errorf("tag handle misses %s: %s", n, tagged.stdout)
		}
	}
}

func TestShowMetadata(t *testing.T) {
	testprog.Privileged(t)
	coll := testprog.Load(t, "show")
	id := testprog.ProgID(t, coll.Programs["show_xdp"])
	got := sameAsOracle(t, "prog", "show", "id", fmt.Sprint(id))
	for _, want := range []string{"\tmetadata:\n", "\t\towner = \"gobpftool tests\"\n", "\t\tversion = 42\n", "big = 18446744073709551615"} {
		if !strings.Contains(got.stdout, want) {
			t.Errorf("missing %q in\n%s", want, got.stdout)
		}
	}
	if strings.Contains(got.stdout, "not_metadata") {
		t.Errorf("non-metadata variable shown:\n%s", got.stdout)
	}
}

func TestShowPinned(t *testing.T) {
	testprog.Privileged(t)
	coll := testprog.Load(t, "show")
	ids := progIDs(t, coll)
	dir := testPinDir(t)
	// Several paths for one program, in nested directories, and a second
	// bpffs mount: -f walks every mounted bpffs.
	os.Mkdir(filepath.Join(dir, "sub"), 0o755)
	second := t.TempDir()
	if err := unix.Mount("bpf", second, "bpf", 0, ""); err != nil {
		t.Fatalf("mount second bpffs: %v", err)
	}
	t.Cleanup(func() { unix.Unmount(second, unix.MNT_DETACH) })
	xdp := coll.Programs["show_xdp"]
	for _, p := range []string{dir + "/a", dir + "/sub/b", dir + "/c", second + "/d"} {
		if err := kernel.ObjPin(xdp.FD(), p); err != nil {
			t.Fatal(err)
		}
	}
	sid := fmt.Sprint(ids["show_xdp"])
	for _, opts := range [][]string{{"-f"}, {"-f", "-j"}, {"-f", "-p"}, {"--bpffs", "-j"}} {
		sameAsOracle(t, append(opts, "prog", "show", "id", sid)...)
		// A program without pins still gets "pinned": [] in JSON.
		sameAsOracle(t, append(opts, "prog", "show", "id", fmt.Sprint(ids["show_cg_sock"]))...)
	}
	sameAsOracle(t, "prog", "show", "pinned", dir+"/sub/b")
	sameAsOracle(t, "-j", "prog", "show", "pinned", second+"/d")
}

// TestShowManyPins: one program pinned 300 times in one directory (its
// pins looked at by two threads), another 40 times among them, in
// bpftool's order, which replays libbpf's hashmap through its growths.
func TestShowManyPins(t *testing.T) {
	testprog.Privileged(t)
	coll := testprog.Load(t, "show")
	ids := progIDs(t, coll)
	dir := testPinDir(t)
	xdp, sock := coll.Programs["show_xdp"], coll.Programs["show_sock"]
	for i := range 340 {
		fd := xdp.FD()
		if i%17 == 3 && i/17 < 40 || i >= 300 {
			fd = sock.FD()
		}
		if err := kernel.ObjPin(fd, fmt.Sprintf("%s/p%03d", dir, i)); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"show_xdp", "show_sock"} {
		id := fmt.Sprint(ids[name])
		got := sameAsOracle(t, "-f", "prog", "show", "id", id)
		if n := strings.Count(got.stdout, "pinned "); n < 40 {
			t.Errorf("%s: %d pins shown", name, n)
		}
		sameAsOracle(t, "-f", "-j", "prog", "show", "id", id)
	}
}

func TestShowRunStats(t *testing.T) {
	testprog.Privileged(t)
	coll := testprog.Load(t, "show")
	old, err := os.ReadFile("/proc/sys/kernel/bpf_stats_enabled")
	if err != nil {
		t.Skip("no kernel.bpf_stats_enabled")
	}
	if err := os.WriteFile("/proc/sys/kernel/bpf_stats_enabled", []byte("1"), 0); err != nil {
		t.Fatal(err)
	}
	defer os.WriteFile("/proc/sys/kernel/bpf_stats_enabled", old, 0)
	p := coll.Programs["show_sock"]
	if _, err := p.Run(&ebpf.RunOptions{Data: make([]byte, 64), Repeat: 3}); err != nil {
		t.Fatalf("test run: %v", err)
	}
	os.WriteFile("/proc/sys/kernel/bpf_stats_enabled", old, 0)
	sid := fmt.Sprint(testprog.ProgID(t, p))
	got := sameAsOracle(t, "prog", "show", "id", sid)
	if !strings.Contains(got.stdout, " run_time_ns ") || !strings.Contains(got.stdout, " run_cnt 3") {
		t.Errorf("no run stats in\n%s", got.stdout)
	}
	sameAsOracle(t, "-j", "prog", "show", "id", sid)
}

// TestShowPids checks what Debian's bpftool cannot show against /proc:
// this process and a child that inherited the program's fd hold it.
func TestShowPids(t *testing.T) {
	testprog.Privileged(t)
	coll := testprog.Load(t, "nogpl")
	p := coll.Programs["show_nogpl_xdp"]
	id := testprog.ProgID(t, p)
	child := testprog.HoldInChild(t, p.FD())

	self := os.Getpid()
	comm, _ := os.ReadFile("/proc/self/comm")
	mine := fmt.Sprintf("%s(%d)", strings.TrimSpace(string(comm)), self)
	theirsPid := fmt.Sprintf("sleep(%d)", child.Process.Pid)
	want := mine + ", " + theirsPid
	if child.Process.Pid < self {
		want = theirsPid + ", " + mine
	}
	got := ours("prog", "show", "id", fmt.Sprint(id))
	if !strings.Contains(got.stdout, "\n\tpids "+want+"\n") {
		t.Errorf("want pids %s in\n%s", want, got.stdout)
	}
	js := ours("-j", "prog", "show", "id", fmt.Sprint(id))
	if !strings.Contains(js.stdout, fmt.Sprintf(`{"pid":%d,"comm":"sleep"}`, child.Process.Pid)) {
		t.Errorf("JSON pids missing the child: %s", js.stdout)
	}
	// As a process of its own, gobpftool opens the program to show it
	// while it scans: it must not list itself, alone or in a listing.
	bin := testprog.Binary(t)
	for _, args := range [][]string{{"-j", "prog", "show", "id", fmt.Sprint(id)}, {"-j", "prog", "show"}} {
		cmd := exec.Command(bin, args...)
		r := runCmd(t, cmd)
		// Another gobpftool on the machine may hold programs for a
		// moment; only this one's pid must not appear.
		if strings.Contains(r.stdout, fmt.Sprintf(`{"pid":%d,`, cmd.Process.Pid)) {
			t.Errorf("%v lists gobpftool itself as a holder: %s", args, r.stdout)
		}
		if !strings.Contains(r.stdout, fmt.Sprintf(`{"pid":%d,"comm":"sleep"}`, child.Process.Pid)) {
			t.Errorf("%v misses the child holder", args)
		}
	}
}

func TestShowAllListsOurPrograms(t *testing.T) {
	testprog.Privileged(t)
	coll := testprog.Load(t, "show")
	got := ours("prog", "show")
	if got.code != 0 {
		t.Fatalf("prog show: %+v", got)
	}
	for name, id := range progIDs(t, coll) {
		if !strings.Contains(got.stdout, fmt.Sprintf("\n%d: ", id)) && !strings.HasPrefix(got.stdout, fmt.Sprintf("%d: ", id)) {
			t.Errorf("%s (id %d) missing from prog show", name, id)
		}
	}
	// The pid iterator is a program while it runs; no listing shows it.
	for i := 0; i < 10; i++ {
		if r := ours("prog", "show"); strings.Contains(r.stdout, "gobpftool_pids") {
			t.Fatalf("listing shows our own iterator:\n%s", r.stdout)
		}
	}
	js := ours("-j", "prog", "show")
	if !strings.HasPrefix(js.stdout, "[{") || !strings.HasSuffix(js.stdout, "}]\n") {
		t.Errorf("JSON listing is not an array: %.80s", js.stdout)
	}
}

// TestShowNewerProgType: a type the oracle's libbpf 1.1 cannot name
// (netfilter, 32) prints as "type 32", as bpftool does.
func TestShowNewerProgType(t *testing.T) {
	testprog.Privileged(t)
	p, err := ebpf.NewProgram(&ebpf.ProgramSpec{
		Name: "show_netfilter", Type: ebpf.Netfilter, AttachType: ebpf.AttachNetfilter,
		License:      "GPL",
		Instructions: asm.Instructions{asm.Mov.Imm(asm.R0, 1), asm.Return()},
	})
	if err != nil {
		testprog.Missing(t, "netfilter programs do not load here: "+err.Error())
	}
	defer p.Close()
	id := fmt.Sprint(testprog.ProgID(t, p))
	for _, opts := range [][]string{nil, {"-j"}, {"-p"}} {
		got := sameAsOracle(t, append(opts, "prog", "show", "id", id)...)
		if !strings.Contains(got.stdout, "type 32") && !strings.Contains(got.stdout, `"type":32`) && !strings.Contains(got.stdout, `"type": 32`) {
			t.Errorf("netfilter not shown as type 32: %s", got.stdout)
		}
	}
}

// TestShowManyPrograms: from iterateFrom programs on, a listing finds
// holders with the BPF iterator; the answer is the /proc answer, the
// iterator itself is never listed, and gobpftool never holds what it shows.
func TestShowManyPrograms(t *testing.T) {
	testprog.Privileged(t)
	var ids []uint32
	for i := 0; i < 70; i++ {
		p, err := ebpf.NewProgram(&ebpf.ProgramSpec{
			Name: fmt.Sprintf("show_many_%02d", i), Type: ebpf.SocketFilter, License: "GPL",
			Instructions: asm.Instructions{asm.Mov.Imm(asm.R0, int32(i)), asm.Return()},
		})
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		ids = append(ids, testprog.ProgID(t, p))
	}
	self := fmt.Sprintf(`{"pid":%d,"comm":`, os.Getpid())
	got := ours("-j", "prog", "show")
	cmd := exec.Command(testprog.Binary(t), "-j", "prog", "show")
	bin := runCmd(t, cmd)
	binSelf := fmt.Sprintf(`{"pid":%d,`, cmd.Process.Pid)
	for _, r := range []result{got, bin} {
		if r.code != 0 || strings.Contains(r.stdout, `"name":"gobpftool_`) || strings.Contains(r.stdout, binSelf) {
			t.Fatalf("listing: code %d, iterator or self listed:\n%.400s", r.code, r.stdout)
		}
		for _, id := range ids {
			i := strings.Index(r.stdout, fmt.Sprintf(`{"id":%d,`, id))
			if i < 0 {
				t.Fatalf("program %d missing", id)
			}
			end := strings.Index(r.stdout[i:], "},{")
			if end < 0 {
				end = len(r.stdout) - i
			}
			if !strings.Contains(r.stdout[i:i+end], self) {
				t.Errorf("program %d: this process not among its holders: %s", id, r.stdout[i:i+end])
			}
		}
	}
}

// TestBatchShow: commands in a batch file print as bpftool prints them,
// the JSON wrapper included, and the batch stops at the first failure.
func TestBatchShow(t *testing.T) {
	testprog.Privileged(t)
	coll := testprog.Load(t, "nogpl")
	id := fmt.Sprint(testprog.ProgID(t, coll.Programs["show_nogpl_xdp"]))
	dir := t.TempDir()
	ok := filepath.Join(dir, "ok")
	os.WriteFile(ok, []byte("prog show id "+id+"\n# comment\np s name show_nogpl_xdp\nprog \\\n list id "+id+"\n"), 0o644)
	bad := filepath.Join(dir, "bad")
	os.WriteFile(bad, []byte("prog show id "+id+"\nprog show id 4294967295\nprog show id "+id+"\n"), 0o644)
	for _, f := range []string{ok, bad} {
		for _, opts := range [][]string{nil, {"-j"}, {"-p"}} {
			sameAsOracle(t, append(opts, "batch", "file", f)...)
		}
	}
	// One batch read from standard input.
	want := theirsStdin(t, "prog show id "+id+"\n", "-j", "batch", "file", "-")
	got := oursStdin("prog show id "+id+"\n", "-j", "batch", "file", "-")
	compare(t, []string{"-j", "batch", "file", "-"}, want, got)
}
