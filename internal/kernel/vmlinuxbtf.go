package kernel

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// vmlinuxFacts are the few facts of the running kernel's BTF that the two
// iterators need: their attach targets and some member offsets. A full BTF
// parse (cilium/ebpf's LoadKernelSpec) takes longer than the listing it
// serves and holds megabytes, so this streams the raw BTF once, keeping only
// the handful of strings and structs it is asked for. One pass serves both
// iterators; the program iterator's facts may be missing (progOK false)
// while the pid iterator's are there.
type vmlinuxFacts struct {
	iterFuncID           uint32 // FUNC bpf_iter_task_file
	fileFOp, filePrivate uint32 // struct file
	taskTgid             uint32 // struct task_struct
	progAux, auxID       uint32 // struct bpf_prog, struct bpf_prog_aux

	progOK bool
	prog   progIterFacts
}

// progIterFacts are what the bpf_prog iterator (progiter.go) reads: byte
// offsets of members, except gplBit, the bit of gpl_compatible in the
// byte at gplByte.
type progIterFacts struct {
	iterFuncID uint32 // FUNC bpf_iter_bpf_prog

	pages, typ, len, jitedLen, tag, stats, aux uint32 // struct bpf_prog
	gplByte, gplBit                            uint32

	id, usedMapCnt, usedMaps, funcCnt, funcs uint32 // struct bpf_prog_aux
	user, loadTime, verifiedInsns, name      uint32
	devBound, btf, funcInfo                  uint32

	statsCnt, statsNsecs, statsMisses uint32 // struct bpf_prog_stats
	userUID                           uint32 // struct user_struct
	btfID                             uint32 // struct btf
	mapID                             uint32 // struct bpf_map
	funcInfoTypeID                    uint32 // struct bpf_func_info
	arrayPptrs                        uint32 // struct bpf_array
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
	// Kernels from 6.16 map the BTF (private, read-only) without a copy;
	// older ones are read, a page per read(2) as sysfs gives it.
	if st, err := f.Stat(); err == nil && st.Size() > 0 {
		data, err := unix.Mmap(int(f.Fd()), 0, int(st.Size()), unix.PROT_READ, unix.MAP_PRIVATE)
		if err == nil {
			defer unix.Munmap(data)
			return parseVmlinuxFacts(data)
		}
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, err
	}
	return parseVmlinuxFacts(data)
}

