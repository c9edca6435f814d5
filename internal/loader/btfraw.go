package loader

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"slices"
	"sort"
	"syscall"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/btf"

	"github.com/gobpftool/gobpftool/internal/errno"
	"github.com/gobpftool/gobpftool/internal/kernel"
)

// The object's .BTF and .BTF.ext as libbpf reads them. cilium/ebpf parses
// both strictly and all at once, while libbpf checks little when it opens
// an object (btf__new, btf_ext__new), repairs DATASECs from the ELF
// symbols, and later hands the section's bytes to the kernel as they are:
// what the kernel refuses, libbpf drops ("BTF is optional, ignoring") and
// loads the maps and programs without BTF. This file has libbpf's checks
// and keeps the bytes it would load, so that the loader can decide as
// libbpf does, and hide from cilium/ebpf what libbpf would not use.

const btfMagic = 0xeb9f

// enotsupp is the kernel's ENOTSUPP, which libbpf's ENOTSUP stands for.
const enotsupp = 524

// rawBTF is the object's .BTF after libbpf's btf__new and its DATASEC
// fixups: the bytes libbpf loads into the kernel.
type rawBTF struct {
	data  []byte
	types []byte // the type section, within data
	strs  []byte // the string section, within data
	offs  []int  // where type id i+1 starts in types
}

// parseRawBTF is libbpf's btf__new (btf_parse_hdr, btf_parse_str_sec,
// btf_parse_type_sec): it returns the negative errno libbpf fails with,
// and prints the lines libbpf prints at warning level.
func parseRawBTF(sec []byte, warn func(string, ...any)) (*rawBTF, int) {
	const hdrSize = 24
	le := binary.LittleEndian
	einval := -int(syscall.EINVAL)
	if len(sec) < hdrSize {
		return nil, einval
	}
	data := append([]byte(nil), sec...)
	if le.Uint16(data) == 0x9feb {
		// Big-endian BTF: libbpf swaps it only with a 24-byte header.
		if binary.BigEndian.Uint32(data[4:]) != hdrSize {
			warn("Can't load BTF with non-native endianness due to unsupported header length %d\n", binary.BigEndian.Uint32(data[4:]))
			return nil, -enotsupp
		}
		return nil, einval
	}
	if le.Uint16(data) != btfMagic {
		return nil, einval
	}
	hdrLen := uint64(le.Uint32(data[4:]))
	typeOff, typeLen := uint64(le.Uint32(data[8:])), uint64(le.Uint32(data[12:]))
	strOff, strLen := uint64(le.Uint32(data[16:])), uint64(le.Uint32(data[20:]))
	size := uint64(len(data))
	if size < hdrLen || size-hdrLen < strOff+strLen || typeOff+typeLen > strOff || typeOff%4 != 0 {
		return nil, einval
	}
	r := &rawBTF{data: data}
	r.strs = data[hdrLen+strOff : hdrLen+strOff+strLen]
	r.types = data[hdrLen+typeOff : hdrLen+typeOff+typeLen]
	const maxStrOffset = 0x7fffffff
	if strLen == 0 || strLen-1 > maxStrOffset || r.strs[strLen-1] != 0 || r.strs[0] != 0 {
		return nil, einval
	}
	off := 0
	for off+12 <= len(r.types) {
		info := le.Uint32(r.types[off+4:])
		trailer, ok := kernel.BTFTypeTrailer((info>>24)&0x1f, info&0xffff)
		if !ok {
			return nil, einval
		}
		if off+12+int(trailer) > len(r.types) {
			warn("BTF type [%d] is malformed\n", len(r.offs)+1)
			return nil, einval
		}
		r.offs = append(r.offs, off)
		off += 12 + int(trailer)
	}
	if off != len(r.types) {
		warn("BTF types data is malformed\n")
		return nil, einval
	}
	return r, 0
}

// str is btf__name_by_offset: false past the string section.
func (r *rawBTF) str(off uint32) (string, bool) {
	if uint64(off) >= uint64(len(r.strs)) {
		return "", false
	}
	s := r.strs[off:]
	return string(s[:bytes.IndexByte(s, 0)]), true
}

// typ returns where type id starts in r.types, its kind and vlen.
func (r *rawBTF) typ(id uint32) (off int, kind, vlen uint32, ok bool) {
	if id == 0 || uint64(id) > uint64(len(r.offs)) {
		return 0, 0, 0, false
	}
	off = r.offs[id-1]
	info := binary.LittleEndian.Uint32(r.types[off+4:])
	return off, (info >> 24) & 0x1f, info & 0xffff, true
}

