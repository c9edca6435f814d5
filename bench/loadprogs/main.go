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
	pinDir := flag.String("pin", "", "bpffs directory to pin programs in")
	pinEvery := flag.Int("pin-every", 10, "with -pin, pin every this many programs (1: all)")
	big := flag.Int("insns", 0, "instead, load one program of about this many instructions (named bench_big)")
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
	if *big > 0 {
		p, err := ebpf.NewProgram(&ebpf.ProgramSpec{
			Name: "bench_big", Type: ebpf.SocketFilter,
			Instructions: bigProgram(*big, m.FD()), License: "GPL",
		})
		if err != nil {
			fail(err)
		}
		progs = append(progs, p)
		*n = 0
	}
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
		if *pinDir != "" && i%*pinEvery == 0 {
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
			p.Unpin() // a no-op for a program not pinned
		}
		p.Close()
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "loadprogs:", err)
	os.Exit(1)
}

// bigProgram is straight-line code of every ALU form with a helper call
// and a map lookup every 64 instructions, about n instructions long.
func bigProgram(n int, mapFD int) asm.Instructions {
	insns := asm.Instructions{asm.Mov.Imm(asm.R6, 0), asm.Mov.Imm(asm.R7, 1)}
	ops := []asm.ALUOp{asm.Add, asm.Sub, asm.Mul, asm.Or, asm.And, asm.Xor, asm.LSh, asm.RSh}
	for len(insns) < n {
		for i := 0; i < 56; i++ {
			op := ops[i%len(ops)]
			if i%2 == 0 {
				insns = append(insns, op.Imm(asm.R6, int32(i%7+1)))
			} else {
				insns = append(insns, op.Imm32(asm.R7, int32(i%5+1)))
			}
		}
		insns = append(insns,
			asm.StoreImm(asm.RFP, -4, 0, asm.Word),
			asm.Mov.Reg(asm.R2, asm.RFP),
			asm.Add.Imm(asm.R2, -4),
			asm.LoadMapPtr(asm.R1, mapFD),
			asm.FnMapLookupElem.Call(),
			asm.FnKtimeGetNs.Call(),
		)
	}
	return append(insns, asm.Mov.Imm(asm.R0, 0), asm.Return())
}
