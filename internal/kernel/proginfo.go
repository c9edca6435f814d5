package kernel

import (
	"bytes"
	"encoding/binary"
	"runtime"
	"unsafe"

	"github.com/cilium/ebpf/btf"
)

// progInfo mirrors struct bpf_prog_info of the kernel UAPI, field for field.
type progInfo struct {
	Type                 uint32
	ID                   uint32
	Tag                  [8]byte
	JitedProgLen         uint32
	XlatedProgLen        uint32
	JitedProgInsns       kptr
	XlatedProgInsns      kptr
	LoadTime             uint64
	CreatedByUID         uint32
	NrMapIDs             uint32
	MapIDs               kptr
	Name                 [16]byte
	Ifindex              uint32
	GPLCompatible        uint32 // bit 0
	NetnsDev             uint64
	NetnsIno             uint64
	NrJitedKsyms         uint32
	NrJitedFuncLens      uint32
	JitedKsyms           kptr
	JitedFuncLens        kptr
	BTFID                uint32
	FuncInfoRecSize      uint32
	FuncInfo             kptr
	NrFuncInfo           uint32
	NrLineInfo           uint32
	LineInfo             kptr
	JitedLineInfo        kptr
	NrJitedLineInfo      uint32
	LineInfoRecSize      uint32
	JitedLineInfoRecSize uint32
	NrProgTags           uint32
	ProgTags             kptr
	RunTimeNs            uint64
	RunCnt               uint64
	RecursionMisses      uint64
	VerifiedInsns        uint32
	AttachBTFObjID       uint32
	AttachBTFID          uint32
	_                    uint32
}

// ProgInfo is what the kernel tells about one loaded program.
type ProgInfo struct {
	Type            uint32
	ID              uint32
	Tag             [8]byte
	JitedLen        uint32
	XlatedLen       uint32
	LoadTime        uint64 // ns since boot
	UID             uint32
	Name            string // the kernel's copy, cut at 15 bytes
	Ifindex         uint32
	GPL             bool
	NetnsDev        uint64
	NetnsIno        uint64
	BTFID           uint32
	RunTimeNs       uint64
	RunCnt          uint64
	RecursionMisses uint64
	VerifiedInsns   uint32

	NrMapIDs        uint32
	MapIDs          []uint32
	NrFuncInfo      uint32
	FuncInfoRecSize uint32
	NrLineInfo      uint32
	LineInfoRecSize uint32
	NrJitedLineInfo uint32
	NrJitedKsyms    uint32
	NrJitedFuncLens uint32
	NrProgTags      uint32

	// Filled by ProgInfoImages only.
	Xlated        []byte
	Jited         []byte
	JitedKsyms    []uint64
	JitedFuncLens []uint32
	FuncInfo      []byte
	LineInfo      []byte
	JitedLineInfo []byte
	JitedLineRec  uint32
	// FuncTags are the tags of the program's functions, main first
	// (ProgInfoImages with ImageJited).
	FuncTags [][8]byte
}

// mapIDGuess sizes the map id buffer of the first info call, so that a
// listing needs one call per program for almost every program.
const mapIDGuess = 16

// GetProgInfo reads a program's info and its map ids.
func GetProgInfo(fd int) (*ProgInfo, error) {
	var raw progInfo
	ids := make([]uint32, mapIDGuess)
	raw.NrMapIDs = uint32(len(ids))
	raw.MapIDs = ptr(ids)
	err := objInfo(fd, unsafe.Pointer(&raw), uint32(unsafe.Sizeof(raw)))
	runtime.KeepAlive(ids)
	if err != nil {
		return nil, err
	}
	if raw.NrMapIDs > uint32(len(ids)) {
		n := raw.NrMapIDs
		ids = make([]uint32, n)
		raw = progInfo{NrMapIDs: n, MapIDs: ptr(ids)}
		err = objInfo(fd, unsafe.Pointer(&raw), uint32(unsafe.Sizeof(raw)))
		runtime.KeepAlive(ids)
		if err != nil {
			return nil, err
		}
		if raw.NrMapIDs < n {
			n = raw.NrMapIDs
		}
		ids = ids[:n]
	} else {
		ids = ids[:raw.NrMapIDs]
	}
	pi := fromRaw(&raw)
	pi.MapIDs = ids
	return pi, nil
}

