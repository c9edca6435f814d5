package prog_test

import (
	"encoding/json"
	"math/rand"
	"testing"

	"github.com/gobpftool/gobpftool/internal/testprog"
)

// TestRunOutputToFullDevice: bpftool's data_out to /dev/full fails in
// silence when the packet fits stdio's buffer (exit 0); ours reports it
// and counts it, as bpftool does for a larger write. stdout is bpftool's,
// and valid JSON.
func TestRunOutputToFullDevice(t *testing.T) {
	testprog.Privileged(t)
	ids := runProgIDs(t)
	pkt := runFile(t, "pkt", runPacket(rand.New(rand.NewSource(3)), 40))
	for _, opt := range []string{"", "-j"} {
		args := []string{"prog", "run", "id", ids["run_tc"], "data_in", pkt, "data_out", "/dev/full"}
		if opt != "" {
			args = append([]string{opt}, args...)
		}
		want := runMask(theirs(t, args...))
		raw := ours(args...)
		got := runMask(raw)
		msg := "failed to write output data/ctx: No space left on device"
		if opt == "" {
			want.stderr += "Error: " + msg + "\n"
		} else {
			// bpftool's p_err, had it failed, would write an
			// object where a name must come; ours is a member.
			want.stdout = `{"error":"` + msg + `",` + want.stdout[1:]
		}
		want.code = 255
		compare(t, args, want, got)
		if opt == "-j" && !json.Valid([]byte(raw.stdout)) {
			t.Errorf("%q: invalid JSON %q", args, raw.stdout)
		}
	}
}
