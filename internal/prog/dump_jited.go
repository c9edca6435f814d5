package prog

import (
	"fmt"

	"github.com/cilium/ebpf/btf"
	"github.com/gobpftool/gobpftool/internal/cli"
	"github.com/gobpftool/gobpftool/internal/jited"
	"github.com/gobpftool/gobpftool/internal/kallsyms"
	"github.com/gobpftool/gobpftool/internal/kernel"
	"github.com/gobpftool/gobpftool/internal/xlated"
)

// dumpJited disassembles the host's JIT image, a function at a time, each
// headed by its kallsyms name (and its BTF prototype), as a libbfd-enabled
// bpftool does. Debian's bpftool cannot: it says "No libbfd support".
func dumpJited(c *cli.Context, pi *kernel.ProgInfo, prog *xlated.Program, image []byte, o dumpOpts, syms *kallsyms.Table) error {
	arch, ok := jited.HostArch()
	if !ok {
		return c.Errorf("no JIT disassembler for this architecture")
	}
	if pi.Ifindex != 0 {
		return c.Errorf("Can't get arch name for device vendor id 0x0000")
	}
	lines := xlated.NewLineTable(prog)
	if len(pi.JitedFuncLens) == 0 {
		insns, err := jited.Disassemble(image, arch, 0)
		if err != nil {
			return c.Errorf("%v", err)
		}
		if c.JSON {
			jited.WriteJSON(c.JW, insns, jited.Options{Opcodes: o.opcodes})
			return nil
		}
		return jited.WritePlain(c.Out, insns, jited.Options{Opcodes: o.opcodes})
	}
	names := make([]string, len(pi.JitedFuncLens))
	symbols, known := pi.FuncSymbols(prog.BTF)
	for i := range names {
		if known && i < len(symbols) {
			names[i] = symbols[i]
			continue
		}
		switch {
		case len(pi.JitedKsyms) == 0:
			names[i] = "unknown"
		case i < len(pi.JitedKsyms):
			if n, ok := syms.Lookup(pi.JitedKsyms[i]); ok {
				names[i] = n
			} else {
				names[i] = fmt.Sprintf("0x%016x", pi.JitedKsyms[i])
			}
		default:
			names[i] = "unknown"
		}
	}
	funcs, err := jited.Split(image, arch, pi.JitedFuncLens, names)
	if err != nil && funcs == nil {
		return c.Errorf("%v", err)
	}
	if prog.BTF != nil {
		for i, typeID := range pi.FuncTypeIDs() {
			if i >= len(funcs) {
				break
			}
			funcs[i].Proto = xlated.TypeOnly(prog.BTF, btf.TypeID(typeID))
		}
	}
	opt := jited.Options{Opcodes: o.opcodes}
	if lines != nil {
		skip, lastFn := 0, -1
		opt.Before = func(fn int, off uint64) {
			if fn != lastFn {
				skip, lastFn = 0, fn
			}
			if fn >= len(pi.JitedKsyms) {
				return
			}
			idx := lines.FindAddr(pi.JitedKsyms[fn]+off, fn, skip)
			if idx < 0 {
				return
			}
			skip++
			if c.JSON {
				lines.WriteJSON(c.JW, idx, o.linum)
			} else {
				c.Out.Write(lines.AppendPlain(nil, idx, "; ", o.linum))
			}
		}
	}
	if c.JSON {
		err = jited.WriteFuncsJSON(c.JW, funcs, opt)
	} else {
		err = jited.WriteFuncsPlain(c.Out, funcs, opt)
	}
	if err != nil {
		// An empty function ends the dump as bpftool's disassembler does:
		// no message, a failure.
		return cli.ErrFailed
	}
	return nil
}
