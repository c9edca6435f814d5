package prog_test

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/gobpftool/gobpftool/internal/kernel"
	"github.com/gobpftool/gobpftool/internal/testprog"
)

// loadOracle runs one `prog load`/`loadall` command line with bpftool,
// records what it printed and what it left pinned under the paths in
// pins, removes those pins, then does the same with gobpftool: output,
// exit status and the pinned programs and maps (type, name, tag, sizes,
// flags, the names of the maps a program uses) must be the same.
func loadOracle(t *testing.T, pins []string, args ...string) result {
	t.Helper()
	for _, p := range pins {
		if _, err := os.Lstat(p); err == nil {
			t.Fatalf("%s exists before the test", p)
		}
	}
	want := theirs(t, args...)
	wantPins := snapshotPins(t, pins)
	removePins(pins)

	fds := testprog.OpenFDs(t)
	got := ours(args...)
	gotPins := snapshotPins(t, pins)
	removePins(pins)
	if leaked := fds.Leaked(t); len(leaked) > 0 {
		t.Errorf("%q: leaked %v", args, leaked)
	}
	compare(t, args, want, got)
	if !reflect.DeepEqual(wantPins, gotPins) {
		t.Errorf("%q: pinned objects differ:\n got: %s\nwant: %s", args, dumpJSON(gotPins), dumpJSON(wantPins))
	}
	return got
}

func dumpJSON(v any) string {
	b, _ := json.MarshalIndent(v, "", " ")
	return string(b)
}

func removePins(pins []string) {
	for _, p := range pins {
		os.RemoveAll(p)
	}
}

// snapshotPins describes every object pinned at or below each path, as
// bpftool shows it, without what differs from one load to the next (ids,
// load times, BTF ids).
func snapshotPins(t *testing.T, pins []string) map[string]any {
	t.Helper()
	out := map[string]any{}
	for _, root := range pins {
		filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
			if err != nil || fi.IsDir() {
				if err == nil && p != root {
					out[p] = "directory"
				}
				return nil
			}
			out[p] = describePin(t, p)
			return nil
		})
	}
	return out
}

func describePin(t *testing.T, path string) any {
	t.Helper()
	fd, err := kernel.ObjGet(path)
	if err != nil {
		return "unopenable: " + err.Error()
	}
	typ, _ := kernel.TypeOfFD(fd)
	kernel.Close(fd)
	switch typ {
	case kernel.FDProg:
		return normalize(t, bpftoolJSON(t, "prog", "show", "pinned", path))
	case kernel.FDMap:
		v := normalize(t, bpftoolJSON(t, "map", "show", "pinned", path))
		if n, _ := v["max_entries"].(float64); n > 64 {
			return v // dumping tens of thousands of entries takes seconds
		}
		// The number of entries, not their values: prog arrays and maps
		// of maps hold ids.
		r := theirs(t, "-j", "map", "dump", "pinned", path)
		var entries []any
		json.Unmarshal([]byte(r.stdout), &entries)
		v["entries"] = len(entries)
		switch v["type"] {
		case "prog_array", "array_of_maps", "hash_of_maps":
		default:
			// Plain data (.data, .rodata, .bss): the bytes too.
			v["contents"] = entries
		}
		return v
	case kernel.FDLink:
		return normalize(t, bpftoolJSON(t, "link", "show", "pinned", path))
	}
	return "unknown object"
}

func bpftoolJSON(t *testing.T, args ...string) map[string]any {
	t.Helper()
	r := theirs(t, append([]string{"-j"}, args...)...)
	var v map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
		t.Fatalf("bpftool %q: %v: %s%s", args, err, r.stdout, r.stderr)
	}
	return v
}

