package prog_test

import (
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"

	"github.com/gobpftool/gobpftool/internal/kernel"
	"github.com/gobpftool/gobpftool/internal/testprog"
)

// attachCase is one attach type as the user may spell it, and the
// program of attach_progs.c that fits it.
type attachCase struct {
	spelling, prog string
	typ            uint32
}

var sockmapAttachCases = []attachCase{
	{"sk_msg_verdict", "attach_msg", kernel.AttachSKMsgVerdict},
	{"msg_verdict", "attach_msg", kernel.AttachSKMsgVerdict},
	{"m", "attach_msg", kernel.AttachSKMsgVerdict},
	{"sk_skb_stream_parser", "attach_parser", kernel.AttachSKSKBStreamParser},
	{"stream_parser", "attach_parser", kernel.AttachSKSKBStreamParser},
	{"stream_p", "attach_parser", kernel.AttachSKSKBStreamParser},
	{"s", "attach_parser", kernel.AttachSKSKBStreamParser}, // first in enum order
	{"", "attach_parser", kernel.AttachSKSKBStreamParser},
	{"sk_skb_stream_verdict", "attach_sverdict", kernel.AttachSKSKBStreamVerdict},
	{"stream_v", "attach_sverdict", kernel.AttachSKSKBStreamVerdict},
	{"sk_skb_verdict", "attach_verdict", kernel.AttachSKSKBVerdict},
	{"skb_verdict", "attach_verdict", kernel.AttachSKSKBVerdict},
	{"sk", "attach_verdict", kernel.AttachSKSKBVerdict},
}

// attachMap creates a sockmap or sockhash with a unique name, pinned in
// dir; it returns the map and its three handles.
func attachMap(t *testing.T, typ ebpf.MapType, dir string) (*ebpf.Map, [][]string) {
	t.Helper()
	name := fmt.Sprintf("gbt_%x", rand.Uint32())
	m, err := ebpf.NewMap(&ebpf.MapSpec{Name: name, Type: typ, KeySize: 4, ValueSize: 4, MaxEntries: 2})
	if err != nil {
		t.Fatalf("create %v: %v", typ, err)
	}
	t.Cleanup(func() { m.Close() })
	pin := filepath.Join(dir, name)
	if err := m.Pin(pin); err != nil {
		t.Fatal(err)
	}
	info, err := m.Info()
	if err != nil {
		t.Fatal(err)
	}
	id, _ := info.ID()
	return m, [][]string{{"id", fmt.Sprint(id)}, {"pinned", pin}, {"name", name}}
}

// attachedIDs is the kernel's own list of what is attached to target.
func attachedIDs(t *testing.T, target int, typ uint32) string {
	t.Helper()
	ids, err := kernel.ProgQuery(target, typ)
	if err != nil {
		t.Fatalf("BPF_PROG_QUERY: %v", err)
	}
	return fmt.Sprint(ids)
}

