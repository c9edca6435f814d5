// Package kallsyms resolves kernel addresses to symbol names from
// /proc/kallsyms, as bpftool's dumpers do, but reads only as far as it must:
// the kernel formats that file on every read (a few hundred thousand lines),
// which would dominate the dump of a small program.
package kallsyms

import (
	"bufio"
	"bytes"
	"io"
	"os"
)

// CallBase is the symbol that helper call immediates are relative to.
const CallBase = "__bpf_call_base"

// Table maps the addresses that were asked for to their names.
type Table struct {
	names    map[uint64]string
	callBase uint64
}

// Lookup returns the name of the symbol at exactly addr.
func (t *Table) Lookup(addr uint64) (string, bool) {
	if t == nil {
		return "", false
	}
	n, ok := t.names[addr]
	return n, ok
}

// CallBaseAddr is the address of __bpf_call_base, or 0 when unknown.
func (t *Table) CallBaseAddr() uint64 {
	if t == nil {
		return 0
	}
	return t.callBase
}

// Load reads /proc/kallsyms until it knows __bpf_call_base and every
// address in want (or the file ends).
func Load(want []uint64) *Table {
	f, err := os.Open("/proc/kallsyms")
	if err != nil {
		return &Table{names: map[uint64]string{}}
	}
	defer f.Close()
	return Parse(f, want)
}

// Parse is Load on any reader in /proc/kallsyms format. The first symbol
// seen at an address wins.
func Parse(r io.Reader, want []uint64) *Table {
	t := &Table{names: map[uint64]string{}}
	pending := map[uint64]bool{}
	for _, a := range want {
		pending[a] = true
	}
	needBase := true
	br := bufio.NewReaderSize(r, 256<<10)
	for {
		line, err := br.ReadSlice('\n')
		if len(line) > 0 {
			addr, name, ok := parseLine(line)
			if ok {
				if needBase && string(name) == CallBase {
					t.callBase = addr
					needBase = false
				}
				if pending[addr] {
					if _, seen := t.names[addr]; !seen {
						t.names[addr] = string(name)
					}
					delete(pending, addr)
				}
				if !needBase && len(pending) == 0 {
					return t
				}
			}
		}
		if err == bufio.ErrBufferFull {
			// An absurdly long line: skip the rest of it.
			for err == bufio.ErrBufferFull {
				_, err = br.ReadSlice('\n')
			}
			continue
		}
		if err != nil {
			return t
		}
	}
}

// parseLine splits "ffffffff81000000 T _text\t[module]".
func parseLine(line []byte) (uint64, []byte, bool) {
	sp := bytes.IndexByte(line, ' ')
	if sp <= 0 || sp+3 >= len(line) || line[sp+2] != ' ' {
		return 0, nil, false
	}
	var addr uint64
	for _, c := range line[:sp] {
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, nil, false
		}
		addr = addr<<4 | uint64(d)
	}
	name := line[sp+3:]
	if i := bytes.IndexAny(name, "\t\n"); i >= 0 {
		name = name[:i]
	}
	return addr, name, true
}