func fromRaw(r *progInfo) *ProgInfo {
	n := 0
	for n < len(r.Name) && r.Name[n] != 0 {
		n++
	}
	return &ProgInfo{
		Type: r.Type, ID: r.ID, Tag: r.Tag,
		JitedLen: r.JitedProgLen, XlatedLen: r.XlatedProgLen,
		LoadTime: r.LoadTime, UID: r.CreatedByUID,
		Name:    string(r.Name[:n]),
		Ifindex: r.Ifindex, GPL: r.GPLCompatible&1 != 0,
		NetnsDev: r.NetnsDev, NetnsIno: r.NetnsIno,
		BTFID:     r.BTFID,
		RunTimeNs: r.RunTimeNs, RunCnt: r.RunCnt, RecursionMisses: r.RecursionMisses,
		VerifiedInsns: r.VerifiedInsns,
		NrMapIDs:      r.NrMapIDs,
		NrFuncInfo:    r.NrFuncInfo, FuncInfoRecSize: r.FuncInfoRecSize,
		NrLineInfo: r.NrLineInfo, LineInfoRecSize: r.LineInfoRecSize,
		NrJitedLineInfo: r.NrJitedLineInfo,
		NrJitedKsyms:    r.NrJitedKsyms, NrJitedFuncLens: r.NrJitedFuncLens,
		NrProgTags:   r.NrProgTags,
		JitedLineRec: r.JitedLineInfoRecSize,
	}
}

// Image selects which instruction image ProgInfoImages fetches.
type Image int

const (
	ImageXlated Image = iota
	ImageJited
)

// ProgInfoImages reads a program's info together with one instruction
// image and everything a dump needs beside it: jited ksyms and function
// lengths, func_info, line_info and jited line info. It asks for the
// sizes first and then for the buffers, as bpftool's prep_prog_info.
func ProgInfoImages(fd int, img Image) (*ProgInfo, error) {
	first, err := GetProgInfo(fd)
	if err != nil {
		return nil, err
	}
	var raw progInfo
	var xl, jt []byte
	if img == ImageJited {
		jt = make([]byte, first.JitedLen)
		raw.JitedProgLen = first.JitedLen
		raw.JitedProgInsns = ptr(jt)
	} else {
		xl = make([]byte, first.XlatedLen)
		raw.XlatedProgLen = first.XlatedLen
		raw.XlatedProgInsns = ptr(xl)
	}
	ksyms := make([]uint64, first.NrJitedKsyms)
	raw.NrJitedKsyms, raw.JitedKsyms = uint32(len(ksyms)), ptr(ksyms)
	lens := make([]uint32, first.NrJitedFuncLens)
	raw.NrJitedFuncLens, raw.JitedFuncLens = uint32(len(lens)), ptr(lens)
	fi := make([]byte, int(first.NrFuncInfo)*int(first.FuncInfoRecSize))
	raw.NrFuncInfo, raw.FuncInfoRecSize, raw.FuncInfo = first.NrFuncInfo, first.FuncInfoRecSize, ptr(fi)
	li := make([]byte, int(first.NrLineInfo)*int(first.LineInfoRecSize))
	raw.NrLineInfo, raw.LineInfoRecSize, raw.LineInfo = first.NrLineInfo, first.LineInfoRecSize, ptr(li)
	var tags []byte
	if img == ImageJited {
		tags = make([]byte, 8*int(first.NrProgTags))
		raw.NrProgTags, raw.ProgTags = first.NrProgTags, ptr(tags)
	}
	jli := make([]byte, int(first.NrJitedLineInfo)*int(first.JitedLineRec))
	raw.NrJitedLineInfo, raw.JitedLineInfoRecSize, raw.JitedLineInfo = first.NrJitedLineInfo, first.JitedLineRec, ptr(jli)

	err = objInfo(fd, unsafe.Pointer(&raw), uint32(unsafe.Sizeof(raw)))
	runtime.KeepAlive(xl)
	runtime.KeepAlive(jt)
	runtime.KeepAlive(ksyms)
	runtime.KeepAlive(lens)
	runtime.KeepAlive(fi)
	runtime.KeepAlive(li)
	runtime.KeepAlive(jli)
	runtime.KeepAlive(tags)
	if err != nil {
		return nil, err
	}
	pi := fromRaw(&raw)
	pi.MapIDs = first.MapIDs
	pi.NrMapIDs = first.NrMapIDs
	// The kernel reports 0 for an image it withholds (kptr_restrict) and
	// leaves the pointer; the lengths say what was really filled.
	if img == ImageJited {
		pi.Jited = jt[:min(int(raw.JitedProgLen), len(jt))]
		if raw.JitedProgInsns.isNil() {
			pi.Jited = nil
		}
	} else {
		pi.Xlated = xl[:min(int(raw.XlatedProgLen), len(xl))]
		if raw.XlatedProgInsns.isNil() {
			pi.Xlated = nil
		}
	}
	pi.JitedKsyms = ksyms[:min(int(raw.NrJitedKsyms), len(ksyms))]
	if raw.JitedKsyms.isNil() {
		pi.JitedKsyms = nil
	}
	pi.JitedFuncLens = lens[:min(int(raw.NrJitedFuncLens), len(lens))]
	pi.FuncInfo = fi
	pi.LineInfo = li
	pi.JitedLineInfo = jli
	for i := 0; i+8 <= len(tags) && i/8 < int(raw.NrProgTags); i += 8 {
		pi.FuncTags = append(pi.FuncTags, [8]byte(tags[i:i+8]))
	}
	return pi, nil
}

