package loader

import (
	"os"
	"sort"
	"strings"
	"syscall"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/btf"
	"golang.org/x/sys/unix"

	"github.com/gobpftool/gobpftool/internal/compat"
	"github.com/gobpftool/gobpftool/internal/errno"
	"github.com/gobpftool/gobpftool/internal/kernel"
)

// setupReuse applies the map replacements as bpftool does: names resolved
// to indexes in libbpf's map order, then each index used once.
func (l *Object) setupReuse() error {
	// Sorted in a copy: the caller keeps its slice (and closes its fds).
	rs := append([]MapReplacement(nil), l.opts.Replace...)
	for i := range rs {
		if rs[i].Name != "" {
			rs[i].Index = -1
		}
	}
	byIdx := func() { sort.SliceStable(rs, func(i, j int) bool { return rs[i].Index < rs[j].Index }) }
	byIdx()
	j := 0
	for j < len(rs) && rs[j].Name != "" {
		for i, m := range l.obj.maps {
			if m.name == rs[j].Name {
				rs[j].Index = i
				break
			}
		}
		if rs[j].Index == -1 {
			return &ReplaceError{Reason: ReplaceNoSuchMap, Name: rs[j].Name, Index: -1}
		}
		j++
	}
	if j > 0 {
		byIdx()
	}
	j = 0
	for idx, m := range l.obj.maps {
		if j < len(rs) && idx == rs[j].Index {
			if err := reuseMap(m, rs[j].FD); err != nil {
				return &ReplaceError{Reason: ReplaceReuseFailed, Index: idx, Err: err}
			}
			j++
			if j < len(rs) && rs[j].Index == idx {
				return &ReplaceError{Reason: ReplaceDuplicate, Index: idx}
			}
		}
	}
	if j < len(rs) {
		return &ReplaceError{Reason: ReplaceUnused, Index: rs[j].Index}
	}
	return nil
}

// reuseMap is bpf_map__reuse_fd: the map takes the existing map's
// definition and name, and will not be created.
func reuseMap(m *loadMap, fd int) error {
	mi, err := kernel.GetMapInfo(fd)
	if err != nil {
		return err
	}
	ms := m.spec.Copy()
	ms.Type = ebpf.MapType(mi.Type)
	ms.KeySize, ms.ValueSize, ms.MaxEntries, ms.Flags = mi.KeySize, mi.ValueSize, mi.MaxEntries, mi.Flags
	m.spec = ms
	m.name = reusedName(m.name, mi.Name)
	m.reuse = fd
	return nil
}

// createMap creates one map of the object, or adopts the reused one or
// the one pinned by name (which it pins if it has to create it).
func (l *Object) createMap(m *loadMap) (*ebpf.Map, error) {
	if m.reuse >= 0 {
		fd, err := unix.FcntlInt(uintptr(m.reuse), unix.F_DUPFD_CLOEXEC, 0)
		if err != nil {
			return nil, err
		}
		return ebpf.NewMapFromFD(fd)
	}
	if m.spec.Pinning == ebpf.PinByName {
		// libbpf's pin_root_path: bpftool keeps the default.
		m.pinPath = "/sys/fs/bpf/" + m.name
		em, err := l.reusePinned(m)
		if em != nil || err != nil {
			return em, err
		}
	}
	em, err := l.newMap(m)
	if err != nil || m.pinPath == "" {
		return em, err
	}
	err = l.pinFD(em.FD(), m.pinPath, func(en syscall.Errno) {
		l.warn("failed to pin map: %s\n", errno.Libbpf(int(en)))
	})
	if err == nil {
		m.autoPinned = true
		return em, nil
	}
	em.Close()
	if errno.Of(err) == syscall.EEXIST {
		// Pinned by someone else meanwhile: libbpf tries to reuse it once.
		if em, rerr := l.reusePinned(m); em != nil || rerr != nil {
			return em, rerr
		}
	}
	l.warn("map '%s': failed to auto-pin at '%s': %d\n", m.name, m.pinPath, -int(errno.Of(err)))
	return nil, err
}

