package kallsyms

import (
	"bufio"
	"io"
)

// ReadFor reads kallsyms text only as far as resolving the given
// targets needs. The kernel formats /proc/kallsyms anew on every read
// (over 100,000 lines), which costs more than disassembling a large
// program, and helpers live in the first quarter of it.
//
// The result answers Lookup for every target exactly as a full table
// would: reading stops only once __bpf_call_base and every target have
// been seen, each target followed by a line with another address (aliases
// are adjacent, the core kernel being sorted) and none having an alias.
// With aliases, which one bpftool prints depends on the whole table, so the
// rest is read.
func ReadFor(r io.Reader, abs []uint64, rel []int64) (*Table, error) {
	k := &Table{}
	br := bufio.NewReaderSize(r, 128<<10)
	pending := map[uint64]int{} // target -> names seen so far
	for _, a := range abs {
		pending[a] = 0
	}
	baseKnown := false
	var lastAddr uint64
	full := false
	for {
		line, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			for err == bufio.ErrBufferFull {
				_, err = br.ReadSlice('\n')
			}
			continue
		}
		if len(line) > 0 {
			addr, name, ok := parseLine(trimNL(line))
			if ok {
				if !full && baseKnown && addr != lastAddr && complete(pending) {
					break
				}
				lastAddr = addr
				if name == CallBaseSymbol && !baseKnown {
					baseKnown = true
					k.callBase = addr
					if addr == 0 {
						// kptr_restrict: bpftool drops the table.
						return &Table{}, nil
					}
					for _, o := range rel {
						if _, ok := pending[addr+uint64(o)]; !ok {
							pending[addr+uint64(o)] = 0
						}
					}
					for i := range k.syms {
						if _, ok := pending[k.syms[i].addr]; ok {
							pending[k.syms[i].addr]++
						}
					}
				}
				if addr != 0 {
					k.syms = append(k.syms, kernelSym{addr, name})
					if n, ok := pending[addr]; ok {
						pending[addr] = n + 1
						if n+1 > 1 {
							full = true
						}
					}
				}
			}
		}
		if err != nil {
			break
		}
	}
	if len(k.syms) > 0 {
		sortSyms(k.syms)
	}
	return k, nil
}

func complete(pending map[uint64]int) bool {
	for _, n := range pending {
		if n == 0 {
			return false
		}
	}
	return true
}

func trimNL(b []byte) []byte {
	if len(b) > 0 && b[len(b)-1] == '\n' {
		return b[:len(b)-1]
	}
	return b
}