// normalize drops the fields that differ between two loads of the same
// object and names the maps a program uses instead of numbering them.
func normalize(t *testing.T, v map[string]any) map[string]any {
	t.Helper()
	for _, k := range []string{"id", "loaded_at", "pinned", "pids", "prog_id"} {
		delete(v, k)
	}
	if _, ok := v["btf_id"]; ok {
		v["btf_id"] = "present"
	}
	if ids, ok := v["map_ids"].([]any); ok {
		var names []string
		for _, id := range ids {
			m := bpftoolJSON(t, "map", "show", "id", fmt.Sprint(id))
			names = append(names, fmt.Sprint(m["name"]))
		}
		v["map_ids"] = names
	}
	return v
}

func TestLoadMatchesBpftool(t *testing.T) {
	testprog.Privileged(t)
	testprog.NeedTool(t, "bpftool")
	dir := testPinDir(t)
	multi := testprog.Object(t, "load_multi")
	unknown := testprog.Object(t, "load_unknown")
	core := testprog.Object(t, "load_core")
	calls := testprog.Object(t, "load_calls")
	many := testprog.Object(t, "load_many")
	nogpl := testprog.Object(t, "nogpl")

	all := filepath.Join(dir, "all")
	one := filepath.Join(dir, "one")
	maps := filepath.Join(dir, "maps")
	cases := [][]string{
		// Several programs of common types, maps, .data/.rodata/.bss,
		// BTF, a bpf-to-bpf call and a tail-call program array.
		{"prog", "loadall", multi, all},
		{"prog", "load", multi, one},
		{"-j", "prog", "load", multi, one},
		{"prog", "loadall", multi, all, "pinmaps", maps},
		{"prog", "lo", multi, one, "pinm", maps},
		// A section libbpf cannot type, given a type; the override
		// keeps the section's own flags.
		{"prog", "load", unknown, one, "type", "xdp"},
		{"prog", "load", unknown, one, "type", "socket"},
		{"prog", "loadall", unknown, all, "t", "classifier"},
		{"prog", "load", unknown, one, "type", "cgroup/skb"},
		// Callees laid out in libbpf's order, a callback.
		{"prog", "loadall", calls, all},
		// Sections that imply attach types, flags and BTF targets.
		{"prog", "loadall", testprog.Object(t, "load_kinds"), all},
		// CO-RE against the running kernel, raw_tp and tp_btf.
		{"prog", "loadall", core, all},
		// A prog array and a map of maps filled from their definitions.
		{"prog", "loadall", testprog.Object(t, "load_tail"), all, "pinmaps", maps},
		{"prog", "loadall", testprog.Object(t, "load_mapinmap"), all, "pinmaps", maps},
		// .rodata holding only string literals.
		{"prog", "loadall", testprog.Object(t, "load_printk"), all, "pinmaps", maps},
		// A map pinned by name in /sys/fs/bpf, created then reused.
		{"prog", "loadall", testprog.Object(t, "load_pinned"), all, "pinmaps", maps},
		// A license that is not GPL.
		{"prog", "loadall", nogpl, all},
		// Fifty programs.
		{"prog", "loadall", many, all},
	}
	pins := append(byNamePins(t, testprog.Object(t, "load_pinned")), all, one, maps)
	for _, args := range cases {
		loadOracle(t, pins, args...)
	}
	// The second load finds the map pinned by name and reuses it.
	byName := byNamePins(t, testprog.Object(t, "load_pinned"))[0]
	if r := ours("prog", "load", testprog.Object(t, "load_pinned"), one); r.code != 0 {
		t.Fatalf("%+v", r)
	}
	defer os.Remove(byName)
	loadOracle(t, []string{all, maps}, "prog", "loadall", testprog.Object(t, "load_pinned"), all)
	loadOracle(t, []string{all, maps}, "prog", "loadall", testprog.Object(t, "load_pinned"), all, "pinmaps", maps)
	os.Remove(one)
}

// byNamePins are the paths where the object's maps pinned by name
// (LIBBPF_PIN_BY_NAME) go. A test must not touch one that exists.
func byNamePins(t *testing.T, obj string) []string {
	t.Helper()
	spec, err := ebpf.LoadCollectionSpec(obj)
	if err != nil {
		return nil
	}
	var paths []string
	for _, m := range spec.Maps {
		if m.Pinning != ebpf.PinByName {
			continue
		}
		p := filepath.Join("/sys/fs/bpf", m.Name)
		if _, err := os.Lstat(p); err == nil {
			t.Skipf("%s is pinned already; not touching it", p)
		}
		paths = append(paths, p)
	}
	sort.Strings(paths)
	return paths
}

