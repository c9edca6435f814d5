package prog

import (
	"strings"

	"github.com/cilium/ebpf/btf"
	"github.com/gobpftool/gobpftool/internal/kernel"
)

const metadataPrefix = "bpf_metadata_"

// bpf(2) map type of a global data section.
const mapTypeArray = 2

// mapMeta is what a listing learned of one map: whether it can hold
// metadata and, if so, its value. Programs share maps, so a listing asks
// the kernel once per map rather than once per program and map.
type mapMeta struct {
	failed bool // the map could not be read: metadata lookup stops here
	info   *kernel.MapInfo
	value  []byte // nil unless the map is a .rodata candidate
}

func (s *shower) mapMeta(id uint32) *mapMeta {
	s.mapsMu.Lock()
	defer s.mapsMu.Unlock()
	if m, ok := s.maps[id]; ok {
		return m
	}
	m := &mapMeta{failed: true}
	s.maps[id] = m
	fd, err := kernel.MapFDByID(id)
	if err != nil {
		return m
	}
	defer kernel.Close(fd)
	mi, err := kernel.GetMapInfo(fd)
	if err != nil {
		return m
	}
	m.info = mi
	if mi.Type != mapTypeArray || mi.KeySize != 4 || mi.MaxEntries != 1 ||
		mi.BTFValueTypeID == 0 || !strings.Contains(mi.Name, ".rodata") {
		m.failed = false
		return m
	}
	value := make([]byte, mi.ValueSize+8)
	if err := kernel.MapLookup(fd, make([]byte, 4), value); err != nil {
		return m
	}
	m.failed = false
	m.value = value[:mi.ValueSize]
	return m
}

// findMetadata finds the program's read-only data map (an array of one
// element named .rodata with BTF) and returns the variables named
// bpf_metadata_* in it, prefix stripped, as bpftool shows them.
func (s *shower) findMetadata(mapIDs []uint32) (*btf.Spec, []metaVar) {
	for _, id := range mapIDs {
		m := s.mapMeta(id)
		if m.failed {
			return nil, nil
		}
		if m.value == nil {
			continue
		}
		return metadataVars(s.btf.get(m.info.BTFID), m.info.BTFValueTypeID, m.value)
	}
	return nil, nil
}

func metadataVars(spec *btf.Spec, valueType uint32, value []byte) (*btf.Spec, []metaVar) {
	if spec == nil {
		return nil, nil
	}
	t, err := spec.TypeByID(btf.TypeID(valueType))
	if err != nil {
		return nil, nil
	}
	ds, ok := t.(*btf.Datasec)
	if !ok {
		return nil, nil
	}
	var vars []metaVar
	for _, vsi := range ds.Vars {
		v, ok := vsi.Type.(*btf.Var)
		if !ok || !strings.HasPrefix(v.Name, metadataPrefix) {
			continue
		}
		var data []byte
		if int(vsi.Offset) <= len(value) {
			data = value[vsi.Offset:]
		}
		vars = append(vars, metaVar{name: v.Name[len(metadataPrefix):], typ: v.Type, data: data})
	}
	return spec, vars
}
