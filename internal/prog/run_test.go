package prog_test

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gobpftool/gobpftool/internal/testprog"
)

// runDurations masks what two runs of one program cannot share: the
// kernel's timing of each run.
var runDurations = regexp.MustCompile(`(duration(?: \(average\))?: |"duration": ?)\d+`)

func runMask(r result) result {
	r.stdout = runDurations.ReplaceAllString(r.stdout, "${1}N")
	return r
}

// runBoth runs bpftool and gobpftool on the same arguments and stdin and
// requires the same bytes, durations aside; it returns ours.
func runBoth(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	want := runMask(theirsStdin(t, stdin, args...))
	want.stdout = errorMembers(want.stdout)
	got := oursStdin(stdin, args...)
	compare(t, args, want, runMask(got))
	return got
}

var errorObject = regexp.MustCompile(`\{"error":("(?:[^"\\]|\\.)*")\}`)

// errorMembers rewrites bpftool's JSON for an error met once prog run's
// object is open: bpftool writes {"error":...} where a name must come
// (invalid JSON), ours is an "error" member (docs/COMPAT-NOTES.md).
func errorMembers(s string) string {
	if !strings.HasPrefix(s, "{") || strings.HasPrefix(s, `{"error":`) {
		return s
	}
	return errorObject.ReplaceAllString(s, `"error":$1`)
}

// runProgIDs loads the run_progs programs and returns their ids by name.
func runProgIDs(t *testing.T) map[string]string {
	t.Helper()
	coll := testprog.Load(t, "run_progs")
	ids := map[string]string{}
	for name, p := range coll.Programs {
		ids[name] = fmt.Sprint(testprog.ProgID(t, p))
	}
	return ids
}

