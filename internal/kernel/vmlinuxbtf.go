package kernel

import (
	"bufio"
	"encoding/binary"
	"errors"
	"io"
	"os"
)

// vmlinuxFacts are the few facts of the running kernel's BTF that the pid
// iterator needs: its attach target and five member offsets. A full BTF
// parse (cilium/ebpf's LoadKernelSpec) takes longer than the listing it
// serves and holds megabytes, so this streams the raw BTF once, keeping only
// the handful of strings and structs it is asked for.
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
	f, err := os.Open("/sys/kernel/btf/vmlinux")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return parseVmlinuxFacts(f)
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

// The names looked up, as strings of the BTF string section.
var factNames = []string{"bpf_iter_task_file", "file", "task_struct", "bpf_prog", "bpf_prog_aux",
	"f_op", "private_data", "tgid", "aux", "id"}

// maxFactName is the length of the longest of factNames.
const maxFactName = len("bpf_iter_task_file")

type btfMember struct{ nameOff, typeID, off uint32 }

func parseVmlinuxFacts(r io.ReaderAt) (*vmlinuxFacts, error) {
	le := binary.LittleEndian
	var hdr [24]byte
	if _, err := r.ReadAt(hdr[:], 0); err != nil || le.Uint16(hdr[:]) != 0xeb9f {
		return nil, errNoBTF
	}
	hdrLen := int64(le.Uint32(hdr[4:]))
	typeOff, typeLen := int64(le.Uint32(hdr[8:])), int64(le.Uint32(hdr[12:]))
	strOff, strLen := int64(le.Uint32(hdr[16:])), int64(le.Uint32(hdr[20:]))

	offs, err := findStrings(io.NewSectionReader(r, hdrLen+strOff, strLen))
	if err != nil {
		return nil, err
	}
	structOf := map[uint32]string{offs["file"]: "file", offs["task_struct"]: "task_struct",
		offs["bpf_prog"]: "bpf_prog", offs["bpf_prog_aux"]: "bpf_prog_aux"}
	structs := map[string]uint32{}
	// Members of the wanted structs and of every anonymous struct or
	// union, which a wanted member may sit in.
	members := map[uint32][]btfMember{}

	br := bufio.NewReaderSize(io.NewSectionReader(r, hdrLen+typeOff, typeLen), 64<<10)
	var f vmlinuxFacts
	var th [12]byte
	var mb []byte
	for id := uint32(1); ; id++ {
		if _, err := io.ReadFull(br, th[:]); err != nil {
			break
		}
		nameOff, info := le.Uint32(th[:]), le.Uint32(th[4:])
		kind, vlen := (info>>24)&0x1f, info&0xffff
		size, ok := trailer(kind, vlen)
		if !ok {
			return nil, errNoBTF
		}
		switch {
		case kind == kindFunc && nameOff == offs["bpf_iter_task_file"] && f.iterFuncID == 0:
			f.iterFuncID = id
		case (kind == kindStruct || kind == kindUnion) && vlen > 0:
			name, wanted := structOf[nameOff]
			if nameOff != 0 && (!wanted || kind != kindStruct || structs[name] != 0) {
				break
			}
			if cap(mb) < int(size) {
				mb = make([]byte, size)
			}
			mb = mb[:size]
			if _, err := io.ReadFull(br, mb); err != nil {
				return nil, errNoBTF
			}
			size = 0
			kflag := info>>31 != 0
			ms := make([]btfMember, vlen)
			for i := range ms {
				m := mb[12*i:]
				bits := le.Uint32(m[8:])
				if kflag {
					bits &= 0xffffff
				}
				ms[i] = btfMember{le.Uint32(m), le.Uint32(m[4:]), bits / 8}
			}
			members[id] = ms
			if nameOff != 0 {
				structs[name] = id
			}
		}
		if size > 0 {
			if _, err := br.Discard(int(size)); err != nil {
				return nil, errNoBTF
			}
		}
		if f.iterFuncID != 0 && len(structs) == 4 && f.resolve(structs, members, offs) {
			return &f, nil
		}
	}
	if f.iterFuncID != 0 && len(structs) == 4 && f.resolve(structs, members, offs) {
		return &f, nil
	}
	return nil, errNoBTF
}

// findStrings streams the string section for the offsets of factNames.
func findStrings(r io.Reader) (map[string]uint32, error) {
	want := map[string]bool{}
	for _, n := range factNames {
		want[n] = true
	}
	offs := map[string]uint32{}
	br := bufio.NewReaderSize(r, 64<<10)
	var off uint32
	for len(offs) < len(factNames) {
		s, err := br.ReadSlice(0)
		if err == bufio.ErrBufferFull {
			// A string longer than the buffer is none of ours.
			off += uint32(len(s))
			for err == bufio.ErrBufferFull {
				s, err = br.ReadSlice(0)
				off += uint32(len(s))
			}
			continue
		}
		if err != nil {
			return nil, errNoBTF
		}
		// Most of the 100,000 strings are longer than any we want.
		if b := s[:len(s)-1]; len(b) <= maxFactName && want[string(b)] {
			if _, dup := offs[string(b)]; !dup {
				offs[string(b)] = off
			}
		}
		off += uint32(len(s))
	}
	return offs, nil
}

// resolve fills the member offsets once every struct is known; false when
// a member sits in an anonymous type not read yet.
func (f *vmlinuxFacts) resolve(structs map[string]uint32, members map[uint32][]btfMember, offs map[string]uint32) bool {
	var ok [5]bool
	f.fileFOp, ok[0] = member(members, structs["file"], offs["f_op"], 0)
	f.filePrivate, ok[1] = member(members, structs["file"], offs["private_data"], 0)
	f.taskTgid, ok[2] = member(members, structs["task_struct"], offs["tgid"], 0)
	f.progAux, ok[3] = member(members, structs["bpf_prog"], offs["aux"], 0)
	f.auxID, ok[4] = member(members, structs["bpf_prog_aux"], offs["id"], 0)
	return ok == [5]bool{true, true, true, true, true}
}

// member finds a named member's byte offset in struct or union id, looking
// through anonymous struct and union members.
func member(members map[uint32][]btfMember, id, nameOff uint32, depth int) (uint32, bool) {
	if depth > 8 {
		return 0, false
	}
	for _, m := range members[id] {
		if m.nameOff == nameOff {
			return m.off, true
		}
		if m.nameOff == 0 {
			if o, ok := member(members, m.typeID, nameOff, depth+1); ok {
				return m.off + o, true
			}
		}
	}
	return 0, false
}
