package kernel_test

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"

	"github.com/gobpftool/gobpftool/internal/kernel"
	"github.com/gobpftool/gobpftool/internal/testprog"
)

// atDepth calls fn with about depth frames of stack below it, on a new
// goroutine, whose stack starts small: at some depth the stack must grow
// right inside fn's bpf(2) calls, between the buffers' addresses being
// taken and the kernel writing to them.
func atDepth(depth int, fn func()) {
	var pad [64]byte
	if depth > 0 {
		atDepth(depth-1, fn)
		pad[depth%64]++
		return
	}
	fn()
}

// TestInfoWhileStacksMove: the info of a program, read into buffers that
// are local variables, comes back whole whatever the depth of the call,
// and every pin is found by walks whose stacks the collector shrinks
// between calls. Addresses inside bpf(2) attributes were once plain
// numbers: a stack that moved before the call left the kernel writing to
// the old stack, and the program's info read as zeros (a pin missing from
// one 10,000-pin listing in five). The walks under collections are what
// caught it (1,999 of 2,000 pins found, every time); the calls at
// varying depths never did.
func TestInfoWhileStacksMove(t *testing.T) {
	testprog.Privileged(t)
	prog, err := ebpf.NewProgram(&ebpf.ProgramSpec{
		Type:         ebpf.SocketFilter,
		License:      "GPL",
		Instructions: asm.Instructions{asm.Mov.Imm(asm.R0, 0), asm.Return()},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer prog.Close()
	want := testprog.ProgID(t, prog)
	dir, err := os.MkdirTemp("/sys/fs/bpf", "gobpftool_stack_")
	if err != nil {
		t.Skip("no bpffs at /sys/fs/bpf")
	}
	defer os.RemoveAll(dir)
	pin := filepath.Join(dir, "p")
	if err := prog.Pin(pin); err != nil {
		t.Fatal(err)
	}

	var mu sync.Mutex
	bad := map[string]int{}
	var wg sync.WaitGroup
	for depth := 0; depth < 400; depth++ {
		wg.Add(1)
		go atDepth(depth, func() {
			defer wg.Done()
			pi, err := kernel.GetProgInfo(prog.FD())
			mu.Lock()
			defer mu.Unlock()
			if err != nil || pi.ID != uint32(want) {
				bad["GetProgInfo"]++
			}
			if _, btfID, _ := kernel.FirstFuncInfo(prog.FD(), 8); btfID != 0 {
				bad["FirstFuncInfo"]++ // a program without BTF
			}
		})
	}
	wg.Wait()
	// The walk's goroutine, its stack shrunk by the collections that
	// garbage on another forces, grows it again in the middle of a pin's
	// calls.
	for i := 1; i < 2000; i++ {
		if err := kernel.ObjPin(prog.FD(), filepath.Join(dir, fmt.Sprintf("p%04d", i))); err != nil {
			t.Fatal(err)
		}
	}
	stop := make(chan struct{})
	go func() {
		var sink [][]byte
		for {
			select {
			case <-stop:
				return
			default:
			}
			sink = append(sink, make([]byte, 64<<10))
			if len(sink) > 64 {
				sink = sink[:0]
				runtime.GC()
			}
		}
	}()
	for range 20 {
		if n := len(kernel.PinnedObjects(kernel.FDProg, 2)[uint32(want)]); n != 2000 {
			t.Logf("%d pins found", n)
			bad["PinnedObjects"]++
		}
	}
	close(stop)
	for what, n := range bad {
		t.Errorf("%s: %d calls read wrong facts", what, n)
	}
}