// runFile writes b to a file of the test's temporary directory.
func runFile(t *testing.T, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// runPacket is an Ethernet/IPv4 frame of n bytes with random contents
// after the EtherType, so that the hex dump shows every kind of byte.
func runPacket(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	rng.Read(b)
	if n >= 14 {
		b[12], b[13] = 0x08, 0x00
	}
	return b
}

// runRetval reads "Return value: N" from plain output.
func runRetval(t *testing.T, r result) uint32 {
	t.Helper()
	var v uint32
	i := strings.LastIndex(r.stdout, "Return value: ")
	if i < 0 {
		t.Fatalf("no return value in %q (stderr %q)", r.stdout, r.stderr)
	}
	fmt.Sscanf(r.stdout[i:], "Return value: %d,", &v)
	return v
}

// runJSON decodes the JSON form of a run.
func runJSON(t *testing.T, r result) (out struct {
	DataOut  []byte `json:"-"`
	CtxOut   []byte `json:"-"`
	Retval   uint32 `json:"retval"`
	Duration uint32 `json:"duration"`
}) {
	t.Helper()
	var raw struct {
		DataOut  []int  `json:"data_out"`
		CtxOut   []int  `json:"ctx_out"`
		Retval   uint32 `json:"retval"`
		Duration uint32 `json:"duration"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &raw); err != nil {
		t.Fatalf("bad JSON %q: %v", r.stdout, err)
	}
	conv := func(v []int) []byte {
		if v == nil {
			return nil
		}
		b := make([]byte, len(v))
		for i, x := range v {
			b[i] = byte(x)
		}
		return b
	}
	out.DataOut, out.CtxOut = conv(raw.DataOut), conv(raw.CtxOut)
	out.Retval, out.Duration = raw.Retval, raw.Duration
	return out
}

// TestRunXDP: the XDP program swaps the Ethernet addresses and returns
// XDP_TX; every output form is bpftool's.
func TestRunXDP(t *testing.T) {
	testprog.Privileged(t)
	ids := runProgIDs(t)
	id := ids["run_xdp"]
	rng := rand.New(rand.NewSource(1))
	for _, n := range []int{14, 15, 16, 17, 31, 32, 33, 64, 100} {
		pkt := runPacket(rng, n)
		in := runFile(t, "pkt", pkt)
		want := append([]byte(nil), pkt...)
		copy(want[0:6], pkt[6:12])
		copy(want[6:12], pkt[0:6])

		got := runBoth(t, "", "prog", "run", "id", id, "data_in", in, "data_out", "-")
		if rv := runRetval(t, got); rv != 3 {
			t.Errorf("%d bytes: retval %d, want 3 (XDP_TX)", n, rv)
		}
		j := runJSON(t, runBoth(t, "", "-j", "prog", "run", "id", id, "data_in", in, "data_out", "-"))
		if j.Retval != 3 || !bytes.Equal(j.DataOut, want) {
			t.Errorf("%d bytes: JSON retval %d data %x, want 3 %x", n, j.Retval, j.DataOut, want)
		}
		runBoth(t, "", "-p", "prog", "run", "id", id, "data_in", in, "data_out", "-")

		// A file gets the raw bytes; both tools write the same.
		outOurs := filepath.Join(t.TempDir(), "ours")
		outTheirs := filepath.Join(t.TempDir(), "theirs")
		want2 := runMask(theirs(t, "prog", "run", "id", id, "data_in", in, "data_out", outTheirs))
		got2 := runMask(ours("prog", "run", "id", id, "data_in", in, "data_out", outOurs))
		compare(t, []string{"data_out", "FILE"}, want2, got2)
		a, _ := os.ReadFile(outOurs)
		b, _ := os.ReadFile(outTheirs)
		if !bytes.Equal(a, want) || !bytes.Equal(b, want) {
			t.Errorf("%d bytes: data_out file %x (bpftool %x), want %x", n, a, b, want)
		}
	}
	// An even number of runs swaps back; the average is announced.
	pkt := runPacket(rng, 60)
	in := runFile(t, "pkt", pkt)
	got := runBoth(t, "", "prog", "run", "id", id, "data_i", in, "data_o", "-", "rep", "4")
	if !strings.Contains(got.stdout, "duration (average): ") {
		t.Errorf("repeat 4 without an average: %q", got.stdout)
	}
	// Abbreviated keywords, sizes by strtoul, repeat 0 (one run).
	runBoth(t, "", "prog", "run", "id", id, "data_i", in, "data_out", "-", "data_s", "0x40", "repeat", "0")
	runBoth(t, "", "prog", "run", "id", id, "data_in", in, "data_out", "-", "data_size_out", "060")
	// repeat is a 32-bit count: 2^32+1 is one run.
	runBoth(t, "", "prog", "run", "id", id, "data_in", in, "repeat", "4294967297")
	// Standard input for the data and standard output for the result.
	runBoth(t, string(pkt), "prog", "run", "id", id, "data_in", "-", "data_out", "-")
	runBoth(t, string(pkt), "-j", "prog", "run", "id", id, "data_in", "-", "data_out", "-")
}

// skbCtx is a struct __sk_buff (192 bytes) with a mark.
func skbCtx(mark uint32) []byte {
	b := make([]byte, 192)
	binary.LittleEndian.PutUint32(b[8:], mark)
	return b
}

// skLookupCtx is a struct bpf_sk_lookup for a TCP/IPv4 connection to
// local port lport.
func skLookupCtx(lport uint32) []byte {
	b := make([]byte, 72)
	binary.LittleEndian.PutUint32(b[8:], 2)      // family AF_INET
	binary.LittleEndian.PutUint32(b[12:], 6)     // protocol TCP
	copy(b[16:], []byte{10, 0, 0, 1})            // remote_ip4
	binary.BigEndian.PutUint16(b[36:], 40000)    // remote_port
	copy(b[40:], []byte{10, 0, 0, 2})            // local_ip4
	binary.LittleEndian.PutUint32(b[60:], lport) // local_port
	return b
}

// TestRunTypes runs a program of every type the kernel can test-run, on
// data and contexts built here, and checks what each must compute.
func TestRunTypes(t *testing.T) {
	testprog.Privileged(t)
	ids := runProgIDs(t)
	rng := rand.New(rand.NewSource(2))

	t.Run("sched_cls", func(t *testing.T) {
		pkt := runPacket(rng, 50)
		in, ctx := runFile(t, "pkt", pkt), runFile(t, "ctx", skbCtx(5))
		args := []string{"-j", "prog", "run", "id", ids["run_tc"], "data_in", in, "data_out", "-", "ctx_in", ctx, "ctx_out", "-"}
		j := runJSON(t, runBoth(t, "", args...))
		want := append([]byte(nil), pkt...)
		want[14] ^= 0xff
		if j.Retval != 50+6 || !bytes.Equal(j.DataOut, want) {
			t.Errorf("retval %d data %x, want 56 %x", j.Retval, j.DataOut, want)
		}
		if len(j.CtxOut) != 192 || binary.LittleEndian.Uint32(j.CtxOut[8:]) != 6 || binary.LittleEndian.Uint32(j.CtxOut[48:]) != 50 {
			t.Errorf("ctx_out %x: want mark 6 and cb[0] 50", j.CtxOut)
		}
		runBoth(t, "", args[1:]...)
		runBoth(t, "", append([]string{"-p"}, args[1:]...)...)
		// Context from standard input.
		runBoth(t, string(skbCtx(9)), "prog", "run", "id", ids["run_tc"], "data_in", in, "ctx_in", "-", "ctx_out", "-", "ctx_size_out", "192")
	})
	t.Run("socket_filter", func(t *testing.T) {
		// skb->len counts from the network header: the test run pulls
		// the Ethernet header of every type but tc's, and wants an
		// IPv4 header after it.
		for _, n := range []int{34, 47, 64} {
			pkt := runPacket(rng, n)
			in := runFile(t, "pkt", pkt)
			got := runBoth(t, "", "prog", "run", "id", ids["run_socket"], "data_in", in, "data_out", "-")
			if rv := runRetval(t, got); rv != uint32(2*(n-14)) {
				t.Errorf("%d bytes: retval %d, want %d", n, rv, 2*(n-14))
			}
		}
	})
	t.Run("flow_dissector", func(t *testing.T) {
		in := runFile(t, "pkt", runPacket(rng, 54))
		j := runJSON(t, runBoth(t, "", "-j", "prog", "run", "id", ids["run_flow"], "data_in", in, "data_out", "-"))
		// struct bpf_flow_keys: nhoff, thoff, ..., ip_proto, n_proto,
		// sport, dport.
		k := j.DataOut
		if j.Retval != 0 || len(k) != 56 {
			t.Fatalf("retval %d, %d bytes of flow keys", j.Retval, len(k))
		}
		if nh, th := binary.LittleEndian.Uint16(k[0:]), binary.LittleEndian.Uint16(k[2:]); nh != 14 || th != 34 {
			t.Errorf("nhoff %d thoff %d, want 14 34", nh, th)
		}
		if k[9] != 17 || binary.BigEndian.Uint16(k[10:]) != 0x0800 ||
			binary.LittleEndian.Uint16(k[12:]) != 0x1234 || binary.LittleEndian.Uint16(k[14:]) != 0x5678 {
			t.Errorf("flow keys %x", k)
		}
		runBoth(t, "", "prog", "run", "id", ids["run_flow"], "data_in", in, "data_out", "-")
	})
	t.Run("cgroup_skb", func(t *testing.T) {
		for n, want := range map[int]uint32{34: 0, 35: 1} {
			in := runFile(t, "pkt", runPacket(rng, n))
			if rv := runRetval(t, runBoth(t, "", "prog", "run", "id", ids["run_cgskb"], "data_in", in)); rv != want {
				t.Errorf("%d bytes: retval %d, want %d", n, rv, want)
			}
		}
	})
	t.Run("lwt_in", func(t *testing.T) {
		for n, want := range map[int]uint32{54: 0, 55: 2} {
			in := runFile(t, "pkt", runPacket(rng, n))
			if rv := runRetval(t, runBoth(t, "", "prog", "run", "id", ids["run_lwt"], "data_in", in, "data_out", "-")); rv != want {
				t.Errorf("%d bytes: retval %d, want %d", n, rv, want)
			}
		}
	})
	t.Run("sk_lookup", func(t *testing.T) {
		for port, want := range map[uint32]uint32{80: 1, 81: 0} {
			ctx := runFile(t, "ctx", skLookupCtx(port))
			j := runJSON(t, runBoth(t, "", "-j", "prog", "run", "id", ids["run_sklookup"], "ctx_in", ctx, "ctx_out", "-"))
			if j.Retval != want || !bytes.Equal(j.CtxOut, skLookupCtx(port)) {
				t.Errorf("port %d: retval %d ctx %x, want %d and the context unchanged", port, j.Retval, j.CtxOut, want)
			}
			runBoth(t, "", "prog", "run", "id", ids["run_sklookup"], "ctx_in", ctx, "ctx_out", "-")
		}
	})
	// raw_tp and syscall programs take no repeat and no output context:
	// bpftool can run them only as `repeat 0` without a context.
	t.Run("raw_tracepoint", func(t *testing.T) {
		if rv := runRetval(t, runBoth(t, "", "prog", "run", "id", ids["run_rawtp"], "repeat", "0")); rv != 42 {
			t.Errorf("retval %d, want 42", rv)
		}
		runBoth(t, "", "prog", "run", "id", ids["run_rawtp"], "repeat", "1")
		ctx := make([]byte, 16)
		runBoth(t, "", "prog", "run", "id", ids["run_rawtp_args"], "ctx_in", runFile(t, "ctx", ctx), "repeat", "0")
	})
	t.Run("syscall", func(t *testing.T) {
		if rv := runRetval(t, runBoth(t, "", "prog", "run", "id", ids["run_syscall"], "repeat", "0")); rv != 7 {
			t.Errorf("retval %d, want 7", rv)
		}
		runBoth(t, "", "-j", "prog", "run", "id", ids["run_syscall"], "repeat", "0")
		runBoth(t, "", "prog", "run", "id", ids["run_syscall"], "ctx_in", runFile(t, "ctx", make([]byte, 8)))
	})
}

// TestRunBadInput: each mistake gets bpftool's message and exit status
// and leaves no fd open.
func TestRunBadInput(t *testing.T) {
	testprog.Privileged(t)
	ids := runProgIDs(t)
	xdp, tc := ids["run_xdp"], ids["run_tc"]
	pkt := runFile(t, "pkt", runPacket(rand.New(rand.NewSource(3)), 40))
	empty := runFile(t, "empty", nil)
	unreadable := runFile(t, "unreadable", []byte("x"))
	os.Chmod(unreadable, 0)
	ctx := runFile(t, "ctx", skbCtx(1))
	dir := t.TempDir()

	cases := []struct {
		stdin string
		args  []string
	}{
		// data_in missing, unreadable, a directory, empty.
		{"", []string{"prog", "run", "id", xdp}},
		{"", []string{"prog", "run", "id", xdp, "data_in"}},
		{"", []string{"prog", "ru", "id", xdp, "repeat"}},
		{"", []string{"prog", "run", "id", xdp, "repeat", "1", "data_in"}},
		{"", []string{"prog", "run", "id", xdp, "data_in", filepath.Join(dir, "missing")}},
		{"", []string{"prog", "run", "id", xdp, "data_in", ""}},
		{"", []string{"prog", "run", "id", xdp, "data_in", dir}},
		{"", []string{"prog", "run", "id", xdp, "data_in", unreadable}},
		{"", []string{"prog", "run", "id", xdp, "data_in", empty}},
		{"", []string{"prog", "run", "id", xdp, "repeat", "1"}},
		{"", []string{"prog", "run", "id", tc, "data_in", pkt, "ctx_in", filepath.Join(dir, "missing")}},
		// Standard input asked for twice.
		{"abc", []string{"prog", "run", "id", xdp, "data_in", "-", "ctx_in", "-"}},
		{"abc", []string{"prog", "run", "id", xdp, "ctx_in", "-", "data_in", "-"}},
		{"abc", []string{"-j", "prog", "run", "id", xdp, "data_in", "-", "ctx_in", "-"}},
		// Sizes and counts that are not numbers.
		{"", []string{"prog", "run", "id", xdp, "data_in", pkt, "data_size_out", "1k"}},
		{"", []string{"prog", "run", "id", xdp, "data_in", pkt, "data_size_out", "0x"}},
		{"", []string{"prog", "run", "id", xdp, "data_in", pkt, "data_size_out", "-"}},
		{"", []string{"prog", "run", "id", xdp, "data_in", pkt, "ctx_size_out", "x"}},
		{"", []string{"prog", "run", "id", xdp, "data_in", pkt, "repeat", "many"}},
		{"", []string{"prog", "run", "id", xdp, "data_in", pkt, "repeat", "1.5"}},
		{"", []string{"prog", "run", "id", xdp, "data_in", pkt, "repeat", ""}},
		// An output buffer too small for the packet.
		{"", []string{"prog", "run", "id", xdp, "data_in", pkt, "data_size_out", "10"}},
		{"", []string{"-j", "prog", "run", "id", xdp, "data_in", pkt, "data_size_out", "10"}},
		// Ambiguous and unknown keywords.
		{"", []string{"prog", "run", "id", xdp, "data", pkt}},
		{"", []string{"prog", "run", "id", xdp, "data_", pkt}},
		{"", []string{"prog", "run", "id", xdp, "ctx", pkt}},
		{"", []string{"prog", "run", "id", xdp, "", pkt}},
		{"", []string{"prog", "run", "id", xdp, "data_in", pkt, "bogus"}},
		{"", []string{"-j", "prog", "run", "id", xdp, "data_in", pkt, "bogus"}},
		// Bad program handles.
		{"", []string{"prog", "run", "id", "4294967295", "data_in", pkt}},
		{"", []string{"prog", "run", "name", "no_such_prog", "data_in", pkt}},
		{"", []string{"prog", "run", "pinned", "/etc/passwd", "data_in", pkt}},
		{"", []string{"prog", "run", "bogus", "1", "data_in", pkt}},
		// Program types that cannot be test-run, and a refused context.
		{"", []string{"prog", "run", "id", ids["run_tracepoint"], "data_in", pkt}},
		{"", []string{"prog", "run", "id", ids["run_rawtp"], "data_in", pkt}},
		{"", []string{"prog", "run", "id", ids["run_sklookup"], "data_in", pkt}},
		{"", []string{"prog", "run", "id", tc, "data_in", pkt, "ctx_in", empty, "ctx_out", "-"}},
		// Outputs that cannot be written: the run is still reported,
		// and each failure counts.
		{"", []string{"prog", "run", "id", tc, "data_in", pkt, "data_out", filepath.Join(dir, "no", "x")}},
		{"", []string{"prog", "run", "id", tc, "data_in", pkt, "data_out", filepath.Join(dir, "no", "x"), "ctx_in", ctx, "ctx_out", filepath.Join(dir, "no", "y")}},
		{"", []string{"-j", "prog", "run", "id", tc, "data_in", pkt, "data_out", filepath.Join(dir, "no", "x"), "ctx_in", ctx, "ctx_out", "-"}},
	}
	before := testprog.OpenFDs(t)
	for _, c := range cases {
		runBoth(t, c.stdin, c.args...)
	}
	if leaked := before.Leaked(t); len(leaked) > 0 {
		t.Errorf("leaked %v", leaked)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("files left behind: %v", ents)
	}
}

// TestRunHexDump: the hex dump of every byte value and of each length
// around a row's end, against bpftool's on the same socket filter
// output (the filter returns its packet unchanged).
func TestRunHexDump(t *testing.T) {
	testprog.Privileged(t)
	ids := runProgIDs(t)
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	for _, n := range []int{34, 255, 256} {
		pkt := append([]byte(nil), all[:n]...)
		copy(pkt[12:], []byte{8, 0, 0x45})
		in := runFile(t, "pkt", pkt)
		runBoth(t, "", "prog", "run", "id", ids["run_socket"], "data_in", in, "data_out", "-")
	}
}
