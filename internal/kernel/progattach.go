package kernel

import (
	"runtime"
	"unsafe"
)

const (
	cmdProgAttach = 8
	cmdProgDetach = 9
	cmdProgQuery  = 16
)

// attachAttr is the BPF_PROG_ATTACH/DETACH part of union bpf_attr up to
// replace_bpf_fd, the size libbpf 1.1 passes.
type attachAttr struct {
	targetFD     uint32
	attachBPFFD  uint32
	attachType   uint32
	attachFlags  uint32
	replaceBPFFD uint32
}

// Attach types that `prog attach` takes (enum bpf_attach_type).
const (
	AttachSKSKBStreamParser  = 4
	AttachSKSKBStreamVerdict = 5
	AttachSKMsgVerdict       = 7
	AttachFlowDissector      = 17
	AttachSKSKBVerdict       = 38
)

// ProgAttach attaches a program to a target (a sockmap fd, or 0 for the
// caller's network namespace) with BPF_PROG_ATTACH, no flags.
func ProgAttach(progFD, targetFD int, attachType uint32) error {
	a := attachAttr{targetFD: uint32(targetFD), attachBPFFD: uint32(progFD), attachType: attachType}
	_, err := bpf(cmdProgAttach, unsafe.Pointer(&a), unsafe.Sizeof(a))
	return err
}

// ProgDetach is bpf_prog_detach2: the kernel detaches progFD only if it
// is the program attached there.
func ProgDetach(progFD, targetFD int, attachType uint32) error {
	a := attachAttr{targetFD: uint32(targetFD), attachBPFFD: uint32(progFD), attachType: attachType}
	_, err := bpf(cmdProgDetach, unsafe.Pointer(&a), unsafe.Sizeof(a))
	return err
}

type queryAttr struct {
	targetFD    uint32
	attachType  uint32
	queryFlags  uint32
	attachFlags uint32
	progIDs     kptr
	progCnt     uint32
	_           uint32
}

// ProgQuery lists the ids of the programs attached to a target (a map fd
// or a network namespace fd) for one attach type.
func ProgQuery(targetFD int, attachType uint32) ([]uint32, error) {
	ids := make([]uint32, 64)
	a := queryAttr{targetFD: uint32(targetFD), attachType: attachType,
		progIDs: ptr(ids), progCnt: uint32(len(ids))}
	_, err := bpf(cmdProgQuery, unsafe.Pointer(&a), unsafe.Sizeof(a))
	runtime.KeepAlive(ids)
	if err != nil {
		return nil, err
	}
	if int(a.progCnt) < len(ids) {
		ids = ids[:a.progCnt]
	}
	return ids, nil
}
