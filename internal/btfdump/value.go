// Package btfdump renders BPF data through its BTF type the way bpftool's
// btf_dumper does, as JSON values on a jsonw writer; in plain mode (used by
// `prog show` for metadata) a few scalars print differently.
package btfdump

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"

	"github.com/cilium/ebpf/btf"
	"github.com/gobpftool/gobpftool/internal/jsonw"
)

// ErrUnsupported is returned for kinds bpftool refuses to dump.
var ErrUnsupported = errors.New("unsupported BTF kind")

// Dumper writes values of one BTF.
type Dumper struct {
	W     *jsonw.Writer
	Plain bool
}

var le = binary.LittleEndian

// Value writes data interpreted as typ.
func (d *Dumper) Value(typ btf.Type, data []byte) error {
	return d.value(typ, 0, data)
}

func (d *Dumper) value(typ btf.Type, bitOff uint32, data []byte) error {
	switch t := typ.(type) {
	case *btf.Int:
		return d.integer(t, bitOff, data)
	case *btf.Struct:
		return d.members(t.Members, data)
	case *btf.Union:
		return d.members(t.Members, data)
	case *btf.Array:
		return d.array(t, data)
	case *btf.Enum:
		return d.enum(t, data)
	case *btf.Pointer:
		v := le.Uint64(pad(data, 8))
		if d.Plain {
			if v == 0 {
				d.W.Raw("(nil)")
			} else {
				d.W.Printf("0x%x", v)
			}
		} else {
			d.W.Printf("%d", v)
		}
		return nil
	case *btf.Fwd:
		d.W.Raw("(fwd-kind-invalid)")
		return ErrUnsupported
	case *btf.Typedef:
		return d.value(t.Type, bitOff, data)
	case *btf.Volatile:
		return d.value(t.Type, bitOff, data)
	case *btf.Const:
		return d.value(t.Type, bitOff, data)
	case *btf.Restrict:
		return d.value(t.Type, bitOff, data)
	case *btf.TypeTag:
		return d.value(t.Type, bitOff, data)
	case *btf.Var:
		d.W.StartObject()
		d.W.Name(t.Name)
		err := d.value(t.Type, bitOff, data)
		d.W.EndObject()
		return err
	case *btf.Datasec:
		d.W.StartObject()
		d.W.Name(t.Name)
		d.W.StartArray()
		var err error
		for _, v := range t.Vars {
			if int(v.Offset) > len(data) {
				break
			}
			if err = d.value(v.Type, 0, data[v.Offset:]); err != nil {
				break
			}
		}
		d.W.EndArray()
		d.W.EndObject()
		return err
	case *btf.Void:
		d.W.Raw("(unknown)")
		return nil
	}
	d.W.Raw("(unsupported-kind")
	return ErrUnsupported
}

// pad returns data extended with zeros to n bytes, so that a truncated
// value from a hostile map never reads out of range.
func pad(data []byte, n int) []byte {
	if len(data) >= n {
		return data[:n]
	}
	b := make([]byte, n)
	copy(b, data)
	return b
}

func (d *Dumper) integer(t *btf.Int, bitOff uint32, data []byte) error {
	bits := t.Size * 8
	if bitOff != 0 {
		d.bitfield(bits, bitOff, data, t.Encoding == btf.Signed)
		return nil
	}
	switch {
	case bits == 128:
		lo := le.Uint64(pad(data, 16)[:8])
		hi := le.Uint64(pad(data, 16)[8:])
		if hi == 0 {
			d.W.Printf("0x%x", lo)
		} else {
			d.W.Printf("0x%x%016x", hi, lo)
		}
		return nil
	}
	switch t.Encoding {
	case btf.Signed:
		b := pad(data, int(t.Size))
		switch bits {
		case 64:
			d.W.Printf("%d", int64(le.Uint64(b)))
		case 32:
			d.W.Printf("%d", int32(le.Uint32(b)))
		case 16:
			d.W.Printf("%d", int16(le.Uint16(b)))
		case 8:
			d.W.Printf("%d", int8(b[0]))
		default:
			d.bitfield(bits, 0, data, true)
		}
	case btf.Char:
		c := pad(data, 1)[0]
		switch {
		case c >= 0x20 && c < 0x7f:
			d.W.Printf("\"%c\"", c)
		case d.Plain:
			d.W.Printf("0x%x", c)
		default:
			d.W.Printf("\"\\u00%02x\"", c)
		}
	case btf.Bool:
		d.W.Bool(pad(data, 1)[0] != 0)
	default:
		b := pad(data, int(t.Size))
		switch bits {
		case 64:
			d.W.Printf("%d", le.Uint64(b))
		case 32:
			d.W.Printf("%d", le.Uint32(b))
		case 16:
			d.W.Printf("%d", le.Uint16(b))
		case 8:
			d.W.Printf("%d", b[0])
		default:
			d.bitfield(bits, 0, data, false)
		}
	}
	return nil
}

