package xlated

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"os/exec"
	"strconv"
	"testing"

	"github.com/cilium/ebpf/btf"
	"golang.org/x/sys/unix"

	"github.com/gobpftool/gobpftool/internal/kallsyms"
	"github.com/gobpftool/gobpftool/internal/kernel"
)

var live = flag.Bool("live", false, "compare with bpftool on every program loaded on this machine (root)")

// TestLive diffs our dumps against the oracle on whatever programs the
// machine holds: real-world code nobody wrote for these tests. Programs
// that vanish mid-run are skipped.
func TestLive(t *testing.T) {
	if !*live {
		t.Skip("runs only with -live")
	}
	if os.Geteuid() != 0 {
		t.Fatal("-live needs root")
	}
	syms, err := kallsyms.Load()
	if err != nil {
		t.Fatal(err)
	}
	var id uint32
	checked := 0
	for {
		next, err := kernel.ProgGetNextID(id)
		if err != nil {
			if errors.Is(err, unix.ENOENT) {
				break
			}
			t.Fatal(err)
		}
		id = next
		fd, err := kernel.ProgFDByID(id)
		if err != nil {
			continue
		}
		checkLive(t, fd, id, syms)
		kernel.Close(fd)
		checked++
	}
	t.Logf("checked %d programs", checked)
}

func checkLive(t *testing.T, fd int, id uint32, syms *kallsyms.Table) {
	p, info := programFromKernel(t, fd)
	if info.BTFID != 0 {
		raw, err := kernel.BTFRaw(info.BTFID)
		if err != nil {
			t.Errorf("prog %d: btf: %v", id, err)
			return
		}
		spec, err := btf.LoadSpecFromReader(bytes.NewReader(raw))
		if err != nil {
			t.Errorf("prog %d: btf: %v", id, err)
			return
		}
		p.BTF = spec
	}
	c := goldenCase{prog: p, syms: syms}
	for _, v := range variants {
		args := append(append(append([]string{}, v.pre...), "prog", "dump", "xlated", "id", strconv.Itoa(int(id))), v.post...)
		want, err := exec.Command("bpftool", args...).Output()
		if err != nil {
			continue // gone meanwhile
		}
		if v.file == "visual.dot" {
			continue // internal/cfg is checked on the golden files
		}
		got := c.render(v.file, DialectLinux61)
		if !bytes.Equal(got, want) {
			t.Errorf("prog %d %v:\n%s", id, args, lineDiff(want, got))
		}
	}
}