func TestLoadMapReuse(t *testing.T) {
	testprog.Privileged(t)
	testprog.NeedTool(t, "bpftool")
	dir := testPinDir(t)
	multi := testprog.Object(t, "load_multi")
	counters, err := ebpf.NewMap(&ebpf.MapSpec{Name: "reuse_counters", Type: ebpf.Array, KeySize: 4, ValueSize: 8, MaxEntries: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer counters.Close()
	seen, err := ebpf.NewMap(&ebpf.MapSpec{Name: "reuse_seen", Type: ebpf.Hash, KeySize: 4, ValueSize: 4, MaxEntries: 16})
	if err != nil {
		t.Fatal(err)
	}
	defer seen.Close()
	info, err := counters.Info()
	if err != nil {
		t.Fatal(err)
	}
	cid, _ := info.ID()
	seenPin := filepath.Join(dir, "seen_pin")
	if err := seen.Pin(seenPin); err != nil {
		t.Fatal(err)
	}
	all := filepath.Join(dir, "all")
	maps := filepath.Join(dir, "maps")
	pins := []string{all, maps}
	id := fmt.Sprint(cid)
	// load_multi's maps in libbpf's order: jumps, seen, counters, then
	// load_mul.data, load_mul.rodata, load_mul.bss.
	for _, args := range [][]string{
		{"prog", "loadall", multi, all, "map", "idx", "2", "id", id},
		{"prog", "loadall", multi, all, "map", "name", "counters", "id", id, "map", "name", "seen", "pinned", seenPin},
		{"prog", "loadall", multi, all, "map", "i", "0x2", "name", "reuse_counters", "pinmaps", maps},
		{"prog", "loadall", multi, all, "map", "idx", "1", "pinned", seenPin, "map", "idx", "2", "id", id, "pinmaps", maps},
		// Errors once the object is open: a name the object lacks, an
		// index given twice, an index past the maps.
		{"prog", "loadall", multi, all, "map", "name", "nosuch", "id", id},
		{"prog", "loadall", multi, all, "map", "idx", "2", "id", id, "map", "name", "counters", "pinned", seenPin},
		{"prog", "loadall", multi, all, "map", "idx", "9", "id", id},
		{"-l", "prog", "loadall", multi, all, "map", "idx", "9", "id", id},
		{"-j", "prog", "loadall", multi, all, "map", "idx", "9", "id", id},
		// A map of the wrong kind for the program: the verifier says no.
		{"prog", "loadall", multi, all, "map", "idx", "5", "pinned", seenPin},
		// Errors of the MAP handle.
		{"prog", "loadall", multi, all, "map", "idx", "2", "id", "999999999"},
		{"prog", "loadall", multi, all, "map", "idx", "2", "name", "no_map_named_so"},
		{"prog", "loadall", multi, all, "map", "idx", "2", "name", "a_name_much_too_long"},
		{"prog", "loadall", multi, all, "map", "idx", "2", "pinned", filepath.Join(dir, "nothing")},
		{"prog", "loadall", multi, all, "map", "idx", "2", "what", "1"},
		{"prog", "loadall", multi, all, "map", "idx", "x2", "id", id},
		{"prog", "loadall", multi, all, "map", "index", "2", "id", id},
		{"prog", "loadall", multi, all, "map", "idx", "2", "id"},
	} {
		loadOracle(t, pins, args...)
	}
}

// TestLoadBadInput: each mistake the issue lists, with bpftool's message
// and status, and nothing left behind (loadOracle checks pins and fds).
func TestLoadBadInput(t *testing.T) {
	testprog.Privileged(t)
	testprog.NeedTool(t, "bpftool")
	dir := testPinDir(t)
	tmp := t.TempDir()
	multi := testprog.Object(t, "load_multi")
	raw, err := os.ReadFile(multi)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, b []byte) string {
		p := filepath.Join(tmp, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	notELF := write("notelf.o", []byte("this is not an ELF object\n"))
	empty := write("empty.o", nil)
	truncated := write("truncated.o", raw[:1000])
	headerOnly := write("header.o", raw[:64])
	shortHeader := write("short.o", raw[:40])
	x86 := append([]byte(nil), raw...)
	binary.LittleEndian.PutUint16(x86[18:], 62) // EM_X86_64
	otherMachine := write("x86.o", x86)
	elf32 := append([]byte(nil), raw...)
	elf32[4] = 1 // ELFCLASS32
	class32 := write("elf32.o", elf32)
	exe, _ := os.Executable()

	// The same source without BTF (no -g), and with its symbols or its
	// .BTF.ext stripped, as packagers' tools leave objects.
	noBTF := filepath.Join(tmp, "nobtf.o")
	clang := testprog.NeedTool(t, "clang")
	srcFile := testprogSource(t, "load_multi")
	if out, err := exec.Command(clang, "-O2", "-target", "bpf", "-I/usr/include/x86_64-linux-gnu", "-c", srcFile, "-o", noBTF).CombinedOutput(); err != nil {
		t.Fatalf("clang: %v\n%s", err, out)
	}
	variants := [][]string{}
	if objcopy, err := exec.LookPath("llvm-objcopy"); err == nil {
		for _, v := range []struct{ name, flag string }{
			{"stripped.o", "--strip-all"},
			{"noext.o", "--remove-section=.BTF.ext"},
			{"nodebug.o", "--strip-debug"},
		} {
			out := filepath.Join(tmp, v.name)
			if b, err := exec.Command(objcopy, v.flag, multi, out).CombinedOutput(); err != nil {
				t.Fatalf("llvm-objcopy: %v\n%s", err, b)
			}
			variants = append(variants, []string{"prog", "loadall", out, filepath.Join(dir, "p")})
		}
	}

	existing := filepath.Join(dir, "existing")
	if r := ours("prog", "load", testprog.Object(t, "load_unknown"), existing, "type", "xdp"); r.code != 0 {
		t.Fatalf("pin for the test: %+v", r)
	}
	path := filepath.Join(dir, "p")
	pins := []string{path}
	cases := [][]string{
		{"prog", "load", filepath.Join(tmp, "missing.o"), path},
		{"prog", "load", notELF, path},
		{"prog", "load", empty, path},
		{"prog", "load", truncated, path},
		{"prog", "load", headerOnly, path},
		{"prog", "load", shortHeader, path},
		{"prog", "load", otherMachine, path},
		{"prog", "load", class32, path},
		{"prog", "load", exe, path},
		{"prog", "load", tmp, path},
		{"prog", "load", testprog.Object(t, "load_noprog"), path},
		{"-j", "prog", "load", testprog.Object(t, "load_noprog"), path},
		{"prog", "load", testprog.Object(t, "load_unknown"), path},
		{"prog", "load", testprog.Object(t, "load_mapfield"), path},
		{"prog", "load", testprog.Object(t, "load_textonly"), path},
		{"prog", "loadall", testprog.Object(t, "load_textonly"), path},
		{"prog", "load", testprog.Object(t, "load_static"), path},
		{"prog", "load", noBTF, path},
		{"prog", "load", testprog.Object(t, "load_mapcreate"), path},
		{"prog", "load", testprog.Object(t, "load_corebad"), path},
		{"prog", "load", testprog.Object(t, "load_legacymaps"), path},
		{"prog", "loadall", testprog.Object(t, "load_nolicense"), path},
		{"prog", "loadall", testprog.Object(t, "load_tracing"), path},
		{"prog", "load", testprog.Object(t, "load_tracing"), path, "type", "fentry"},
		{"prog", "load", testprog.Object(t, "load_tracing"), path, "type", "lsm"},
		{"prog", "load", multi, path, "type", "nosuchtype"},
		{"prog", "load", multi, path, "type", "xdp", "type", "xdp"},
		{"prog", "load", multi, path, "type"},
		{"prog", "load", multi, path, "map", "name", "nosuch", "pinned", existing},
		{"prog", "load", testprog.Object(t, "load_reject"), path},
		{"prog", "loadall", testprog.Object(t, "load_reject"), path},
		{"-j", "prog", "load", testprog.Object(t, "load_reject"), path},
		{"prog", "load", multi, path, "type", "xdp"},
		{"prog", "load", multi, filepath.Join(dir, "with.dot")},
		{"prog", "loadall", multi, filepath.Join(dir, "with.dot")},
		{"prog", "load", multi, existing},
		{"prog", "loadall", multi, existing},
		{"-n", "prog", "load", multi, filepath.Join(tmp, "offbpffs")},
		{"-n", "prog", "loadall", multi, filepath.Join(tmp, "offbpffs")},
		{"prog", "loadall", multi, filepath.Join(dir, "no", "such", "dir")},
		{"prog", "load", multi},
		{"prog", "load"},
		{"prog", "load", multi, path, "bogus"},
		{"-j", "prog", "load", multi, path, "bogus"},
		{"prog", "load", multi, path, "dev", "no_such_netdev"},
		{"prog", "load", multi, path, "dev", "a_name_longer_than_ifnamsiz"},
		{"prog", "load", multi, path, "dev", "lo", "dev", "lo"},
		// lo cannot offload: maps and programs bound to it fail as
		// bpftool's do.
		{"prog", "load", multi, path, "dev", "lo"},
		{"prog", "load", testprog.Object(t, "load_noprog"), path, "dev", "lo"},
		{"prog", "load", testprog.Object(t, "load_unknown"), path, "type", "xdp", "dev", "lo"},
		{"prog", "load", testprog.Object(t, "load_unknown"), path, "type", "socket", "dev", "lo"},
		{"prog", "load", multi, path, "dev"},
		{"prog", "load", multi, path, "pinmaps"},
		{"prog", "load", multi, path, "map", "idx", "1"},
		{"prog", "load", multi, path, "map", "foo", "1", "id", "1"},
		{"prog", "load", multi, path, "pinmaps", filepath.Join(tmp, "offbpffs")},
		{"prog", "load", multi, path, "pinmaps", filepath.Join(dir, "maps.dir")},
	}
	// libbpf makes the directory of a map pin before it finds that the
	// directory is not on bpffs: both tools leave it, compared as a pin.
	pins = append(pins, filepath.Join(tmp, "offbpffs"), filepath.Join(dir, "maps_dir"))
	for _, args := range append(cases, variants...) {
		loadOracle(t, pins, args...)
	}
	for _, p := range []string{filepath.Join(dir, "with.dot"), filepath.Join(dir, "no")} {
		if _, err := os.Lstat(p); err == nil {
			t.Errorf("%s left behind", p)
		}
	}
}

// TestLoadDebugLog: -d prints each program's verifier log as libbpf does.
// libbpf's other debug lines are not reproduced; the log blocks are.
func TestLoadDebugLog(t *testing.T) {
	testprog.Privileged(t)
	dir := testPinDir(t)
	obj := testprog.Object(t, "load_multi")
	got := ours("-d", "prog", "loadall", obj, filepath.Join(dir, "all"))
	if got.code != 0 {
		t.Fatalf("%+v", got)
	}
	for _, name := range []string{"xdp_first", "tc_count", "cg_connect4"} {
		head := "libbpf: prog '" + name + "': -- BEGIN PROG LOAD LOG --\n"
		i := strings.Index(got.stderr, head)
		if i < 0 {
			t.Fatalf("no log for %s:\n%s", name, got.stderr)
		}
		rest := got.stderr[i+len(head):]
		end := strings.Index(rest, "-- END PROG LOAD LOG --\n")
		if end < 0 || !strings.Contains(rest[:end], "processed ") || !strings.Contains(rest[:end], "verification time") {
			t.Errorf("log of %s is not a level 7 verifier log:\n%s", name, rest)
		}
	}
}

// TestLoadRealObjects loads BPF objects other projects ship in Debian
// (libxdp1's XDP dispatcher, filters and AF_XDP programs) with both tools.
func TestLoadRealObjects(t *testing.T) {
	testprog.Privileged(t)
	testprog.NeedTool(t, "bpftool")
	objs, _ := filepath.Glob("/usr/lib/*/bpf/*.o")
	if len(objs) == 0 {
		testprog.Missing(t, "no BPF objects from Debian packages (apt-get install libxdp1)")
	}
	sort.Strings(objs)
	dir := testPinDir(t)
	all := filepath.Join(dir, "all")
	for _, o := range objs {
		// Maps pinned by name land in /sys/fs/bpf itself: compared and
		// removed like the programs.
		loadOracle(t, append(byNamePins(t, o), all), "prog", "loadall", o, all)
	}
}

// TestLoadAutoattach: programs that name their attach point are attached
// and their links pinned; the others fall back to a pinned program with
// bpftool's note. Debian's bpftool has no autoattach: this follows newer
// upstream bpftool.
func TestLoadAutoattach(t *testing.T) {
	testprog.Privileged(t)
	dir := testPinDir(t)
	obj := testprog.Object(t, "load_multi")
	all := filepath.Join(dir, "all")
	// A program that cannot be attached is pinned with a plain
	// BPF_OBJ_PIN, which makes no directory: bpftool needs it to exist.
	if err := os.Mkdir(all, 0o700); err != nil {
		t.Fatal(err)
	}
	got := ours("prog", "loadall", obj, all, "autoattach")
	if got.code != 0 {
		t.Fatalf("%+v", got)
	}
	if !strings.Contains(got.stderr, "Program xdp_first does not support autoattach, falling back to pinning\n") {
		t.Errorf("no fallback note:\n%s", got.stderr)
	}
	fd, err := kernel.ObjGet(filepath.Join(all, "tp_getpid"))
	if err != nil {
		t.Fatal(err)
	}
	typ, _ := kernel.TypeOfFD(fd)
	kernel.Close(fd)
	if typ != kernel.FDLink {
		t.Errorf("tp_getpid pinned as %v, want a link", typ)
	}
	fd, err = kernel.ObjGet(filepath.Join(all, "xdp_first"))
	if err != nil {
		t.Fatal(err)
	}
	typ, _ = kernel.TypeOfFD(fd)
	kernel.Close(fd)
	if typ != kernel.FDProg {
		t.Errorf("xdp_first pinned as %v, want a program", typ)
	}
}

// TestLoadNewerSections: section names that newer libbpf knows and the
// oracle's libbpf 1.1 does not load with their newer types.
func TestLoadNewerSections(t *testing.T) {
	testprog.Privileged(t)
	dir := testPinDir(t)
	obj := testprog.Object(t, "load_unknown")
	p := filepath.Join(dir, "p")
	for _, tc := range []struct{ typ, want string }{
		{"tcx/ingress", "sched_cls"},
		{"netkit/primary", "sched_cls"},
		{"tc/egress", "sched_cls"},
	} {
		// The program returns XDP_PASS (2): valid for all three.
		if r := ours("prog", "load", obj, p, "type", tc.typ); r.code != 0 {
			t.Errorf("type %s: %+v", tc.typ, r)
			continue
		}
		show := bpftoolJSON(t, "prog", "show", "pinned", p)
		if show["type"] != tc.want {
			t.Errorf("type %s loaded as %v", tc.typ, show["type"])
		}
		os.Remove(p)
	}
}

// testprogSource is the path of internal/testprog/src/NAME.c.
func testprogSource(t *testing.T, name string) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "testprog", "src", name+".c")
}

// TestLoadTypeKeywords: every TYPE of the man page overrides the section's
// type as in bpftool, loaded or refused by the kernel alike.
func TestLoadTypeKeywords(t *testing.T) {
	testprog.Privileged(t)
	testprog.NeedTool(t, "bpftool")
	dir := testPinDir(t)
	obj := testprog.Object(t, "load_unknown")
	p := filepath.Join(dir, "p")
	for _, typ := range strings.Fields(`socket kprobe kretprobe classifier action
		tracepoint raw_tracepoint xdp perf_event cgroup/skb cgroup/sock cgroup/dev
		lwt_in lwt_out lwt_xmit lwt_seg6local sockops sk_skb sk_msg lirc_mode2
		sk_reuseport flow_dissector cgroup/sysctl cgroup/bind4 cgroup/bind6
		cgroup/post_bind4 cgroup/post_bind6 cgroup/connect4 cgroup/connect6
		cgroup/getpeername4 cgroup/getpeername6 cgroup/getsockname4
		cgroup/getsockname6 cgroup/sendmsg4 cgroup/sendmsg6 cgroup/recvmsg4
		cgroup/recvmsg6 cgroup/getsockopt cgroup/setsockopt cgroup/sock_release
		struct_ops fentry fexit freplace sk_lookup
		tp raw_tp cgroup_skb/ingress xdp.frags syscall`) {
		loadOracle(t, []string{p}, "prog", "load", obj, p, "type", typ)
	}
}

// TestLoadKernelBTF: `kernel_btf FILE` (newer bpftool) is the BTF that
// CO-RE relocations are resolved against, read only when the object has
// some; the running kernel's own file gives the same programs as a plain
// load.
func TestLoadKernelBTF(t *testing.T) {
	testprog.Privileged(t)
	dir := testPinDir(t)
	core := testprog.Object(t, "load_core")
	plain := filepath.Join(dir, "plain")
	custom := filepath.Join(dir, "custom")
	if r := ours("prog", "loadall", core, plain); r.code != 0 {
		t.Fatalf("%+v", r)
	}
	if r := ours("prog", "loadall", core, custom, "kernel_btf", "/sys/kernel/btf/vmlinux"); r.code != 0 {
		t.Fatalf("%+v", r)
	}
	if a, b := snapshotPins(t, []string{plain}), snapshotPins(t, []string{custom}); len(a) != 2 ||
		!reflect.DeepEqual(a[filepath.Join(plain, "core_raw_tp")], b[filepath.Join(custom, "core_raw_tp")]) {
		t.Errorf("kernel_btf changed the programs:\n%s\n%s", dumpJSON(a), dumpJSON(b))
	}
	fds := testprog.OpenFDs(t)
	missing := filepath.Join(dir, "missing")
	r := ours("prog", "loadall", core, missing, "kernel_btf", filepath.Join(dir, "no_such_btf"))
	if r.code != 255 || !strings.HasPrefix(r.stderr, "libbpf: failed to parse target BTF: -2\n") {
		t.Errorf("missing BTF file: %+v", r)
	}
	if _, err := os.Lstat(missing); err == nil {
		t.Errorf("failed load left %s", missing)
	}
	if leaked := fds.Leaked(t); len(leaked) > 0 {
		t.Errorf("failed load leaked %v", leaked)
	}
	// No CO-RE: the file is not read.
	if r := ours("prog", "load", testprog.Object(t, "load_unknown"), filepath.Join(dir, "x"), "type", "xdp", "kernel_btf", "/nonexistent"); r.code != 0 {
		t.Errorf("object without CO-RE: %+v", r)
	}
}

// TestLoadRelaxedMaps: with -m, a map definition's unknown field is
// skipped as libbpf skips it, and the program loads as bpftool loads it.
func TestLoadRelaxedMaps(t *testing.T) {
	testprog.Privileged(t)
	dir := testPinDir(t)
	path := filepath.Join(dir, "relaxed")
	obj := testprog.Object(t, "load_mapfield")
	loadOracle(t, []string{path}, "-m", "prog", "load", obj, path)
	loadOracle(t, []string{path}, "--mapcompat", "-j", "prog", "load", obj, path)
	loadOracle(t, []string{path}, "prog", "load", obj, path)
}