// bitfield prints an integer of nbits starting bitOff bits into data as
// bpftool does: in hex, "0x%llx" for up to 64 bits.
func (d *Dumper) bitfield(nbits, bitOff uint32, data []byte, _ bool) {
	nbytes := int((bitOff + nbits + 7) / 8)
	b := pad(data, nbytes)
	v := new(big.Int)
	for i := nbytes - 1; i >= 0; i-- {
		v.Lsh(v, 8)
		v.Or(v, big.NewInt(int64(b[i])))
	}
	v.Rsh(v, uint(bitOff))
	mask := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), uint(nbits)), big.NewInt(1))
	v.And(v, mask)
	d.W.Raw(fmt.Sprintf("0x%x", v))
}

func (d *Dumper) members(ms []btf.Member, data []byte) error {
	d.W.StartObject()
	var err error
	for _, m := range ms {
		d.W.Name(m.Name)
		off := uint32(m.Offset)
		start := int(off / 8)
		var sub []byte
		if start < len(data) {
			sub = data[start:]
		}
		if m.BitfieldSize != 0 {
			d.bitfield(uint32(m.BitfieldSize), off%8, sub, false)
			continue
		}
		if err = d.value(m.Type, off%8, sub); err != nil {
			break
		}
	}
	d.W.EndObject()
	return err
}

func (d *Dumper) array(t *btf.Array, data []byte) error {
	if s, ok := strArray(t, data); ok {
		d.W.String(s)
		return nil
	}
	size, err := btf.Sizeof(t.Type)
	if err != nil {
		return err
	}
	d.W.StartArray()
	for i := uint32(0); i < t.Nelems; i++ {
		off := int(i) * size
		var sub []byte
		if off < len(data) {
			sub = data[off:]
		}
		if err = d.value(t.Type, 0, sub); err != nil {
			break
		}
	}
	d.W.EndArray()
	return err
}

// strArray tells whether an array of char holds a printable C string, as
// bpftool's is_str_array: a typedef to char does not count.
func strArray(t *btf.Array, data []byte) (string, bool) {
	if t.Nelems == 0 {
		return "", false
	}
	elem := t.Type
	for {
		switch e := elem.(type) {
		case *btf.Const:
			elem = e.Type
			continue
		case *btf.Volatile:
			elem = e.Type
			continue
		case *btf.Restrict:
			elem = e.Type
			continue
		}
		break
	}
	in, ok := elem.(*btf.Int)
	if !ok || in.Size != 1 || (in.Encoding != btf.Char && in.Name != "char") {
		return "", false
	}
	for i := 0; i < int(t.Nelems) && i < len(data); i++ {
		c := data[i]
		if c == 0 {
			return string(data[:i]), true
		}
		if c <= 0x1f || c >= 0x7f {
			return "", false
		}
	}
	return "", false
}

func (d *Dumper) enum(t *btf.Enum, data []byte) error {
	var v int64
	b := pad(data, int(t.Size))
	switch t.Size {
	case 8:
		v = int64(le.Uint64(b))
	case 4:
		v = int64(int32(le.Uint32(b)))
	case 2:
		v = int64(int16(le.Uint16(b)))
	case 1:
		v = int64(int8(b[0]))
	default:
		return ErrUnsupported
	}
	for _, e := range t.Values {
		if t.Size == 8 {
			if e.Value == uint64(v) {
				d.W.String(e.Name)
				return nil
			}
		} else if int64(int32(uint32(e.Value))) == v || int64(e.Value) == v {
			d.W.String(e.Name)
			return nil
		}
	}
	d.W.Int(v)
	return nil
}