// TestAttachSockmap attaches and detaches every sockmap attach type by
// every spelling and map handle, to a sockmap and a sockhash, checking
// through BPF_PROG_QUERY and through bpftool, which detaches what we
// attached and the other way round.
func TestAttachSockmap(t *testing.T) {
	testprog.Privileged(t)
	testprog.NeedTool(t, "bpftool")
	coll := testprog.Load(t, "attach_progs")
	dir := testPinDir(t)
	before := testprog.OpenFDs(t)
	for _, mt := range []ebpf.MapType{ebpf.SockMap, ebpf.SockHash} {
		m, handles := attachMap(t, mt, dir)
		for i, ac := range sockmapAttachCases {
			p := coll.Programs[ac.prog]
			id := fmt.Sprint(testprog.ProgID(t, p))
			handle := handles[i%len(handles)]
			args := append([]string{"id", id, ac.spelling}, handle...)
			want := fmt.Sprintf("[%s]", id)

			// Ours attaches, bpftool detaches.
			got := ours(append([]string{"prog", "attach"}, args...)...)
			if got != (result{}) {
				t.Fatalf("attach %q: %+v", args, got)
			}
			if ids := attachedIDs(t, m.FD(), ac.typ); ids != want {
				t.Fatalf("attach %q: kernel has %s attached, want %s", args, ids, want)
			}
			if r := theirs(t, append([]string{"prog", "detach"}, args...)...); r != (result{}) {
				t.Fatalf("bpftool detach after our attach %q: %+v", args, r)
			}
			if ids := attachedIDs(t, m.FD(), ac.typ); ids != "[]" {
				t.Fatalf("bpftool detach %q left %s", args, ids)
			}
			// bpftool attaches, ours detaches, in JSON mode.
			if r := theirs(t, append([]string{"prog", "attach"}, args...)...); r != (result{}) {
				t.Fatalf("bpftool attach %q: %+v", args, r)
			}
			got = ours(append([]string{"-j", "prog", "detach"}, args...)...)
			if got != (result{stdout: "null\n"}) {
				t.Fatalf("detach %q: %+v", args, got)
			}
			if ids := attachedIDs(t, m.FD(), ac.typ); ids != "[]" {
				t.Fatalf("detach %q left %s", args, ids)
			}
			// Detaching again: nothing is attached.
			sameAsOracle(t, append([]string{"prog", "detach"}, args...)...)
			sameAsOracle(t, append([]string{"-p", "prog", "detach"}, args...)...)
		}
	}
	// The two maps stay open; nothing else.
	if leaked := before.Leaked(t); len(leaked) != 2 || !strings.Contains(leaked[0], "bpf-map") || !strings.Contains(leaked[1], "bpf-map") {
		t.Errorf("open after the attaches: %v, want the two maps", leaked)
	}
}

