// Package kernel is the only code that talks to the kernel: the bpf(2)
// commands bpftool uses for programs, their info, fdinfo, bpffs and the
// processes that hold programs. It returns plain Go values.
//
// cilium/ebpf does not export its syscall layer and its ProgramInfo hides
// gpl_compatible, the offload device and raw image buffers, so the few
// commands a listing needs are issued here directly with x/sys/unix.
package kernel

import (
	"runtime"
	"unsafe"

	"golang.org/x/sys/unix"
)

// bpf(2) command numbers (include/uapi/linux/bpf.h).
const (
	cmdMapLookupElem  = 1
	cmdObjPin         = 6
	cmdObjGet         = 7
	cmdProgTestRun    = 10
	cmdProgGetNextID  = 11
	cmdMapGetNextID   = 12
	cmdProgGetFDByID  = 13
	cmdMapGetFDByID   = 14
	cmdObjGetInfoByFD = 15
	cmdBTFGetFDByID   = 19
	cmdEnableStats    = 32
)

func bpf(cmd int, attr unsafe.Pointer, size uintptr) (uintptr, error) {
	r, _, errno := unix.Syscall(unix.SYS_BPF, uintptr(cmd), uintptr(attr), size)
	if errno != 0 {
		return r, errno
	}
	return r, nil
}

// kptr is a user-space address inside a bpf(2) attribute or info
// struct (the kernel's __aligned_u64). It is an unsafe.Pointer, not a
// number, so that the runtime keeps what it points to alive and, when it
// moves a goroutine's stack, updates it with the stack: a buffer that is
// a local variable moves with its frame. As a uint64 it kept the old
// address, and the kernel wrote the info of about one program in 100,000
// into freed stack (a pin missing from 1 \`-f prog show\` in 5, with
// 10,000 pins). 64-bit only, as the rest of this package.
type kptr struct{ p unsafe.Pointer }

// kptr must be the kernel's 8 bytes: this fails to compile where it is
// not.
var _ [unsafe.Sizeof(kptr{}) - 8]byte

// ptr is the address of s's first element, or 0 for an empty s.
func ptr[T any](s []T) kptr {
	if len(s) == 0 {
		return kptr{}
	}
	return kptr{unsafe.Pointer(&s[0])}
}

// isNil tells an address of 0, which the kernel writes for what it
// withholds.
func (k kptr) isNil() bool { return k.p == nil }

type getIDAttr struct {
	id        uint32
	nextID    uint32
	openFlags uint32
}

// ProgGetNextID returns the id of the next loaded program after id;
// ENOENT ends the walk.
func ProgGetNextID(id uint32) (uint32, error) {
	a := getIDAttr{id: id}
	_, err := bpf(cmdProgGetNextID, unsafe.Pointer(&a), unsafe.Sizeof(a))
	return a.nextID, err
}

// MapGetNextID is ProgGetNextID for maps.
func MapGetNextID(id uint32) (uint32, error) {
	a := getIDAttr{id: id}
	_, err := bpf(cmdMapGetNextID, unsafe.Pointer(&a), unsafe.Sizeof(a))
	return a.nextID, err
}

// ProgFDByID opens a program by id; the caller closes the fd.
func ProgFDByID(id uint32) (int, error) {
	a := getIDAttr{id: id}
	fd, err := bpf(cmdProgGetFDByID, unsafe.Pointer(&a), unsafe.Sizeof(a))
	if err != nil {
		return -1, err
	}
	return int(fd), nil
}

// MapFDByID opens a map by id; the caller closes the fd.
func MapFDByID(id uint32) (int, error) {
	a := getIDAttr{id: id}
	fd, err := bpf(cmdMapGetFDByID, unsafe.Pointer(&a), unsafe.Sizeof(a))
	if err != nil {
		return -1, err
	}
	return int(fd), nil
}

// BTFFDByID opens a BTF object by id.
func BTFFDByID(id uint32) (int, error) {
	a := getIDAttr{id: id}
	fd, err := bpf(cmdBTFGetFDByID, unsafe.Pointer(&a), unsafe.Sizeof(a))
	if err != nil {
		return -1, err
	}
	return int(fd), nil
}

type objAttr struct {
	pathname  kptr
	bpfFD     uint32
	fileFlags uint32
	pathFD    int32
	_         uint32
}

// ObjGet opens the object pinned at path.
func ObjGet(path string) (int, error) {
	p, err := unix.BytePtrFromString(path)
	if err != nil {
		return -1, err
	}
	a := objAttr{pathname: kptr{unsafe.Pointer(p)}}
	fd, err := bpf(cmdObjGet, unsafe.Pointer(&a), unsafe.Sizeof(a))
	runtime.KeepAlive(p)
	if err != nil {
		return -1, err
	}
	return int(fd), nil
}

// ObjPin pins the object behind fd at path.
func ObjPin(fd int, path string) error {
	p, err := unix.BytePtrFromString(path)
	if err != nil {
		return err
	}
	a := objAttr{pathname: kptr{unsafe.Pointer(p)}, bpfFD: uint32(fd)}
	_, err = bpf(cmdObjPin, unsafe.Pointer(&a), unsafe.Sizeof(a))
	runtime.KeepAlive(p)
	return err
}

type infoAttr struct {
	bpfFD   uint32
	infoLen uint32
	info    kptr
}

// objInfo fills info (a kernel info struct) for fd.
func objInfo(fd int, info unsafe.Pointer, size uint32) error {
	a := infoAttr{bpfFD: uint32(fd), infoLen: size, info: kptr{info}}
	_, err := bpf(cmdObjGetInfoByFD, unsafe.Pointer(&a), unsafe.Sizeof(a))
	return err
}

type mapElemAttr struct {
	mapFD uint32
	_     uint32
	key   kptr
	value kptr
	flags uint64
}

// MapLookup reads the value of key from the map behind fd into value.
func MapLookup(fd int, key, value []byte) error {
	a := mapElemAttr{mapFD: uint32(fd),
		key:   ptr(key),
		value: ptr(value)}
	_, err := bpf(cmdMapLookupElem, unsafe.Pointer(&a), unsafe.Sizeof(a))
	runtime.KeepAlive(key)
	runtime.KeepAlive(value)
	return err
}

// Close closes an fd, ignoring errors: every fd here is ours to drop.
func Close(fd int) {
	if fd >= 0 {
		unix.Close(fd)
	}
}

// DupFD returns a new fd (close-on-exec) for the object fd refers to.
func DupFD(fd int) (int, error) {
	return unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 0)
}
