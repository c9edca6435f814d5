package loader

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/gobpftool/gobpftool/internal/kernel"
)

func TestSecDefMatches(t *testing.T) {
	for _, tc := range []struct {
		sec    string
		typ    ebpf.ProgramType
		attach ebpf.AttachType
		ok     bool
	}{
		{"xdp", ebpf.XDP, ebpf.AttachXDP, true},
		{"xdp/devmap", ebpf.XDP, ebpf.AttachXDPDevMap, true},
		{"xdp.frags", ebpf.XDP, ebpf.AttachXDP, true},
		{"xdp_foo", 0, 0, false}, // exact names only
		{"xdp/", 0, 0, false},
		{"socket", ebpf.SocketFilter, 0, true},
		{"socket/x", 0, 0, false},
		{"kprobe", ebpf.Kprobe, 0, true}, // "kprobe+": alone
		{"kprobe/do_sys_open", ebpf.Kprobe, 0, true},
		{"kprobefoo", 0, 0, false},
		{"kprobe.multi/x*", ebpf.Kprobe, ebpf.AttachTraceKprobeMulti, true},
		{"tracepoint/syscalls/sys_enter_getpid", ebpf.TracePoint, 0, true},
		{"tp/a/b", ebpf.TracePoint, 0, true},
		{"tc", ebpf.SchedCLS, 0, true},
		{"classifier", ebpf.SchedCLS, 0, true},
		{"cgroup_skb/egress", ebpf.CGroupSKB, ebpf.AttachCGroupInetEgress, true},
		{"cgroup/sock", ebpf.CGroupSock, ebpf.AttachCGroupInetSockCreate, true},
		{"cgroup/connect4", ebpf.CGroupSockAddr, ebpf.AttachCGroupInet4Connect, true},
		{"sk_skb/stream_parser", ebpf.SkSKB, ebpf.AttachSkSKBStreamParser, true},
		{"sk_skb", ebpf.SkSKB, 0, true},
		{"struct_ops/foo", ebpf.StructOps, 0, true},
		{"sk_lookup", ebpf.SkLookup, ebpf.AttachSkLookup, true},
		// Newer than the oracle's libbpf: tried only after 1.1's table.
		{"tcx/ingress", ebpf.SchedCLS, ebpf.AttachTCXIngress, true},
		{"tc/egress", ebpf.SchedCLS, ebpf.AttachTCXEgress, true},
		{"netfilter", ebpf.Netfilter, ebpf.AttachNetfilter, true},
		{"cgroup/connect_unix", ebpf.CGroupSockAddr, ebpf.AttachCgroupUnixConnect, true},
		{"", 0, 0, false},
		{"foo/", 0, 0, false},
	} {
		d := FindSection(tc.sec)
		if (d != nil) != tc.ok {
			t.Errorf("%q: found %v, want %v", tc.sec, d != nil, tc.ok)
			continue
		}
		if d != nil && (d.typ != tc.typ || d.attach != tc.attach) {
			t.Errorf("%q: %v/%v, want %v/%v", tc.sec, d.typ, d.attach, tc.typ, tc.attach)
		}
	}
}

func TestSupportedSecNames(t *testing.T) {
	got := SupportedSections()
	if !strings.HasPrefix(got, " socket sk_reuseport/migrate sk_reuseport kprobe+ ") ||
		!strings.HasSuffix(got, " cgroup/dev struct_ops+ sk_lookup") || strings.Contains(got, "tcx") {
		t.Errorf("names: %s", got)
	}
}

func TestInternalMapName(t *testing.T) {
	for _, tc := range []struct{ obj, sec, want string }{
		{"load_multi", ".data", "load_mul.data"},
		{"load_multi", ".rodata", "load_mul.rodata"},
		{"load_multi", ".bss", "load_mul.bss"},
		{"xdp-dispatcher", ".rodata", "xdp_disp.rodata"}, // sanitised
		{"my_object_name", ".kconfig", "my_obje.kconfig"},
		{"a", ".data", "a.data"},
		{"obj", ".rodata.str1.1", ".rodata.str1.1"},
		{"obj", ".data.a_very_long_name", ".data.a_very_lo"},
	} {
		if got := internalMapName(tc.obj, tc.sec); got != tc.want {
			t.Errorf("%s %s: %q, want %q", tc.obj, tc.sec, got, tc.want)
		}
	}
}

