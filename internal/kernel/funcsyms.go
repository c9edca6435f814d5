package kernel

import (
	"encoding/hex"

	"github.com/cilium/ebpf/btf"
)

// FuncSymbols are the kallsyms names of the program's JITed functions,
// as the kernel's bpf_get_prog_name() makes them: "bpf_prog_", the tag in
// hex (the program's for its main function, which the kernel lists as
// the program itself; each other function's own), then "_" and the
// function's BTF name, or, for a program without BTF, its name. They spare a dump the read of all of
// /proc/kallsyms, which the kernel formats line by line (100 ms and
// more). ok is false when the names cannot be worked out: no tags (the
// info came without ImageJited), several functions without BTF, or a
// function type missing from spec.
func (pi *ProgInfo) FuncSymbols(spec *btf.Spec) (names []string, ok bool) {
	n := len(pi.JitedKsyms)
	if n == 0 || len(pi.FuncTags) != n {
		return nil, false
	}
	types := pi.FuncTypeIDs()
	if len(types) == 0 && n > 1 {
		return nil, false
	}
	if len(types) > 0 && (spec == nil || len(types) < n) {
		return nil, false
	}
	names = make([]string, n)
	for i := range names {
		// The main function is the program's own symbol, named by the
		// program's tag; the others by their own.
		tag := pi.FuncTags[i]
		if i == 0 {
			tag = pi.Tag
		}
		name := "bpf_prog_" + hex.EncodeToString(tag[:])
		switch {
		case len(types) > 0:
			t, err := spec.TypeByID(btf.TypeID(types[i]))
			if err != nil {
				return nil, false
			}
			fn, isFunc := t.(*btf.Func)
			if !isFunc {
				return nil, false
			}
			name += "_" + fn.Name
		case pi.Name != "":
			name += "_" + pi.Name
		}
		names[i] = name
	}
	return names, true
}
