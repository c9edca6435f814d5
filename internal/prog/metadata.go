package prog

import (
	"strings"

	"github.com/cilium/ebpf/btf"
	"github.com/gobpftool/gobpftool/internal/kernel"
)

const metadataPrefix = "bpf_metadata_"

// bpf(2) map type of a global data section.
const mapTypeArray = 2

// findMetadata finds the program's read-only data map (an array of one
// element named .rodata with BTF) and returns the variables named
// bpf_metadata_* in it, prefix stripped, as bpftool shows them.
func findMetadata(mapIDs []uint32, cache btfCache) (*btf.Spec, []metaVar) {
	for _, id := range mapIDs {
		fd, err := kernel.MapFDByID(id)
		if err != nil {
			return nil, nil
		}
		mi, err := kernel.GetMapInfo(fd)
		if err != nil {
			kernel.Close(fd)
			return nil, nil
		}
		if mi.Type != mapTypeArray || mi.KeySize != 4 || mi.MaxEntries != 1 ||
			mi.BTFValueTypeID == 0 || !strings.Contains(mi.Name, ".rodata") {
			kernel.Close(fd)
			continue
		}
		value := make([]byte, mi.ValueSize+8)
		err = kernel.MapLookup(fd, make([]byte, 4), value)
		kernel.Close(fd)
		if err != nil {
			return nil, nil
		}
		value = value[:mi.ValueSize]
		return metadataVars(cache.get(mi.BTFID), mi.BTFValueTypeID, value)
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