func TestObjName(t *testing.T) {
	for path, want := range map[string]string{
		"/tmp/load_multi.o":                     "load_multi",
		"x.bpf.o":                               "x",
		"/usr/lib/bpf/xdp-dispatcher.o":         "xdp-dispatcher",
		"a_very_long_object_file_name.o":        "a_very_long_obj",
		"noext":                                 "noext",
		"dir.with.dots/averyveryverylongname.o": "averyveryverylo",
	} {
		if got := objName(path); got != want {
			t.Errorf("%s: %q, want %q", path, got, want)
		}
	}
}

// TestLibbpfLayout: callees follow their first call, depth first.
func TestLibbpfLayout(t *testing.T) {
	call := func(name string) asm.Instruction {
		return asm.Call.Label(name)
	}
	fn := func(name string, body ...asm.Instruction) asm.Instructions {
		body[0] = body[0].WithSymbol(name)
		return body
	}
	var insns asm.Instructions
	insns = append(insns, fn("main", call("z"), call("a"), asm.Return())...)
	// cilium/ebpf's order: a, m, z.
	insns = append(insns, fn("a", asm.Mov.Imm(asm.R0, 1), asm.Return())...)
	insns = append(insns, fn("m", asm.Mov.Imm(asm.R0, 2), asm.Return())...)
	insns = append(insns, fn("z", call("m"), asm.Return())...)
	var order []string
	for _, ins := range libbpfLayout(insns) {
		if s := ins.Symbol(); s != "" {
			order = append(order, s)
		}
	}
	if got := strings.Join(order, ","); got != "main,z,m,a" {
		t.Errorf("layout %s, want main,z,m,a", got)
	}
}

func TestCheckELFHeader(t *testing.T) {
	var msgs []string
	warn := func(f string, a ...any) { msgs = append(msgs, f) }
	for _, raw := range [][]byte{nil, []byte("\x7fELF"), []byte("not an elf at all, really")} {
		msgs = nil
		if checkELFHeader("x.o", raw, warn) == nil || len(msgs) != 1 || !strings.Contains(msgs[0], "is not a proper ELF object") {
			t.Errorf("%q: %v", raw, msgs)
		}
	}
}

// TestOpenErrors: a file libbpf cannot open is ErrOpen, with libbpf's line
// in the log and nothing printed elsewhere.
func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	notELF := filepath.Join(dir, "text.o")
	if err := os.WriteFile(notELF, []byte("not an elf at all, really"), 0o600); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		filepath.Join(dir, "missing.o"): "libbpf: elf: failed to open " + filepath.Join(dir, "missing.o") + ": No such file or directory\n",
		notELF:                          "libbpf: elf: '" + notELF + "' is not a proper ELF object\n",
		dir:                             "libbpf: elf: failed to open " + dir + " as ELF file: invalid file descriptor\n",
	} {
		var log strings.Builder
		obj, err := Open(Options{File: path}, func(f string, a ...any) { fmt.Fprintf(&log, f, a...) })
		if obj != nil || !errors.Is(err, ErrOpen) {
			t.Errorf("%s: %v, %v; want ErrOpen", path, obj, err)
		}
		if log.String() != want {
			t.Errorf("%s: log %q, want %q", path, log.String(), want)
		}
	}
	if _, err := Open(Options{File: filepath.Join(dir, "missing.o")}, nil); !errors.Is(err, ErrOpen) {
		t.Errorf("nil log: %v", err)
	}
}

func TestReplaceError(t *testing.T) {
	err := error(&ReplaceError{Reason: ReplaceReuseFailed, Index: 2, Err: syscall.EBADF})
	var re *ReplaceError
	if !errors.As(err, &re) || re.Index != 2 || !errors.Is(err, syscall.EBADF) {
		t.Errorf("%v does not unwrap", err)
	}
	if got := (&ReplaceError{Reason: ReplaceUnused, Index: 7}).Error(); got != "map idx '7' not used" {
		t.Errorf("unused: %q", got)
	}
}

func TestDirname(t *testing.T) {
	for in, want := range map[string]string{
		"/sys/fs/bpf/x": "/sys/fs/bpf", "/sys/fs/bpf/x/": "/sys/fs/bpf", "x": ".",
		"/x": "/", "//x": "/", "a//b": "a", "/": "/", "": ".",
	} {
		if got := kernel.Dirname(in); got != want {
			t.Errorf("dirname(%q) = %q, want %q", in, got, want)
		}
	}
}
