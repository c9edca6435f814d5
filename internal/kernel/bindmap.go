package kernel

import "unsafe"

const cmdProgBindMap = 35 // BPF_PROG_BIND_MAP

// ProgBindMap ties a map to a loaded program, so that the map lives as
// long as the program and shows in its map_ids although no instruction
// uses it (libbpf binds .rodata this way for metadata).
func ProgBindMap(progFD, mapFD int) error {
	attr := struct {
		ProgFD, MapFD, Flags uint32
	}{uint32(progFD), uint32(mapFD), 0}
	_, err := bpf(cmdProgBindMap, unsafe.Pointer(&attr), unsafe.Sizeof(attr))
	return err
}