// reusePinned is bpf_object__reuse_map for a map pinned by name: the
// pinned map if there is one and it matches the definition, nil if there
// is none.
func (l *Object) reusePinned(m *loadMap) (*ebpf.Map, error) {
	fd, err := kernel.ObjGet(m.pinPath)
	if err == syscall.ENOENT {
		return nil, nil
	}
	if err != nil {
		l.warn("couldn't retrieve pinned map '%s': %s\n", m.pinPath, errno.Libbpf(int(errno.Of(err))))
		l.warn("map '%s': error reusing pinned map\n", m.name)
		return nil, err
	}
	mi, err := kernel.GetMapInfo(fd)
	ms := m.spec
	if err != nil || mi.Type != uint32(ms.Type) || mi.KeySize != ms.KeySize ||
		mi.ValueSize != ms.ValueSize || mi.MaxEntries != ms.MaxEntries || mi.Flags != ms.Flags {
		kernel.Close(fd)
		l.warn("couldn't reuse pinned map at '%s': parameter mismatch\n", m.pinPath)
		l.warn("map '%s': error reusing pinned map\n", m.name)
		return nil, syscall.EINVAL
	}
	em, err := ebpf.NewMapFromFD(fd)
	if err != nil {
		kernel.Close(fd)
		return nil, err
	}
	m.name = reusedName(m.name, mi.Name)
	return em, nil
}

// newMap creates one map of the object from its definition.
func (l *Object) newMap(m *loadMap) (*ebpf.Map, error) {
	ms := m.spec.Copy()
	ms.Pinning = ebpf.PinNone
	ms.Contents, m.slots = splitSlots(ms.Contents)
	if m.data {
		ms.Name = m.name
		ms.Flags &^= bpfFMmapable
		if compat.LoadMmapAllData || mmapable(m.spec) {
			ms.Flags |= bpfFMmapable
		}
	}
	if l.noBTF {
		ms.Key, ms.Value = nil, nil
	}
	if l.opts.OffloadIfindex != 0 && ms.Type != ebpf.PerfEventArray {
		return l.createDeviceMap(m, ms)
	}
	opts := ebpf.MapOptions{}
	em, err := ebpf.NewMapWithOptions(ms, opts)
	if err != nil && (ms.Key != nil || ms.Value != nil) && !mapTypeWithoutBTF(ms.Type) {
		// libbpf tries again without BTF, saying so.
		en := errno.Of(err)
		l.warn("Error in bpf_create_map_xattr(%s):%s(%d). Retrying without BTF.\n", m.name, errno.Libbpf(-int(en)), -int(en))
		ms.Key, ms.Value = nil, nil
		em, err = ebpf.NewMapWithOptions(ms, opts)
	}
	if err != nil {
		return nil, err
	}
	if m.rodata {
		if err := em.Freeze(); err != nil {
			em.Close()
			return nil, err
		}
	}
	return em, nil
}

// splitSlots separates the values that name other objects, which cannot
// be written before those objects are loaded.
func splitSlots(kvs []ebpf.MapKV) (plain, slots []ebpf.MapKV) {
	for _, kv := range kvs {
		if _, ok := kv.Value.(string); ok {
			slots = append(slots, kv)
		} else {
			plain = append(plain, kv)
		}
	}
	return plain, slots
}

// fillSlots writes the initial values that name maps (once every map
// exists) or programs (once every program is loaded), with libbpf's
// message for a slot the kernel refuses.
func (l *Object) fillSlots(progs bool) error {
	for _, m := range l.obj.maps {
		if len(m.slots) == 0 || (m.spec.Type == ebpf.ProgramArray) != progs {
			continue
		}
		em := l.maps[m.key]
		for _, kv := range m.slots {
			name := kv.Value.(string)
			var fd int
			var val any
			kind := "map"
			if progs {
				kind = "prog"
				for i, p := range l.obj.progs {
					if p.name == name {
						val, fd = l.progs[i], l.progs[i].FD()
					}
				}
			} else if inner := l.maps[name]; inner != nil {
				val, fd = inner, inner.FD()
			}
			err := error(syscall.EBADF)
			if val != nil {
				err = em.Put(kv.Key, val)
			}
			if err != nil {
				l.warn("map '%s': failed to initialize slot [%v] to %s '%s' fd=%d: %d\n",
					m.name, kv.Key, kind, name, fd, -int(errno.Of(err)))
				return err
			}
		}
	}
	return nil
}

