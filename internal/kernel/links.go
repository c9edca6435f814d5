package kernel

import (
	"errors"
	"fmt"
	"net"
	"runtime"
	"unsafe"

	"golang.org/x/sys/unix"
)

const (
	cmdLinkGetFDByID  = 30
	cmdLinkGetNextID  = 31
	linkInfoUnionSize = 48 // the largest member of bpf_link_info's union, rounded up
)

// Link is one BPF link: what a program is attached to through it.
type Link struct {
	ID     uint32
	ProgID uint32
	// Type is bpftool's name of the link type ("xdp", "tcx"), or "type N".
	Type string
	// Target says where the link attaches, as far as its info tells:
	// a tracepoint name, an interface, a cgroup id, a BTF id.
	Target string
}

// linkInfo mirrors struct bpf_link_info: type, id, prog_id, then a union
// whose members are read by the type.
type linkInfo struct {
	Type   uint32
	ID     uint32
	ProgID uint32
	_      uint32
	U      [linkInfoUnionSize]byte
}

// linkTypeNames are bpftool's link_type_name, by enum bpf_link_type.
var linkTypeNames = []string{"unspec", "raw_tracepoint", "tracing", "cgroup", "iter", "netns",
	"xdp", "perf_event", "kprobe_multi", "struct_ops", "netfilter", "tcx", "uprobe_multi",
	"netkit", "sockmap"}

// Links lists every BPF link with its program and target. Links that go
// away during the walk are left out; a kernel without links (before 5.8)
// has none.
func Links() ([]Link, error) {
	var links []Link
	var id uint32
	for {
		a := getIDAttr{id: id}
		if _, err := bpf(cmdLinkGetNextID, unsafe.Pointer(&a), unsafe.Sizeof(a)); err != nil {
			if errors.Is(err, unix.ENOENT) || errors.Is(err, unix.EINVAL) {
				return links, nil
			}
			return links, err
		}
		id = a.nextID
		a = getIDAttr{id: id}
		fd, err := bpf(cmdLinkGetFDByID, unsafe.Pointer(&a), unsafe.Sizeof(a))
		if err != nil {
			if errors.Is(err, unix.ENOENT) {
				continue
			}
			return links, err
		}
		l, err := readLink(int(fd))
		Close(int(fd))
		if err != nil {
			continue
		}
		links = append(links, l)
	}
}

// readLink reads the info of the link behind fd, with a second call for
// the tracepoint name of a raw_tracepoint link.
func readLink(fd int) (Link, error) {
	var raw linkInfo
	if err := objInfo(fd, unsafe.Pointer(&raw), uint32(unsafe.Sizeof(raw))); err != nil {
		return Link{}, err
	}
	l := Link{ID: raw.ID, ProgID: raw.ProgID, Type: fmt.Sprintf("type %d", raw.Type)}
	if int(raw.Type) < len(linkTypeNames) {
		l.Type = linkTypeNames[raw.Type]
	}
	u32 := func(off int) uint32 { return *(*uint32)(unsafe.Pointer(&raw.U[off])) }
	u64 := func(off int) uint64 { return *(*uint64)(unsafe.Pointer(&raw.U[off])) }
	switch l.Type {
	case "raw_tracepoint":
		// The name's address goes into the info's union as bytes, which
		// the runtime cannot follow: the buffer is pinned on the heap
		// (a pinned object neither moves nor dies) for the call.
		name := new([128]byte)
		var pin runtime.Pinner
		pin.Pin(name)
		raw2 := linkInfo{}
		*(*uintptr)(unsafe.Pointer(&raw2.U[0])) = uintptr(unsafe.Pointer(name))
		*(*uint32)(unsafe.Pointer(&raw2.U[8])) = uint32(len(name))
		err := objInfo(fd, unsafe.Pointer(&raw2), uint32(unsafe.Sizeof(raw2)))
		pin.Unpin()
		if err == nil {
			l.Target = "tp " + unix.ByteSliceToString(name[:])
		}
	case "tracing":
		l.Target = fmt.Sprintf("attach_type %d target_obj_id %d target_btf_id %d", u32(0), u32(4), u32(8))
	case "cgroup":
		l.Target = fmt.Sprintf("cgroup_id %d attach_type %d", u64(0), u32(8))
	case "netns":
		l.Target = fmt.Sprintf("netns_ino %d attach_type %d", u32(0), u32(4))
	case "xdp", "tcx", "netkit":
		l.Target = ifaceName(u32(0))
		if l.Type != "xdp" {
			l.Target += fmt.Sprintf(" attach_type %d", u32(4))
		}
	case "struct_ops":
		l.Target = fmt.Sprintf("map_id %d", u32(0))
	case "sockmap":
		l.Target = fmt.Sprintf("map_id %d attach_type %d", u32(0), u32(4))
	case "netfilter":
		l.Target = fmt.Sprintf("pf %d hook %d prio %d", u32(0), u32(4), int32(u32(8)))
	}
	return l, nil
}

// ifaceName names an interface of our network namespace, with its index.
func ifaceName(ifindex uint32) string {
	if iface, err := net.InterfaceByIndex(int(ifindex)); err == nil {
		return fmt.Sprintf("dev %s(%d)", iface.Name, ifindex)
	}
	return fmt.Sprintf("ifindex %d", ifindex)
}
