package loader

import (
	"debug/elf"
	"encoding/binary"

	"github.com/gobpftool/gobpftool/internal/kernel"
)

// relaxMapFields is libbpf's relaxed_maps (-m) for cilium/ebpf, which
// refuses any field of a BTF map definition it does not know: in a copy of
// the object, each unknown member of a .maps definition is made a second
// copy of the definition's first known member (same name, same type; its
// offset kept, so the kernel still accepts the BTF). cilium/ebpf then reads
// the known member twice, to the same value, and the unknown one is gone, as
// libbpf skips it. It returns nil when nothing needed changing or the BTF
// cannot be walked.
func relaxMapFields(raw []byte, f *elf.File) []byte {
	sec := f.Section(".BTF")
	if sec == nil || sec.Type == elf.SHT_NOBITS || sec.Offset+sec.Size > uint64(len(raw)) {
		return nil
	}
	out := append([]byte(nil), raw...)
	b := out[sec.Offset : sec.Offset+sec.Size]
	le := binary.LittleEndian
	if len(b) < 24 || le.Uint16(b) != 0xeb9f {
		return nil
	}
	hdrLen := uint64(le.Uint32(b[4:]))
	typeOff, typeLen := uint64(le.Uint32(b[8:])), uint64(le.Uint32(b[12:]))
	strOff, strLen := uint64(le.Uint32(b[16:])), uint64(le.Uint32(b[20:]))
	if hdrLen+typeOff+typeLen > uint64(len(b)) || hdrLen+strOff+strLen > uint64(len(b)) {
		return nil
	}
	types := b[hdrLen+typeOff : hdrLen+typeOff+typeLen]
	strs := b[hdrLen+strOff : hdrLen+strOff+strLen]
	name := func(off uint32) string {
		if uint64(off) >= uint64(len(strs)) {
			return ""
		}
		s := strs[off:]
		for i, c := range s {
			if c == 0 {
				return string(s[:i])
			}
		}
		return ""
	}
	// Where each type starts, by id.
	starts := []int{0}
	for off := 0; off+12 <= len(types); {
		info := le.Uint32(types[off+4:])
		size, ok := kernel.BTFTypeTrailer((info>>24)&0x1f, info&0xffff)
		if !ok {
			return nil
		}
		starts = append(starts, off)
		off += 12 + int(size)
	}
	typeAt := func(id uint32) (off int, kind, vlen uint32, ok bool) {
		if id == 0 || int(id) >= len(starts) {
			return 0, 0, 0, false
		}
		off = starts[id]
		info := le.Uint32(types[off+4:])
		return off, (info >> 24) & 0x1f, info & 0xffff, true
	}
	changed := false
	for id := uint32(1); int(id) < len(starts); id++ {
		off, kind, vlen, _ := typeAt(id)
		if kind != 15 || name(le.Uint32(types[off:])) != ".maps" { // DATASEC
			continue
		}
		for v := uint32(0); v < vlen; v++ {
			rec := off + 12 + 12*int(v)
			if rec+12 > len(types) {
				return nil
			}
			varOff, varKind, _, ok := typeAt(le.Uint32(types[rec:]))
			if !ok || varKind != 14 { // VAR
				continue
			}
			// Through typedefs and qualifiers to the definition.
			t := le.Uint32(types[varOff+8:])
			for hops := 0; hops < 16; hops++ {
				o, k, _, ok := typeAt(t)
				if !ok || (k != 8 && k != 9 && k != 10 && k != 11) {
					break
				}
				t = le.Uint32(types[o+8:])
			}
			sOff, sKind, sVlen, ok := typeAt(t)
			if !ok || sKind != 4 { // STRUCT
				continue
			}
			first := -1
			for m := 0; m < int(sVlen); m++ {
				mr := sOff + 12 + 12*m
				if mr+12 > len(types) {
					return nil
				}
				if libbpfMapFields[name(le.Uint32(types[mr:]))] {
					first = mr
					break
				}
			}
			if first < 0 {
				continue
			}
			for m := 0; m < int(sVlen); m++ {
				mr := sOff + 12 + 12*m
				if libbpfMapFields[name(le.Uint32(types[mr:]))] {
					continue
				}
				copy(types[mr:mr+8], types[first:first+8])
				changed = true
			}
		}
	}
	if !changed {
		return nil
	}
	return out
}
