package kernel

import (
	"encoding/binary"
	"errors"
	"os"
)

// vmlinuxFacts are the few facts of the running kernel's BTF that the pid
// iterator needs: its attach target and five member offsets. Finding them
// with a full BTF parse (cilium/ebpf's LoadKernelSpec) takes longer than
// the whole listing it serves, so this walks the raw type section once and
// remembers only what it is asked for.
type vmlinuxFacts struct {
	iterFuncID           uint32 // FUNC bpf_iter_task_file
	fileFOp, filePrivate uint32 // struct file
	taskTgid             uint32 // struct task_struct
	progAux, auxID       uint32 // struct bpf_prog, struct bpf_prog_aux
}

var errNoBTF = errors.New("kernel BTF lacks what the pid iterator needs")

// BTF kinds (include/uapi/linux/btf.h).
const (
	kindStruct = 4
	kindUnion  = 5
	kindFunc   = 12
)

func readVmlinuxFacts() (*vmlinuxFacts, error) {
	raw, err := vmlinuxBTF()
	if err != nil {
		return nil, err
	}
	return parseVmlinuxFacts(raw)
}

// vmlinuxBTF returns the kernel's BTF. BTF object 1 is the kernel's own on
// every kernel we know, and one info call copies it; sysfs serves it a
// page per read() (1,300 calls), which is the fallback.
func vmlinuxBTF() ([]byte, error) {
	if raw, name, err := btfRawNamed(1); err == nil && name == "vmlinux" {
		return raw, nil
	}
	return os.ReadFile("/sys/kernel/btf/vmlinux")
}

type btfWalk struct {
	types   []byte
	strs    []byte
	offsets []uint32 // start of each type in types, by id (id 0 unused)
}

func (w *btfWalk) name(off uint32) []byte {
	if int(off) >= len(w.strs) {
		return nil
	}
	s := w.strs[off:]
	for i, c := range s {
		if c == 0 {
			return s[:i]
		}
	}
	return nil
}

// trailer is the size of the data after a type's 12-byte header.
func trailer(kind, vlen uint32) (uint32, bool) {
	switch kind {
	case 1, 14, 17: // int, var, decl_tag
		return 4, true
	case 2, 7, 8, 9, 10, 11, 12, 16, 18: // ptr, fwd, typedef, volatile, const, restrict, func, float, type_tag
		return 0, true
	case 3: // array
		return 12, true
	case 4, 5, 15, 19: // struct, union, datasec, enum64
		return 12 * vlen, true
	case 6, 13: // enum, func_proto
		return 8 * vlen, true
	}
	return 0, false
}

func parseVmlinuxFacts(raw []byte) (*vmlinuxFacts, error) {
	le := binary.LittleEndian
	if len(raw) < 24 || le.Uint16(raw) != 0xeb9f {
		return nil, errNoBTF
	}
	hdrLen := le.Uint32(raw[4:])
	typeOff, typeLen := le.Uint32(raw[8:]), le.Uint32(raw[12:])
	strOff, strLen := le.Uint32(raw[16:]), le.Uint32(raw[20:])
	tStart, sStart := uint64(hdrLen)+uint64(typeOff), uint64(hdrLen)+uint64(strOff)
	if tStart+uint64(typeLen) > uint64(len(raw)) || sStart+uint64(strLen) > uint64(len(raw)) {
		return nil, errNoBTF
	}
	w := &btfWalk{types: raw[tStart : tStart+uint64(typeLen)], strs: raw[sStart : sStart+uint64(strLen)]}
	w.offsets = append(w.offsets, 0)
	want := map[string]uint32{"file": 0, "task_struct": 0, "bpf_prog": 0, "bpf_prog_aux": 0}
	var f vmlinuxFacts
	found := func() bool {
		if f.iterFuncID == 0 {
			return false
		}
		for _, id := range want {
			if id == 0 {
				return false
			}
		}
		return true
	}
	// The walk stops once every name is found: member lookups usually need
	// no later type, and resolve() below walks on when one does.
	off := uint32(0)
	walk := func(all bool) error {
		for off+12 <= uint32(len(w.types)) {
			if !all && found() {
				return nil
			}
			info := le.Uint32(w.types[off+4:])
			kind, vlen := (info>>24)&0x1f, info&0xffff
			size, ok := trailer(kind, vlen)
			if !ok {
				return errNoBTF
			}
			id := uint32(len(w.offsets))
			w.offsets = append(w.offsets, off)
			switch kind {
			case kindFunc:
				if f.iterFuncID == 0 && string(w.name(le.Uint32(w.types[off:]))) == "bpf_iter_task_file" {
					f.iterFuncID = id
				}
			case kindStruct:
				if vlen > 0 {
					n := string(w.name(le.Uint32(w.types[off:])))
					if v, ok := want[n]; ok && v == 0 {
						want[n] = id
					}
				}
			}
			off += 12 + size
		}
		return nil
	}
	if err := walk(false); err != nil {
		return nil, err
	}
	resolve := func() bool {
		var ok [5]bool
		f.fileFOp, ok[0] = w.member(want["file"], "f_op")
		f.filePrivate, ok[1] = w.member(want["file"], "private_data")
		f.taskTgid, ok[2] = w.member(want["task_struct"], "tgid")
		f.progAux, ok[3] = w.member(want["bpf_prog"], "aux")
		f.auxID, ok[4] = w.member(want["bpf_prog_aux"], "id")
		return ok == [5]bool{true, true, true, true, true} && f.iterFuncID != 0
	}
	if !resolve() {
		if err := walk(true); err != nil {
			return nil, err
		}
		if !resolve() {
			return nil, errNoBTF
		}
	}
	return &f, nil
}

// member finds a named member's byte offset in struct or union id,
// looking through anonymous struct and union members.
func (w *btfWalk) member(id uint32, name string) (uint32, bool) {
	return w.memberDepth(id, name, 0)
}

func (w *btfWalk) memberDepth(id uint32, name string, depth int) (uint32, bool) {
	le := binary.LittleEndian
	if id == 0 || int(id) >= len(w.offsets) || depth > 8 {
		return 0, false
	}
	off := w.offsets[id]
	info := le.Uint32(w.types[off+4:])
	kind, vlen, kflag := (info>>24)&0x1f, info&0xffff, info>>31
	if kind != kindStruct && kind != kindUnion {
		return 0, false
	}
	for i := uint32(0); i < vlen; i++ {
		m := off + 12 + 12*i
		if int(m+12) > len(w.types) {
			return 0, false
		}
		mname := w.name(le.Uint32(w.types[m:]))
		mtype := le.Uint32(w.types[m+4:])
		bits := le.Uint32(w.types[m+8:])
		if kflag != 0 {
			bits &= 0xffffff
		}
		if string(mname) == name {
			return bits / 8, true
		}
		if len(mname) == 0 {
			if o, ok := w.memberDepth(mtype, name, depth+1); ok {
				return bits/8 + o, true
			}
		}
	}
	return 0, false
}
