package progfacts

import (
	"strings"

	"github.com/cilium/ebpf/btf"

	"github.com/gobpftool/gobpftool/internal/kernel"
)

const metadataPrefix = "bpf_metadata_"

// bpf(2) map type of a global data section.
const mapTypeArray = 2

// mapCache keeps what a gathering learned of each map.
type mapCache = idCache[*mapEntry]

type mapEntry struct {
	failed bool // the map could not be read: metadata lookup stops here
	info   *kernel.MapInfo
	value  []byte // nil unless the map is a .rodata candidate
}

func newMapCache() *mapCache {
	return newIDCache(func(id uint32) *mapEntry {
		m := &mapEntry{}
		m.read(id)
		return m
	})
}

func (m *mapEntry) read(id uint32) {
	m.failed = true
	fd, err := kernel.MapFDByID(id)
	if err != nil {
		return
	}
	defer kernel.Close(fd)
	mi, err := kernel.GetMapInfo(fd)
	if err != nil {
		return
	}
	m.info = mi
	if mi.Type != mapTypeArray || mi.KeySize != 4 || mi.MaxEntries != 1 ||
		mi.BTFValueTypeID == 0 || !strings.Contains(mi.Name, ".rodata") {
		m.failed = false
		return
	}
	value := make([]byte, mi.ValueSize+8)
	if err := kernel.MapLookup(fd, make([]byte, 4), value); err != nil {
		return
	}
	m.failed = false
	m.value = value[:mi.ValueSize]
}

// metadata finds the program's read-only data map (an array of one
// element named .rodata with BTF) and returns the variables named
// bpf_metadata_* in it, prefix stripped, as bpftool shows them.
func (s *Session) metadata(mapIDs []uint32) []MetaVar {
	for _, id := range mapIDs {
		m := s.maps.get(id)
		if m.failed {
			return nil
		}
		if m.value == nil {
			continue
		}
		return metadataVars(s.btf.get(m.info.BTFID), m.info.BTFValueTypeID, m.value)
	}
	return nil
}

func metadataVars(spec *btf.Spec, valueType uint32, value []byte) []MetaVar {
	if spec == nil {
		return nil
	}
	t, err := spec.TypeByID(btf.TypeID(valueType))
	if err != nil {
		return nil
	}
	ds, ok := t.(*btf.Datasec)
	if !ok {
		return nil
	}
	var vars []MetaVar
	for _, vsi := range ds.Vars {
		v, ok := vsi.Type.(*btf.Var)
		if !ok || !strings.HasPrefix(v.Name, metadataPrefix) {
			continue
		}
		var data []byte
		if int(vsi.Offset) <= len(value) {
			data = value[vsi.Offset:]
		}
		vars = append(vars, MetaVar{Name: v.Name[len(metadataPrefix):], Type: v.Type, Data: data})
	}
	return vars
}
