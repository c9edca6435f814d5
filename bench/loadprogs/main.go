// Command loadprogs loads N small programs (and pins some) for the
// benchmarks under bench/, then holds them until it is killed or stdin
// closes. It prints "ready" once everything is loaded.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/rlimit"
)

func main() {
	n := flag.Int("n", 1000, "programs to load")
	pinDir := flag.String("pin", "", "bpffs directory to pin every tenth program in")
	flag.Parse()
	if err := rlimit.RemoveMemlock(); err != nil {
		fail(err)
	}
	m, err := ebpf.NewMap(&ebpf.MapSpec{Name: "bench_map", Type: ebpf.Array, KeySize: 4, ValueSize: 8, MaxEntries: 1})
	if err != nil {
		fail(err)
	}
	defer m.Close()
	var progs []*ebpf.Program
	for i := 0; i < *n; i++ {
		insns := asm.Instructions{
			asm.StoreImm(asm.RFP, -4, 0, asm.Word),
			asm.Mov.Reg(asm.R2, asm.RFP),
			asm.Add.Imm(asm.R2, -4),
			asm.LoadMapPtr(asm.R1, m.FD()),
			asm.FnMapLookupElem.Call(),
			asm.Mov.Imm(asm.R0, int32(i)),
			asm.Return(),
		}
		p, err := ebpf.NewProgram(&ebpf.ProgramSpec{
			Name: fmt.Sprintf("bench_%04d", i), Type: ebpf.SocketFilter,
			Instructions: insns, License: "GPL",
		})
		if err != nil {
			fail(err)
		}
		progs = append(progs, p)
		if *pinDir != "" && i%10 == 0 {
			if err := p.Pin(filepath.Join(*pinDir, fmt.Sprintf("p%04d", i))); err != nil {
				fail(err)
			}
		}
	}
	fmt.Println("ready")
	buf := make([]byte, 1)
	os.Stdin.Read(buf) // hold until stdin closes
	for _, p := range progs {
		if *pinDir != "" {
			p.Unpin()
		}
		p.Close()
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "loadprogs:", err)
	os.Exit(1)
}