// BTFTypeTrailer is the size of the data after a raw BTF type's 12-byte
// header, for a type of this kind and vlen; false for a kind unknown.
func BTFTypeTrailer(kind, vlen uint32) (uint32, bool) {
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

// The structs whose members are looked up.
var factStructs = []string{"file", "task_struct", "bpf_prog", "bpf_prog_aux",
	"bpf_prog_stats", "user_struct", "btf", "bpf_map", "bpf_func_info", "bpf_array"}

// The names looked up, as strings of the BTF string section: functions,
// variables, structs and members.
var factNames = append([]string{"bpf_iter_task_file", "bpf_iter_bpf_prog", "pptrs",
	"f_op", "private_data", "tgid", "aux", "id",
	"pages", "type", "len", "jited_len", "tag", "stats", "gpl_compatible",
	"used_map_cnt", "used_maps", "func_cnt", "func", "user", "load_time", "verified_insns",
	"name", "dev_bound", "func_info", "cnt", "nsecs", "misses", "uid", "type_id"}, factStructs...)

// maxFactName is the length of the longest of factNames.
const maxFactName = len("bpf_iter_task_file")

// factTables are the strings and structs found so far, and where each
// type read so far starts, so that members are decoded only when asked.
type factTables struct {
	types   []byte
	offs    map[string]uint32
	structs map[string]uint32
	typeAt  []uint32 // by type id: offset of its header in types
}

func parseVmlinuxFacts(data []byte) (*vmlinuxFacts, error) {
	le := binary.LittleEndian
	if len(data) < 24 || le.Uint16(data) != 0xeb9f {
		return nil, errNoBTF
	}
	hdrLen := uint64(le.Uint32(data[4:]))
	typeOff, typeLen := uint64(le.Uint32(data[8:])), uint64(le.Uint32(data[12:]))
	strOff, strLen := uint64(le.Uint32(data[16:])), uint64(le.Uint32(data[20:]))
	if hdrLen+typeOff+typeLen > uint64(len(data)) || hdrLen+strOff+strLen > uint64(len(data)) {
		return nil, errNoBTF
	}
	offs := findStrings(data[hdrLen+strOff : hdrLen+strOff+strLen])
	t := factTables{types: data[hdrLen+typeOff : hdrLen+typeOff+typeLen], offs: offs,
		structs: map[string]uint32{}, typeAt: make([]uint32, 1, 1<<16)}
	structOf := map[uint32]string{}
	for _, s := range factStructs {
		if o, ok := offs[s]; ok {
			structOf[o] = s
		}
	}
	nameID := func(name string) uint32 {
		if o, ok := offs[name]; ok {
			return o
		}
		return ^uint32(0) // matches no type
	}
	taskFile, progIter := nameID("bpf_iter_task_file"), nameID("bpf_iter_bpf_prog")

	var f vmlinuxFacts
	types := t.types
	for id, at := uint32(1), 0; at+12 <= len(types); id++ {
		nameOff, info := le.Uint32(types[at:]), le.Uint32(types[at+4:])
		kind, vlen := (info>>24)&0x1f, info&0xffff
		size, ok := BTFTypeTrailer(kind, vlen)
		if !ok {
			return nil, errNoBTF
		}
		t.typeAt = append(t.typeAt, uint32(at))
		switch {
		case kind == kindFunc && nameOff == taskFile && f.iterFuncID == 0:
			f.iterFuncID = id
		case kind == kindFunc && nameOff == progIter && f.prog.iterFuncID == 0:
			f.prog.iterFuncID = id
		case kind == kindStruct && nameOff != 0:
			if name, wanted := structOf[nameOff]; wanted && t.structs[name] == 0 {
				t.structs[name] = id
			}
		}
		at += 12 + int(size)
		if at > len(types) {
			return nil, errNoBTF
		}
		if kind == kindFunc && f.iterFuncID != 0 && f.prog.iterFuncID != 0 &&
			len(t.structs) == len(factStructs) && f.resolve(&t) {
			return &f, nil
		}
	}
	if f.iterFuncID != 0 && f.resolve(&t) {
		f.progOK = f.progOK && f.prog.iterFuncID != 0
		return &f, nil
	}
	return nil, errNoBTF
}

// findStrings finds the offsets of factNames in the string section:
// each name's first occurrence as a whole string. A search for each name
// runs at memory speed where walking the strings one by one would cost
// milliseconds (the iterator functions are a megabyte in). A name the
// kernel lacks is left out of the result.
func findStrings(strs []byte) map[string]uint32 {
	offs := make(map[string]uint32, len(factNames))
	pat := make([]byte, 0, maxFactName+1)
	for _, n := range factNames {
		pat = append(append(pat[:0], n...), 0)
		for from := 0; from < len(strs); {
			i := bytes.Index(strs[from:], pat)
			if i < 0 {
				break
			}
			at := from + i
			if at == 0 || strs[at-1] == 0 {
				offs[n] = uint32(at)
				break
			}
			from = at + 1
		}
	}
	return offs
}

// resolve fills the member offsets once every struct is known; false when
// a member of the pid iterator sits in an anonymous type not read yet.
// The program iterator's members set progOK when all are found.
func (f *vmlinuxFacts) resolve(t *factTables) bool {
	var ok [5]bool
	f.fileFOp, ok[0] = t.member("file", "f_op")
	f.filePrivate, ok[1] = t.member("file", "private_data")
	f.taskTgid, ok[2] = t.member("task_struct", "tgid")
	f.progAux, ok[3] = t.member("bpf_prog", "aux")
	f.auxID, ok[4] = t.member("bpf_prog_aux", "id")
	if ok != [5]bool{true, true, true, true, true} {
		return false
	}
	f.progOK = f.prog.resolve(t)
	return true
}

func (p *progIterFacts) resolve(t *factTables) bool {
	all := true
	get := func(dst *uint32, s, m string) {
		v, ok := t.member(s, m)
		*dst = v
		all = all && ok
	}
	get(&p.pages, "bpf_prog", "pages")
	get(&p.typ, "bpf_prog", "type")
	get(&p.len, "bpf_prog", "len")
	get(&p.jitedLen, "bpf_prog", "jited_len")
	get(&p.tag, "bpf_prog", "tag")
	get(&p.stats, "bpf_prog", "stats")
	get(&p.aux, "bpf_prog", "aux")
	gplBits, ok := t.memberBits("bpf_prog", "gpl_compatible")
	p.gplByte, p.gplBit = gplBits/8, gplBits%8
	all = all && ok
	get(&p.id, "bpf_prog_aux", "id")
	get(&p.usedMapCnt, "bpf_prog_aux", "used_map_cnt")
	get(&p.usedMaps, "bpf_prog_aux", "used_maps")
	get(&p.funcCnt, "bpf_prog_aux", "func_cnt")
	get(&p.funcs, "bpf_prog_aux", "func")
	get(&p.user, "bpf_prog_aux", "user")
	get(&p.loadTime, "bpf_prog_aux", "load_time")
	get(&p.verifiedInsns, "bpf_prog_aux", "verified_insns")
	get(&p.name, "bpf_prog_aux", "name")
	get(&p.devBound, "bpf_prog_aux", "dev_bound")
	get(&p.btf, "bpf_prog_aux", "btf")
	get(&p.funcInfo, "bpf_prog_aux", "func_info")
	get(&p.statsCnt, "bpf_prog_stats", "cnt")
	get(&p.statsNsecs, "bpf_prog_stats", "nsecs")
	get(&p.statsMisses, "bpf_prog_stats", "misses")
	get(&p.userUID, "user_struct", "uid")
	get(&p.btfID, "btf", "id")
	get(&p.mapID, "bpf_map", "id")
	get(&p.funcInfoTypeID, "bpf_func_info", "type_id")
	get(&p.arrayPptrs, "bpf_array", "pptrs")
	return all
}

// member finds a member's byte offset in a wanted struct.
func (t *factTables) member(s, m string) (uint32, bool) {
	bits, ok := t.memberBits(s, m)
	return bits / 8, ok
}

// memberBits finds a member's bit offset in a wanted struct.
func (t *factTables) memberBits(s, m string) (uint32, bool) {
	id, ok := t.structs[s]
	if !ok {
		return 0, false
	}
	nameOff, ok := t.offs[m]
	if !ok {
		return 0, false
	}
	return t.memberIn(id, nameOff, 0)
}

// memberIn finds a named member's bit offset in struct or union id,
// looking through anonymous struct and union members. An anonymous type
// not read yet is not looked into: the caller asks again later.
func (t *factTables) memberIn(id, nameOff uint32, depth int) (uint32, bool) {
	if depth > 8 || id == 0 || int(id) >= len(t.typeAt) {
		return 0, false
	}
	le := binary.LittleEndian
	at := t.typeAt[id]
	info := le.Uint32(t.types[at+4:])
	kind, vlen, kflag := (info>>24)&0x1f, info&0xffff, info>>31 != 0
	if kind != kindStruct && kind != kindUnion {
		return 0, false
	}
	ms := t.types[at+12 : at+12+12*vlen]
	for i := uint32(0); i < vlen; i++ {
		m := ms[12*i:]
		name, typ, bits := le.Uint32(m), le.Uint32(m[4:]), le.Uint32(m[8:])
		if kflag {
			bits &= 0xffffff
		}
		if name == nameOff {
			return bits, true
		}
		if name == 0 {
			if o, ok := t.memberIn(typ, nameOff, depth+1); ok {
				return bits + o, true
			}
		}
	}
	return 0, false
}