const (
	btfKindVar     = 14
	btfKindDatasec = 15
	btfVarStatic   = 0
)

// finalize is the oracle's bpf_object__finalize_btf: a DATASEC of size 0
// takes the size of its ELF section and each non-static variable the value
// of its ELF symbol as offset; then the variables are sorted by offset. It
// returns the negative errno libbpf fails with.
func (r *rawBTF) finalize(f *elf.File, syms []elf.Symbol) int {
	le := binary.LittleEndian
	for id := uint32(1); uint64(id) <= uint64(len(r.offs)); id++ {
		off, kind, vlen, _ := r.typ(id)
		if kind != btfKindDatasec {
			continue
		}
		t := r.types[off:]
		name, ok := r.str(le.Uint32(t))
		if !ok {
			return -int(syscall.ENOENT)
		}
		vars := t[12 : 12+12*int(vlen)]
		if le.Uint32(t[8:]) == 0 {
			s := f.Section(name)
			if s == nil || s.Size == 0 {
				return -int(syscall.ENOENT)
			}
			le.PutUint32(t[8:], uint32(s.Size))
			for i := 0; i < int(vlen); i++ {
				vi := vars[12*i:]
				voff, vkind, _, ok := r.typ(le.Uint32(vi))
				if !ok || vkind != btfKindVar {
					return -int(syscall.EINVAL)
				}
				if le.Uint32(r.types[voff+12:]) == btfVarStatic {
					continue
				}
				vname, ok := r.str(le.Uint32(r.types[voff:]))
				if !ok {
					return -int(syscall.ENOENT)
				}
				val, found := varSymbol(syms, vname)
				if !found {
					return -int(syscall.ENOENT)
				}
				le.PutUint32(vi[4:], uint32(val))
			}
		}
		type secinfo struct {
			off uint32
			rec [12]byte
		}
		recs := make([]secinfo, vlen)
		for i := range recs {
			copy(recs[i].rec[:], vars[12*i:])
			recs[i].off = le.Uint32(vars[12*i+4:])
		}
		// qsort with compare_vsi_off: the difference of the offsets as
		// an int, which is what orders them for offsets below 2 GiB.
		sort.SliceStable(recs, func(i, j int) bool { return int32(recs[i].off-recs[j].off) < 0 })
		for i := range recs {
			copy(vars[12*i:], recs[i].rec[:])
		}
	}
	return 0
}

// varSymbol is libbpf's find_elf_var_offset: a global or weak object
// symbol of that name.
func varSymbol(syms []elf.Symbol, name string) (uint64, bool) {
	for _, s := range syms {
		bind := elf.ST_BIND(s.Info)
		if elf.ST_TYPE(s.Info) == elf.STT_OBJECT && (bind == elf.STB_GLOBAL || bind == elf.STB_WEAK) && s.Name == name {
			return s.Value, true
		}
	}
	return 0, false
}

// checkRawBTFExt is libbpf's btf_ext__new: the negative errno it fails
// with, or 0.
func checkRawBTFExt(b []byte, warn func(string, ...any)) int {
	le := binary.LittleEndian
	einval, enotsup := -int(syscall.EINVAL), -enotsupp
	if len(b) < 8 || uint64(len(b)) < uint64(le.Uint32(b[4:])) {
		return einval
	}
	switch le.Uint16(b) {
	case btfMagic:
	case 0x9feb:
		warn("BTF.ext in non-native endianness is not supported\n")
		return enotsup
	default:
		return einval
	}
	if b[2] != 1 || b[3] != 0 {
		return enotsup
	}
	hdrLen := le.Uint32(b[4:])
	if uint64(len(b)) == uint64(hdrLen) || hdrLen < 24 {
		return einval
	}
	// func_info, line_info, then core_relo when the header has room.
	infos := []struct{ at, minRec int }{{8, 8}, {16, 16}, {24, 16}}
	for i, in := range infos {
		if i == 2 && hdrLen < 32 {
			break
		}
		off, n := uint64(le.Uint32(b[in.at:])), uint64(le.Uint32(b[in.at+4:]))
		if n == 0 {
			continue
		}
		if off%4 != 0 || uint64(hdrLen)+off+n > uint64(len(b)) || n < 4 {
			return einval
		}
		info := b[uint64(hdrLen)+off : uint64(hdrLen)+off+n]
		rec := uint64(le.Uint32(info))
		if rec < uint64(in.minRec) || rec%4 != 0 || n == 4 {
			return einval
		}
		for left := info[4:]; len(left) > 0; {
			if len(left) < 8 {
				return einval
			}
			num := uint64(le.Uint32(left[4:]))
			total := 8 + num*rec
			if num == 0 || uint64(len(left)) < total {
				return einval
			}
			left = left[total:]
		}
	}
	return 0
}

