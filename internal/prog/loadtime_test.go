package prog_test

import (
	"fmt"
	"os"
	"os/exec"
	"testing"

	"github.com/gobpftool/gobpftool/internal/testprog"
)

// TestLoadedAtHonoursTZ: loaded_at is printed in the zone TZ names, as
// glibc reads it: POSIX TZ strings (which Go's time package takes for
// UTC), zone names, a leading colon, empty.
func TestLoadedAtHonoursTZ(t *testing.T) {
	testprog.Privileged(t)
	bpftool := testprog.NeedTool(t, "bpftool")
	coll := testprog.Load(t, "show")
	id := fmt.Sprint(testprog.ProgID(t, coll.Programs["show_xdp"]))
	for _, tz := range []string{
		"JST-9", "EST5EDT,M3.2.0,M11.1.0", "<+0330>-3:30", "UTC0",
		"Europe/Paris", ":Asia/Kolkata", "", "NZST-12NZDT,M9.5.0,M4.1.0/3",
		"/usr/share/zoneinfo/America/Sao_Paulo", "Not/AZone", "Local",
	} {
		t.Setenv("TZ", tz)
		cmd := exec.Command(bpftool, "prog", "show", "id", id)
		cmd.Env = append(os.Environ(), "TZ="+tz)
		want := runCmd(t, cmd)
		got := ours("prog", "show", "id", id)
		got.stdout = withoutPids(got.stdout)
		if got != want {
			t.Errorf("TZ=%q:\n got %q\nwant %q", tz, got.stdout, want.stdout)
		}
	}
}
