package loader

import "github.com/cilium/ebpf/asm"

// libbpfLayout orders the functions of a program as libbpf does before
// loading it. cilium/ebpf appends the called functions breadth first in
// name order; libbpf appends each one when it first meets a call to it,
// then the functions that one calls, depth first. The order changes the
// instructions the kernel hashes into the tag, even when the verifier
// later prunes them, so bpftool's tag needs bpftool's layout.
func libbpfLayout(insns asm.Instructions) asm.Instructions {
	type block struct{ start, end int }
	blocks := map[string]block{}
	var main string
	for i := range insns {
		name := insns[i].Symbol()
		if name == "" {
			continue
		}
		if i == 0 {
			main = name
		}
		if len(blocks) > 0 {
			for n, b := range blocks {
				if b.end == -1 {
					blocks[n] = block{b.start, i}
				}
			}
		}
		if _, dup := blocks[name]; dup {
			return insns
		}
		blocks[name] = block{i, -1}
	}
	if main == "" || len(blocks) < 2 {
		return insns
	}
	for n, b := range blocks {
		if b.end == -1 {
			blocks[n] = block{b.start, len(insns)}
		}
	}
	out := make(asm.Instructions, 0, len(insns))
	done := map[string]bool{}
	var add func(string)
	add = func(name string) {
		b := blocks[name]
		done[name] = true
		out = append(out, insns[b.start:b.end]...)
		for i := b.start; i < b.end; i++ {
			ins := &insns[i]
			if !ins.IsFunctionReference() {
				continue
			}
			ref := ins.Reference()
			if _, ok := blocks[ref]; ok && !done[ref] {
				add(ref)
			}
		}
	}
	add(main)
	// Functions nothing calls stay, in their order, at the end.
	for i := range insns {
		if name := insns[i].Symbol(); name != "" && !done[name] {
			add(name)
		}
	}
	return out
}