// badLineInfo lists the sections whose line info the kernel refuses as
// libbpf hands it over (check_btf_line): in each section, the records
// libbpf keeps (up to the first past the section's end) must have
// increasing instructions that do not start in the middle of a 16-byte
// load, and string offsets within the string section. cilium/ebpf refuses
// these and more (offsets inside a string) when it opens the object; the
// loader then opens it without .BTF.ext and fails the programs of these
// sections as the kernel would have.
func badLineInfo(r *rawBTF, ext []byte, f *elf.File) map[string]bool {
	le := binary.LittleEndian
	hdrLen := uint64(le.Uint32(ext[4:]))
	off, n := uint64(le.Uint32(ext[16:])), uint64(le.Uint32(ext[20:]))
	if n == 0 {
		return nil
	}
	info := ext[hdrLen+off : hdrLen+off+n]
	rec := uint64(le.Uint32(info))
	bad := map[string]bool{}
	for left := info[4:]; len(left) >= 8; {
		name, _ := r.str(le.Uint32(left))
		num := uint64(le.Uint32(left[4:]))
		recs := left[8 : 8+num*rec]
		left = left[8+num*rec:]
		s := f.Section(name)
		if s == nil || s.Type != elf.SHT_PROGBITS {
			continue
		}
		code, err := s.Data()
		if err != nil {
			continue
		}
		insns := uint64(len(code)) / bpfInsnSize
		prev := int64(-1)
		for i := uint64(0); i < num; i++ {
			rr := recs[i*rec:]
			insn := uint64(le.Uint32(rr)) / bpfInsnSize
			if insn >= insns {
				break
			}
			if int64(insn) <= prev || code[insn*bpfInsnSize] == 0 ||
				uint64(le.Uint32(rr[4:])) >= uint64(len(r.strs)) || uint64(le.Uint32(rr[8:])) >= uint64(len(r.strs)) {
				bad[name] = true
				break
			}
			prev = int64(insn)
		}
	}
	return bad
}

// loadIntoKernel is libbpf's bpf_object__sanitize_and_load_btf on a kernel
// that needs no sanitizing: it loads the bytes and, if the kernel refuses
// them, prints what libbpf prints and reports false: BTF is then dropped.
func (l *Object) loadIntoKernel(r *rawBTF) bool {
	h, err := btf.NewHandleFromRawBTF(r.data)
	if err == nil {
		h.Close()
		return true
	}
	en := errno.Of(err)
	l.warn("BTF loading error: %d\n", -int(en))
	var ve *ebpf.VerifierError
	if errors.As(err, &ve) && len(ve.Log) > 0 {
		log := ""
		for _, line := range ve.Log {
			log += line + "\n"
		}
		l.warn("-- BEGIN BTF LOAD LOG ---\n%s\n-- END BTF LOAD LOG --\n", log)
	}
	l.warn("Error loading .BTF into kernel: %d. BTF is optional, ignoring.\n", -int(en))
	return false
}

// hideSections returns a copy of raw in which the named sections have no
// name, so that cilium/ebpf reads the object as if they were absent.
// Only a 64-bit little-endian object, as BPF objects for this machine
// are, is rewritten; raw itself is returned when nothing is hidden.
func hideSections(raw []byte, f *elf.File, names ...string) []byte {
	if len(names) == 0 || f.Class != elf.ELFCLASS64 || f.ByteOrder != binary.LittleEndian || len(raw) < 64 {
		return raw
	}
	le := binary.LittleEndian
	shoff := le.Uint64(raw[40:])
	var out []byte
	for i, s := range f.Sections {
		at := shoff + uint64(i)*64
		if !slices.Contains(names, s.Name) || at > uint64(len(raw))-4 {
			continue
		}
		if out == nil {
			out = append([]byte(nil), raw...)
		}
		le.PutUint32(out[at:], 0)
	}
	if out == nil {
		return raw
	}
	return out
}
