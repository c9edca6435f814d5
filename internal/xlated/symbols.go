package xlated

// Symbols resolves kernel addresses for call instructions, the part of
// /proc/kallsyms that bpftool's xlated dumper reads.
type Symbols interface {
	// Lookup returns the name of the symbol at exactly addr.
	Lookup(addr uint64) (name string, ok bool)
	// CallBase returns the address of __bpf_call_base, or 0 when it is
	// unknown; helper and kfunc calls store their target relative to it.
	CallBase() uint64
}