// createDeviceMap creates a map bound to the `dev` device as libbpf does,
// BTF first, then without; cilium/ebpf's MapSpec has no ifindex.
func (l *Object) createDeviceMap(m *loadMap, ms *ebpf.MapSpec) (*ebpf.Map, error) {
	attr := kernel.MapCreateAttr{
		MapType: uint32(ms.Type), KeySize: ms.KeySize, ValueSize: ms.ValueSize,
		MaxEntries: ms.MaxEntries, MapFlags: ms.Flags, MapIfindex: l.opts.OffloadIfindex,
		MapExtra: ms.MapExtra,
	}
	copy(attr.MapName[:15], m.name)
	fd := -1
	if (ms.Key != nil || ms.Value != nil) && !mapTypeWithoutBTF(ms.Type) {
		var err error
		fd, err = createWithBTF(attr, ms)
		if err != nil {
			en := errno.Of(err)
			l.warn("Error in bpf_create_map_xattr(%s):%s(%d). Retrying without BTF.\n", m.name, errno.Libbpf(-int(en)), -int(en))
		}
	}
	if fd < 0 {
		var err error
		if fd, err = kernel.MapCreate(&attr); err != nil {
			return nil, err
		}
	}
	em, err := ebpf.NewMapFromFD(fd)
	if err != nil {
		kernel.Close(fd)
		return nil, err
	}
	for _, kv := range ms.Contents {
		if err := em.Put(kv.Key, kv.Value); err != nil {
			em.Close()
			return nil, err
		}
	}
	return em, nil
}

// createWithBTF creates the map with its key and value types in a BTF
// object of their own.
func createWithBTF(attr kernel.MapCreateAttr, ms *ebpf.MapSpec) (int, error) {
	b, err := btf.NewBuilder(nil, nil)
	if err != nil {
		return -1, err
	}
	var key, value btf.TypeID
	if ms.Key != nil {
		if key, err = b.Add(ms.Key); err != nil {
			return -1, err
		}
	}
	if ms.Value != nil {
		if value, err = b.Add(ms.Value); err != nil {
			return -1, err
		}
	}
	raw, err := b.Marshal(nil, btf.KernelMarshalOptions())
	if err != nil {
		return -1, err
	}
	h, err := btf.NewHandleFromRawBTF(raw)
	if err != nil {
		return -1, err
	}
	defer h.Close()
	attr.BTFFD, attr.BTFKeyTypeID, attr.BTFValueTypeID = uint32(h.FD()), uint32(key), uint32(value)
	return kernel.MapCreate(&attr)
}

// mapTypeWithoutBTF are the map types libbpf creates without BTF.
func mapTypeWithoutBTF(t ebpf.MapType) bool {
	switch t {
	case ebpf.PerfEventArray, ebpf.CGroupArray, ebpf.StackTrace, ebpf.ArrayOfMaps,
		ebpf.HashOfMaps, ebpf.DevMap, ebpf.DevMapHash, ebpf.CPUMap, ebpf.XSKMap,
		ebpf.SockMap, ebpf.SockHash, ebpf.Queue, ebpf.Stack:
		return true
	}
	return false
}

// PinMaps pins every map of the loaded object at dir/NAME, every dot of
// the path made an underscore, as bpf_object__pin_maps (`pinmaps DIR`); on
// the first failure it removes the maps' pins, those pinned by name
// included.
func (l *Object) PinMaps(dir string) error {
	var pinned []string
	for _, m := range l.obj.maps {
		path := strings.ReplaceAll(dir+"/"+m.name, ".", "_")
		var err error
		switch {
		case len(dir)+1+len(m.name) >= unix.PathMax:
			err = syscall.ENAMETOOLONG
		case m.pinPath != "" && m.pinPath != path:
			l.warn("map '%s' already has pin path '%s' different from '%s'\n", m.name, m.pinPath, path)
			err = syscall.EINVAL
		case m.pinPath != "":
			// Pinned there by name already.
		default:
			err = l.pinFD(l.maps[m.key].FD(), path, func(en syscall.Errno) {
				l.warn("failed to pin map: %s\n", errno.Libbpf(int(en)))
			})
		}
		if err != nil {
			// libbpf unpins every map before this one that has a pin
			// path, those pinned by name included.
			for _, p := range pinned {
				os.Remove(p)
			}
			return err
		}
		if m.pinPath != "" {
			pinned = append(pinned, m.pinPath)
		} else {
			pinned = append(pinned, path)
		}
	}
	return nil
}

// reusedName is the name bpf_map__reuse_fd gives a map that adopts an
// existing one: the kernel's name, unless that is just the map's own
// name cut at 15 bytes.
func reusedName(own, kernelName string) string {
	if len(kernelName) == 15 && strings.HasPrefix(own, kernelName) {
		return own
	}
	return kernelName
}
