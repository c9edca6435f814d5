// Package kallsyms reads the kernel's symbol table (/proc/kallsyms) the
// way bpftool's dumpers use it: addresses to names, bpftool's choice among
// aliases, and reads that stop as soon as the wanted addresses are known.
// It is pure: it reads text from an io.Reader.
package kallsyms

import (
	"bytes"
	"cmp"
	"io"
	"os"
	"slices"
)

// CallBaseSymbol is the symbol helper and kfunc call immediates are
// relative to.
const CallBaseSymbol = "__bpf_call_base"

type kernelSym struct {
	addr uint64
	name string
}

// Table is the kernel's symbol table, or the part of it a dump needs,
// read from text in /proc/kallsyms format with bpftool's rules: symbols at
// address 0 are dropped, and a zero __bpf_call_base (kernel.kptr_restrict)
// leaves the table empty.
type Table struct {
	syms     []kernelSym
	callBase uint64
}

// Parse reads "ADDRESS TYPE NAME [MODULE]" lines. Malformed lines
// are skipped, as bpftool's sscanf skips them.
func Parse(r io.Reader) (*Table, error) {
	raw, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	k := &Table{syms: make([]kernelSym, 0, bytes.Count(raw, []byte{'\n'})+1)}
	for len(raw) > 0 {
		line := raw
		if nl := bytes.IndexByte(raw, '\n'); nl >= 0 {
			line, raw = raw[:nl], raw[nl+1:]
		} else {
			raw = nil
		}
		addr, name, ok := parseLine(line)
		if !ok {
			continue
		}
		if name == CallBaseSymbol {
			k.callBase = addr
			if addr == 0 {
				// The addresses are hidden: bpftool throws the
				// whole table away.
				k.syms = nil
				return k, nil
			}
		}
		if addr != 0 {
			k.syms = append(k.syms, kernelSym{addr, name})
		}
	}
	sortSyms(k.syms)
	return k, nil
}

// sortSyms orders symbols by address as bpftool's qsort does; a stable
// sort keeps equal addresses in file order so the pick among aliases is
// deterministic.
func sortSyms(syms []kernelSym) {
	slices.SortStableFunc(syms, func(a, b kernelSym) int { return cmp.Compare(a.addr, b.addr) })
}

// parseLine splits one line into its address and name; the type
// letter must be there but is not kept.
func parseLine(line []byte) (uint64, string, bool) {
	hex, rest := nextField(line)
	typ, rest := nextField(rest)
	name, _ := nextField(rest)
	if len(typ) == 0 || len(name) == 0 {
		return 0, "", false
	}
	if len(hex) > 2 && hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X') {
		hex = hex[2:]
	}
	if len(hex) == 0 || len(hex) > 16 {
		return 0, "", false
	}
	var addr uint64
	for _, c := range hex {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, "", false
		}
		addr = addr<<4 | uint64(c)
	}
	return addr, string(name), true
}

// nextField returns the first whitespace-separated field of b and what
// follows it.
func nextField(b []byte) (field, rest []byte) {
	i := 0
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r') {
		i++
	}
	j := i
	for j < len(b) && b[j] != ' ' && b[j] != '\t' && b[j] != '\r' {
		j++
	}
	return b[i:j], b[j:]
}

// CallBase is the address of __bpf_call_base. A nil table stands for an unreadable
// /proc/kallsyms.
func (k *Table) CallBase() uint64 {
	if k == nil {
		return 0
	}
	return k.callBase
}

// Lookup names the symbol at exactly addr. It probes like glibc's bsearch, so among
// aliases at one address it picks the one bpftool picks from the same order.
func (k *Table) Lookup(addr uint64) (string, bool) {
	if k == nil {
		return "", false
	}
	lo, hi := 0, len(k.syms)
	for lo < hi {
		mid := (lo + hi) / 2
		switch a := k.syms[mid].addr; {
		case addr < a:
			hi = mid
		case addr > a:
			lo = mid + 1
		default:
			return k.syms[mid].name, true
		}
	}
	return "", false
}

// Len returns the number of symbols kept.
func (k *Table) Len() int {
	if k == nil {
		return 0
	}
	return len(k.syms)
}

// New makes a table from symbols found some other way than
// reading /proc/kallsyms (the kernel's own lookup by name).
func New(callBase uint64, names map[uint64]string) *Table {
	k := &Table{callBase: callBase}
	for a, n := range names {
		k.syms = append(k.syms, kernelSym{a, n})
	}
	sortSyms(k.syms)
	return k
}

// Load reads the whole of /proc/kallsyms, as bpftool does.
func Load() (*Table, error) {
	f, err := os.Open("/proc/kallsyms")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Parse(f)
}
