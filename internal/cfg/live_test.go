package cfg

import (
	"bytes"
	"encoding/json"
	"flag"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/gobpftool/gobpftool/internal/kallsyms"
	"github.com/gobpftool/gobpftool/internal/xlated"
)

var live = flag.Bool("live", false, "compare with bpftool on every program loaded on this machine (root)")

// TestLive diffs our graph against the oracle's on whatever programs the
// machine holds, taking each image from bpftool's own "file" dump.
func TestLive(t *testing.T) {
	if !*live {
		t.Skip("runs only with -live")
	}
	out, err := exec.Command("bpftool", "-j", "prog", "list").Output()
	if err != nil {
		t.Fatal(err)
	}
	var progs []struct{ ID int }
	if err := json.Unmarshal(out, &progs); err != nil {
		t.Fatal(err)
	}
	syms, err := kallsyms.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range progs {
		id := strconv.Itoa(p.ID)
		file := filepath.Join(t.TempDir(), id)
		if exec.Command("bpftool", "prog", "dump", "xlated", "id", id, "file", file).Run() != nil {
			continue // gone meanwhile
		}
		want, err := exec.Command("bpftool", "prog", "dump", "xlated", "id", id, "visual").Output()
		if err != nil {
			continue
		}
		var got bytes.Buffer
		if err := WriteDOT(&got, mustRead(t, file), syms, xlated.DialectLinux61); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want) {
			t.Errorf("prog %s:\n%s", id, firstDiff(want, got.Bytes()))
		}
	}
	t.Logf("checked %d programs", len(progs))
}
