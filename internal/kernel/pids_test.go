package kernel_test

import (
	"os"
	"testing"

	"github.com/gobpftool/gobpftool/internal/kernel"
	"github.com/gobpftool/gobpftool/internal/testprog"
)

// TestHoldersIteratorMatchesProc: the BPF iterator and the /proc scan
// must name the same processes for a program held by this test and by a
// child that inherited its fd.
func TestHoldersIteratorMatchesProc(t *testing.T) {
	testprog.Privileged(t)
	coll := testprog.Load(t, "nogpl")
	p := coll.Programs["show_nogpl_xdp"]
	id := testprog.ProgID(t, p)
	testprog.HoldInChild(t, p.FD())

	before, _ := os.ReadDir("/proc/self/fd")
	holders, iterID := kernel.FindProgHolders(kernel.PrepareIterator(), nil)
	iter := holders[id]
	if iterID == 0 {
		t.Error("the iterator did not run")
	}
	proc := kernel.FindHolders(kernel.FDProg, nil)[id]
	after, _ := os.ReadDir("/proc/self/fd")
	if len(iter) != 2 || len(proc) != 2 {
		t.Fatalf("want 2 holders, iterator %v, /proc %v", iter, proc)
	}
	for i := range iter {
		if iter[i] != proc[i] {
			t.Errorf("holder %d: iterator %v, /proc %v", i, iter[i], proc[i])
		}
	}
	if iter[0].PID != os.Getpid() && iter[1].PID != os.Getpid() {
		t.Errorf("this process is not among %v", iter)
	}
	if len(after) != len(before) {
		t.Errorf("iterator leaked fds: %d before, %d after", len(before), len(after))
	}
}
