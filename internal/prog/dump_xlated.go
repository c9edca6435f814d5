package prog

import (
	"os"

	"github.com/gobpftool/gobpftool/internal/cfg"
	"github.com/gobpftool/gobpftool/internal/cli"
	"github.com/gobpftool/gobpftool/internal/kallsyms"
	"github.com/gobpftool/gobpftool/internal/kernel"
	"github.com/gobpftool/gobpftool/internal/xlated"
)

// dumpXlated renders `dump xlated`: the kernel's disasm.c text (plain or
// JSON, with source lines, opcodes, linum), or the control-flow graph
// for `visual`.
func dumpXlated(c *cli.Context, prog *xlated.Program, image []byte, o dumpOpts, syms *kallsyms.Table) error {
	if o.visual {
		if c.JSON {
			c.JW.Null()
			return nil
		}
		return cfg.WriteDOT(c.Out, image, symbolsOrNil(syms), xlated.DefaultDialect)
	}
	opts := xlated.Options{Opcodes: o.opcodes, Linum: o.linum, Symbols: symbolsOrNil(syms)}
	if c.JSON {
		xlated.WriteJSON(c.JW, prog, opts)
		return nil
	}
	return xlated.WritePlain(c.Out, prog, opts)
}

// callSymbols names what a program's calls point at. Helper calls are
// named by asking the kernel for the address of every helper's function
// (a few milliseconds) when each call lands on exactly one of them; other
// calls, and bpf-to-bpf calls whose symbols sit at the end of kallsyms,
// read /proc/kallsyms as far as needed. A program without calls needs
// neither.
func callSymbols(abs []uint64, rel []int64, helpers *helperLookup, ks *kernelSymbols) *kallsyms.Table {
	if len(abs) == 0 && len(rel) == 0 {
		return nil
	}
	if len(abs) == 0 && helpers != nil {
		if k := helperSymbols(rel, helpers.wait()); k != nil {
			return k
		}
	}
	return ks.read(abs, rel)
}

// helperLookup is the kernel's answer for the helpers' addresses, asked
// for on another goroutine.
type helperLookup struct {
	done  chan struct{}
	names []string
	addrs map[string]uint64
}

func startHelperLookup() *helperLookup {
	h := &helperLookup{done: make(chan struct{}),
		names: append([]string{kallsyms.CallBaseSymbol}, xlated.HelperNames()...)}
	go func() {
		defer close(h.done)
		h.addrs, _ = kernel.LookupKernelNames(h.names)
	}()
	return h
}

func (h *helperLookup) wait() *helperLookup {
	<-h.done
	return h
}

// helperSymbols resolves helper calls by name lookup, or returns nil when
// any call is not to a helper, or two helpers share an address (then which
// name bpftool prints depends on its whole kallsyms table).
func helperSymbols(rel []int64, h *helperLookup) *kallsyms.Table {
	names, addrs := h.names, h.addrs
	if addrs == nil {
		return nil
	}
	base, ok := addrs[kallsyms.CallBaseSymbol]
	if !ok {
		return nil
	}
	byAddr := make(map[uint64]string, len(addrs))
	for _, n := range names[1:] {
		a, ok := addrs[n]
		if !ok {
			continue
		}
		if _, dup := byAddr[a]; dup {
			return nil
		}
		byAddr[a] = n
	}
	found := map[uint64]string{base: kallsyms.CallBaseSymbol}
	for _, r := range rel {
		a := base + uint64(r)
		n, ok := byAddr[a]
		if !ok {
			return nil
		}
		found[a] = n
	}
	return kallsyms.New(base, found)
}

// readKallsyms reads as much of the kernel's symbol table as naming the
// given addresses needs, or nil when it cannot be read (bpftool then
// prints calls without names).
func readKallsyms(abs []uint64, rel []int64) *kallsyms.Table {
	kallsymsReads++
	f, err := os.Open("/proc/kallsyms")
	if err != nil {
		return nil
	}
	defer f.Close()
	k, err := kallsyms.ReadFor(f, abs, rel)
	if err != nil {
		return nil
	}
	return k
}

// symbolsOrNil keeps a nil table a nil interface.
func symbolsOrNil(k *kallsyms.Table) xlated.Symbols {
	if k == nil {
		return nil
	}
	return k
}
