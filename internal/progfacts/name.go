package progfacts

import (
	"github.com/cilium/ebpf/btf"

	"github.com/gobpftool/gobpftool/internal/kernel"
)

// KernelNameLen is how much of a name the kernel keeps (BPF_OBJ_NAME_LEN
// less the NUL).
const KernelNameLen = 15

// FullName is bpftool's get_prog_full_name for the program behind fd: the
// kernel keeps 15 bytes of a name, so a name that long is replaced by its
// BTF function name.
func FullName(pi *kernel.ProgInfo, fd int) string { return fullName(pi, fd, nil) }

func fullName(pi *kernel.ProgInfo, fd int, cache *btfCache) string {
	if len(pi.Name) < KernelNameLen || pi.BTFID == 0 || pi.NrFuncInfo == 0 {
		return pi.Name
	}
	typeID, btfID, ok := kernel.FirstFuncInfo(fd, pi.FuncInfoRecSize)
	if !ok {
		return pi.Name
	}
	return funcName(cache.get(btfID), typeID, pi.Name)
}

// funcName is the name of the BTF function typeID of spec, or fallback.
func funcName(spec *btf.Spec, typeID uint32, fallback string) string {
	if spec == nil {
		return fallback
	}
	t, err := spec.TypeByID(btf.TypeID(typeID))
	if err != nil {
		return fallback
	}
	fn, ok := t.(*btf.Func)
	if !ok {
		return fallback
	}
	return fn.Name
}
