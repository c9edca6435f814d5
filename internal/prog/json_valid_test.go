package prog_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/gobpftool/gobpftool/internal/jsonw"
	"github.com/gobpftool/gobpftool/internal/kernel"
	"github.com/gobpftool/gobpftool/internal/testprog"
)

// TestJSONAlwaysValid runs every JSON output on a program whose source
// lines hold backslashes, quotes and a tab, pinned at paths with a
// backslash and a control character. bpftool writes a backslash as \n and
// control characters raw; ours must parse, decode to the true strings, and
// be bpftool's bytes wherever bpftool's JSON is valid.
func TestJSONAlwaysValid(t *testing.T) {
	testprog.Privileged(t)
	coll := testprog.Load(t, "json_escape")
	id := fmt.Sprint(testprog.ProgID(t, coll.Programs["json_escape"]))
	dir := testPinDir(t)
	pins := []string{dir + "/ctl\x01x", dir + `/back\slash`, dir + "/tab\tnl\n"}
	for _, p := range pins {
		if err := kernel.ObjPin(coll.Programs["json_escape"].FD(), p); err != nil {
			t.Fatal(err)
		}
	}
	cmds := [][]string{
		{"-f", "prog", "show", "id", id},
		{"prog", "dump", "xlated", "id", id},
		{"prog", "dump", "xlated", "id", id, "linum"},
		{"prog", "dump", "xlated", "id", id, "opcodes"},
		{"prog", "dump", "jited", "id", id}, // bpftool: no libbfd
		{"prog", "show", "pinned", dir + "/nonexistent\x01\\"},
		{"batch", "file", "-"},
	}
	stdin := "prog show pinned " + pins[0] + "\nprog show pinned " + pins[1] + "\n"
	for _, cmd := range cmds {
		for _, mode := range []string{"-j", "-p"} {
			args := append([]string{mode}, cmd...)
			got := oursStdin(stdin, args...)
			if !json.Valid([]byte(got.stdout)) {
				t.Errorf("%q: invalid JSON:\n%s", args, got.stdout)
				continue
			}
			if cmd[1] == "dump" && cmd[2] == "jited" {
				continue
			}
			// Written back with the oracle's escapes, ours is its bytes.
			want := theirsStdin(t, stdin, args...)
			// p_err writes its message raw, between quotes.
			raw := strings.Contains(got.stdout, `"error"`)
			if o := jsonw.OracleEscapes(withoutPids(got.stdout), raw); o != want.stdout {
				t.Errorf("%q: with bpftool's escapes, ours differs:\n got %q\nwant %q", args, o, want.stdout)
			}
		}
	}

	// The decoded strings are the true ones: the pin paths and the line.
	var show struct {
		Pinned []string `json:"pinned"`
	}
	out := ours("-j", "-f", "prog", "show", "id", id).stdout
	if err := json.Unmarshal([]byte(out), &show); err != nil {
		t.Fatal(err)
	}
	if strings.Join(show.Pinned, "|") != strings.Join(pins, "|") {
		t.Errorf("pinned %q, want %q", show.Pinned, pins)
	}
	var insns []struct {
		Src string `json:"src"`
	}
	out = ours("-j", "prog", "dump", "xlated", "id", id).stdout
	if err := json.Unmarshal([]byte(out), &insns); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, in := range insns {
		found = found || strings.Contains(in.Src, `bpf_printk("a\\b \"q\"	%d\n"`)
	}
	if !found {
		t.Errorf("no source line with the printk as written in %s", out)
	}
}