// TestAttachBadInput: argument errors exit 234 as bpftool's do, handle
// errors 255; nothing stays attached and no fd stays open.
func TestAttachBadInput(t *testing.T) {
	testprog.Privileged(t)
	coll := testprog.Load(t, "attach_progs")
	dir := testPinDir(t)
	sm, h := attachMap(t, ebpf.SockMap, dir)
	smID := h[0][1]
	arr, err := ebpf.NewMap(&ebpf.MapSpec{Type: ebpf.Array, KeySize: 4, ValueSize: 4, MaxEntries: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer arr.Close()
	arrInfo, _ := arr.Info()
	arrID, _ := arrInfo.ID()
	msg := fmt.Sprint(testprog.ProgID(t, coll.Programs["attach_msg"]))
	parser := fmt.Sprint(testprog.ProgID(t, coll.Programs["attach_parser"]))
	progPin := filepath.Join(dir, "msgprog")
	if err := coll.Programs["attach_msg"].Pin(progPin); err != nil {
		t.Fatal(err)
	}

	var cases [][]string
	for _, cmd := range []string{"attach", "detach", "att", "det"} {
		cases = append(cases,
			[]string{"prog", cmd},
			[]string{"prog", cmd, "id", msg},
			[]string{"-j", "prog", cmd, "id", msg},
			// No map where one is needed.
			[]string{"prog", cmd, "id", msg, "sk_msg_verdict"},
			[]string{"prog", cmd, "id", msg, "msg_verdict", "id"},
			[]string{"-j", "prog", cmd, "id", msg, "msg_verdict", "id"},
			// Attach types that do not exist (full names match exactly).
			[]string{"prog", cmd, "id", msg, "bogus", "id", smID},
			[]string{"prog", cmd, "id", msg, "sk_msg", "id", smID},
			[]string{"prog", cmd, "id", msg, "flow", "id", smID},
			[]string{"prog", cmd, "id", msg, "sk_msg_verdictx", "id", smID},
			[]string{"prog", cmd, "id", msg, "cgroup_inet_ingress", "id", smID},
			// Bad map handles.
			[]string{"prog", cmd, "id", msg, "msg_verdict", "bogus", "1"},
			[]string{"prog", cmd, "id", msg, "msg_verdict", "id", "abc"},
			[]string{"prog", cmd, "id", msg, "msg_verdict", "id", "4294967295"},
			[]string{"prog", cmd, "id", msg, "msg_verdict", "name", "no_such_map"},
			[]string{"prog", cmd, "id", msg, "msg_verdict", "name", "a_name_too_long_for_a_map"},
			[]string{"prog", cmd, "id", msg, "msg_verdict", "pinned", progPin},
			[]string{"prog", cmd, "id", msg, "msg_verdict", "pinned", "/etc/passwd"},
			[]string{"-j", "prog", cmd, "id", msg, "msg_verdict", "pinned", "/etc/passwd"},
			// Bad program handles.
			[]string{"prog", cmd, "id", "4294967295", "msg_verdict", "id", smID},
			[]string{"prog", cmd, "name", "no_such_prog", "msg_verdict", "id", smID},
			[]string{"prog", cmd, "bogus", msg, "msg_verdict", "id", smID},
			// A map of the wrong type; a program of the wrong type.
			[]string{"prog", cmd, "id", msg, "msg_verdict", "id", fmt.Sprint(arrID)},
			[]string{"-j", "prog", cmd, "id", msg, "msg_verdict", "id", fmt.Sprint(arrID)},
			[]string{"prog", cmd, "id", parser, "msg_verdict", "id", smID},
			[]string{"prog", cmd, "id", msg, "stream_parser", "id", smID},
		)
		if cmd[0] == 'd' {
			// Detach of what is not attached.
			cases = append(cases, []string{"prog", cmd, "pinned", progPin, "msg_verdict", "pinned", h[1][1]})
		}
	}
	before := testprog.OpenFDs(t)
	for _, args := range cases {
		sameAsOracle(t, args...)
	}
	if leaked := before.Leaked(t); len(leaked) > 0 {
		t.Errorf("leaked %v", leaked)
	}
	for _, typ := range []uint32{kernel.AttachSKMsgVerdict, kernel.AttachSKSKBStreamParser,
		kernel.AttachSKSKBStreamVerdict, kernel.AttachSKSKBVerdict} {
		if ids := attachedIDs(t, sm.FD(), typ); ids != "[]" {
			t.Errorf("attach type %d: %s left attached", typ, ids)
		}
	}
}

// attachNetns creates a network namespace for the test with ip(8), so
// that bpftool can run in it through `ip netns exec`; it returns its
// name and an fd of it.
func attachNetns(t *testing.T) (string, int) {
	t.Helper()
	ip := testprog.NeedTool(t, "ip")
	name := fmt.Sprintf("gobpftool-attach-%d-%x", os.Getpid(), rand.Uint32())
	if b, err := exec.Command(ip, "netns", "add", name).CombinedOutput(); err != nil {
		t.Fatalf("ip netns add: %v: %s", err, b)
	}
	t.Cleanup(func() { exec.Command(ip, "netns", "del", name).Run() })
	fd, err := unix.Open("/run/netns/"+name, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	return name, fd
}

// inNetns runs fn on this goroutine's thread switched into the network
// namespace ns, where in-process commands make their bpf(2) calls.
func inNetns(t *testing.T, ns int, fn func()) {
	t.Helper()
	runtime.LockOSThread()
	orig, err := unix.Open(fmt.Sprintf("/proc/self/task/%d/ns/net", unix.Gettid()), unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		runtime.UnlockOSThread()
		t.Fatal(err)
	}
	if err := unix.Setns(ns, unix.CLONE_NEWNET); err != nil {
		unix.Close(orig)
		runtime.UnlockOSThread()
		t.Fatal(err)
	}
	defer func() {
		// A thread that cannot go back must not serve other
		// goroutines: leave it locked, and Go ends it with us.
		if unix.Setns(orig, unix.CLONE_NEWNET) == nil {
			runtime.UnlockOSThread()
		}
		unix.Close(orig)
	}()
	fn()
}

// theirsInNetns runs bpftool inside the named network namespace.
func theirsInNetns(t *testing.T, ns string, args ...string) result {
	t.Helper()
	bin := testprog.NeedTool(t, "bpftool")
	return runCmd(t, exec.Command("ip", append([]string{"netns", "exec", ns, bin}, args...)...))
}

// TestAttachFlowDissector attaches a flow dissector to a network
// namespace made for the test, in-process, and checks it through
// BPF_PROG_QUERY on the namespace and through bpftool in it.
func TestAttachFlowDissector(t *testing.T) {
	testprog.Privileged(t)
	testprog.NeedTool(t, "bpftool")
	coll := testprog.Load(t, "attach_progs")
	flow := fmt.Sprint(testprog.ProgID(t, coll.Programs["attach_flow"]))
	msg := fmt.Sprint(testprog.ProgID(t, coll.Programs["attach_msg"]))
	name, ns := attachNetns(t)
	before := testprog.OpenFDs(t)

	inNetns(t, ns, func() {
		if got := ours("prog", "attach", "id", flow, "flow_dissector"); got != (result{}) {
			t.Fatalf("attach: %+v", got)
		}
	})
	if ids := attachedIDs(t, ns, kernel.AttachFlowDissector); ids != "["+flow+"]" {
		t.Fatalf("netns has %s attached, want [%s]", ids, flow)
	}
	view := theirsInNetns(t, name, "-j", "net", "show")
	// (bpftool 7.1 prints the id without its object braces.)
	if !strings.Contains(view.stdout, `"flow_dissector":["id":`+flow+`]`) {
		t.Errorf("bpftool net show in the netns: %+v", view)
	}
	// Errors while attached: a second attach, a wrong program, an
	// extra map argument (ignored by bpftool).
	for _, args := range [][]string{
		{"prog", "attach", "id", flow, "flow_dissector"},
		{"prog", "attach", "id", msg, "flow_dissector"},
		{"prog", "detach", "id", msg, "flow_dissector"},
		{"-j", "prog", "detach", "id", msg, "flow_dissector", "id", "1"},
	} {
		want := theirsInNetns(t, name, args...)
		var got result
		inNetns(t, ns, func() { got = ours(args...) })
		compare(t, args, want, got)
	}
	if ids := attachedIDs(t, ns, kernel.AttachFlowDissector); ids != "["+flow+"]" {
		t.Fatalf("after the errors the netns has %s, want [%s]", ids, flow)
	}
	inNetns(t, ns, func() {
		if got := ours("-j", "prog", "detach", "id", flow, "flow_dissector"); got != (result{stdout: "null\n"}) {
			t.Fatalf("detach: %+v", got)
		}
	})
	if ids := attachedIDs(t, ns, kernel.AttachFlowDissector); ids != "[]" {
		t.Fatalf("detach left %s", ids)
	}
	// Detach of what is not attached, both tools.
	args := []string{"prog", "detach", "id", flow, "flow_dissector"}
	want := theirsInNetns(t, name, args...)
	var got result
	inNetns(t, ns, func() { got = ours(args...) })
	compare(t, args, want, got)
	// bpftool attaches, we see it and detach it.
	if r := theirsInNetns(t, name, "prog", "attach", "id", flow, "flow_dissector"); r != (result{}) {
		t.Fatalf("bpftool attach: %+v", r)
	}
	inNetns(t, ns, func() { got = ours("prog", "detach", "id", flow, "flow_dissector") })
	if got != (result{}) {
		t.Errorf("detach of bpftool's attach: %+v", got)
	}
	if ids := attachedIDs(t, ns, kernel.AttachFlowDissector); ids != "[]" {
		t.Fatalf("detach left %s", ids)
	}
	if leaked := before.Leaked(t); len(leaked) > 0 {
		t.Errorf("leaked %v", leaked)
	}
}
