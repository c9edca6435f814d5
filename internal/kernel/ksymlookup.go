package kernel

import (
	"encoding/binary"
	"errors"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"golang.org/x/sys/unix"
)

// ksymSlot is one name and its answer in the lookup program's context:
// the NUL-padded name, then the address the kernel found.
const (
	ksymNameMax = 64
	ksymSlot    = ksymNameMax + 8
	ksymMaxCtx  = 0xffff // the kernel's limit on a syscall program's context
)

// errTooManyNames: the names do not fit one test run's context.
var errTooManyNames = errors.New("too many names for one kallsyms lookup")

// LookupKernelNames returns the address of each named kernel symbol the
// kernel knows, by test-running a BPF syscall program that calls
// bpf_kallsyms_lookup_name for every name. Naming helper calls this way
// costs a millisecond or two; reading /proc/kallsyms, which the kernel
// formats on every read, costs ten times that.
func LookupKernelNames(names []string) (map[string]uint64, error) {
	if len(names)*ksymSlot > ksymMaxCtx {
		return nil, errTooManyNames
	}
	ctx := make([]byte, len(names)*ksymSlot)
	var insns asm.Instructions
	insns = append(insns, asm.Mov.Reg(asm.R6, asm.R1))
	for i, n := range names {
		if len(n) == 0 || len(n) >= ksymNameMax {
			continue
		}
		off := int16(i * ksymSlot)
		copy(ctx[off:], n)
		// The helper reads the name from and writes the address to
		// memory the verifier accepts, which the context is not: go
		// through the stack.
		for w := int16(0); w < int16(len(n)+8)/8; w++ {
			insns = append(insns,
				asm.LoadMem(asm.R1, asm.R6, off+8*w, asm.DWord),
				asm.StoreMem(asm.RFP, -ksymSlot+8*w, asm.R1, asm.DWord))
		}
		insns = append(insns,
			asm.Mov.Imm(asm.R1, 0),
			asm.StoreMem(asm.RFP, -8, asm.R1, asm.DWord),
			asm.Mov.Reg(asm.R1, asm.RFP),
			asm.Add.Imm(asm.R1, -ksymSlot),
			asm.Mov.Imm(asm.R2, int32(len(n)+1)),
			asm.Mov.Imm(asm.R3, 0),
			asm.Mov.Reg(asm.R4, asm.RFP),
			asm.Add.Imm(asm.R4, -8),
			asm.FnKallsymsLookupName.Call(),
			asm.LoadMem(asm.R1, asm.RFP, -8, asm.DWord),
			asm.StoreMem(asm.R6, off+ksymNameMax, asm.R1, asm.DWord),
		)
	}
	insns = append(insns, asm.Mov.Imm(asm.R0, 0), asm.Return())
	prog, err := ebpf.NewProgramWithOptions(&ebpf.ProgramSpec{
		Name:         "gobpftool_ksym",
		Type:         ebpf.Syscall,
		Flags:        unix.BPF_F_SLEEPABLE,
		License:      "GPL",
		Instructions: insns,
	}, ebpf.ProgramOptions{LogDisabled: true})
	if err != nil {
		return nil, err
	}
	defer prog.Close()
	out := make([]byte, len(ctx))
	if _, err := prog.Run(&ebpf.RunOptions{Context: ctx, ContextOut: out}); err != nil {
		return nil, err
	}
	addrs := make(map[string]uint64, len(names))
	for i, n := range names {
		if a := binary.LittleEndian.Uint64(out[i*ksymSlot+ksymNameMax:]); a != 0 {
			addrs[n] = a
		}
	}
	return addrs, nil
}
