package kernel

import "unsafe"

const cmdMapCreate = 0 // BPF_MAP_CREATE

// MapCreateAttr is the part of union bpf_attr that BPF_MAP_CREATE reads,
// up to map_extra.
type MapCreateAttr struct {
	MapType, KeySize, ValueSize, MaxEntries, MapFlags uint32
	InnerMapFD, NumaNode                              uint32
	MapName                                           [16]byte
	MapIfindex                                        uint32
	BTFFD, BTFKeyTypeID, BTFValueTypeID               uint32
	BTFVmlinuxValueTypeID                             uint32
	MapExtra                                          uint64
}

// MapCreate creates a map as described, for what cilium/ebpf's MapSpec
// cannot say (a map bound to a device, as libbpf makes for `dev NAME`).
func MapCreate(a *MapCreateAttr) (int, error) {
	r, err := bpf(cmdMapCreate, unsafe.Pointer(a), unsafe.Sizeof(*a))
	if err != nil {
		return -1, err
	}
	return int(r), nil
}