// mapInfo mirrors the head of struct bpf_map_info that we read.
type mapInfo struct {
	Type                  uint32
	ID                    uint32
	KeySize               uint32
	ValueSize             uint32
	MaxEntries            uint32
	MapFlags              uint32
	Name                  [16]byte
	Ifindex               uint32
	BTFVmlinuxValueTypeID uint32
	NetnsDev              uint64
	NetnsIno              uint64
	BTFID                 uint32
	BTFKeyTypeID          uint32
	BTFValueTypeID        uint32
	BTFVmlinuxID          uint32
	MapExtra              uint64
}

// MapInfo is what the kernel tells about one map.
type MapInfo struct {
	Type, ID, KeySize, ValueSize, MaxEntries, Flags uint32
	Name                                            string
	BTFID, BTFValueTypeID                           uint32
}

// GetMapInfo reads a map's info.
func GetMapInfo(fd int) (*MapInfo, error) {
	var raw mapInfo
	if err := objInfo(fd, unsafe.Pointer(&raw), uint32(unsafe.Sizeof(raw))); err != nil {
		return nil, err
	}
	n := 0
	for n < len(raw.Name) && raw.Name[n] != 0 {
		n++
	}
	return &MapInfo{Type: raw.Type, ID: raw.ID, KeySize: raw.KeySize, ValueSize: raw.ValueSize,
		MaxEntries: raw.MaxEntries, Flags: raw.MapFlags, Name: string(raw.Name[:n]),
		BTFID: raw.BTFID, BTFValueTypeID: raw.BTFValueTypeID}, nil
}

type btfInfo struct {
	BTF       kptr
	BTFSize   uint32
	ID        uint32
	Name      kptr
	NameLen   uint32
	KernelBTF uint32
}

// BTFRaw returns the raw BTF blob (header, types, strings) of BTF id.
func BTFRaw(id uint32) ([]byte, error) {
	fd, err := BTFFDByID(id)
	if err != nil {
		return nil, err
	}
	defer Close(fd)
	var bi btfInfo
	if err := objInfo(fd, unsafe.Pointer(&bi), uint32(unsafe.Sizeof(bi))); err != nil {
		return nil, err
	}
	buf := make([]byte, bi.BTFSize)
	bi = btfInfo{BTF: ptr(buf), BTFSize: uint32(len(buf))}
	err = objInfo(fd, unsafe.Pointer(&bi), uint32(unsafe.Sizeof(bi)))
	runtime.KeepAlive(buf)
	if err != nil {
		return nil, err
	}
	return buf[:min(int(bi.BTFSize), len(buf))], nil
}

// GetProgInfoLite returns only a program's id, with one info call and no
// buffers.
func GetProgInfoLite(fd int) (uint32, error) {
	var raw progInfo
	if err := objInfo(fd, unsafe.Pointer(&raw), uint32(unsafe.Sizeof(raw))); err != nil {
		return 0, err
	}
	return raw.ID, nil
}

// FirstFuncInfo returns the BTF type id of the program's first function
// and the program's BTF id, with one info call.
func FirstFuncInfo(fd int, recSize uint32) (typeID, btfID uint32, ok bool) {
	var rec [8]uint32
	var raw progInfo
	if recSize > uint32(len(rec)*4) {
		recSize = uint32(len(rec) * 4)
	}
	raw.NrFuncInfo = 1
	raw.FuncInfoRecSize = recSize
	raw.FuncInfo = ptr(rec[:])
	err := objInfo(fd, unsafe.Pointer(&raw), uint32(unsafe.Sizeof(raw)))
	runtime.KeepAlive(&rec)
	if err != nil || recSize < 8 {
		return 0, 0, false
	}
	return rec[1], raw.BTFID, true
}

// JitedLineAddrs decodes jited_line_info (ProgInfoImages with line info):
// the JIT address of each line record.
func (pi *ProgInfo) JitedLineAddrs() []uint64 {
	rec := int(pi.JitedLineRec)
	if rec < 8 {
		return nil
	}
	out := make([]uint64, len(pi.JitedLineInfo)/rec)
	for i := range out {
		out[i] = binary.NativeEndian.Uint64(pi.JitedLineInfo[i*rec:])
	}
	return out
}

// FuncTypeIDs decodes func_info (ProgInfoImages): the BTF type id of each
// function, in the order of the program's functions.
func (pi *ProgInfo) FuncTypeIDs() []uint32 {
	rec := int(pi.FuncInfoRecSize)
	if rec < 8 {
		return nil
	}
	out := make([]uint32, len(pi.FuncInfo)/rec)
	for i := range out {
		// struct bpf_func_info { __u32 insn_off; __u32 type_id; }
		out[i] = binary.NativeEndian.Uint32(pi.FuncInfo[i*rec+4:])
	}
	return out
}

// BTFSpec reads and parses the kernel's BTF object id.
func BTFSpec(id uint32) (*btf.Spec, error) {
	raw, err := BTFRaw(id)
	if err != nil {
		return nil, err
	}
	return btf.LoadSpecFromReader(bytes.NewReader(raw))
}
