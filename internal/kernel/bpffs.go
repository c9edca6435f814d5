package kernel

import (
	"bytes"
	"encoding/binary"
	"path/filepath"
	"slices"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"
)

// IsBPFFS reports whether path is on a mounted BPF file system.
func IsBPFFS(path string) bool {
	var st unix.Statfs_t
	if err := unix.Statfs(path, &st); err != nil {
		return false
	}
	return uint32(st.Type) == unix.BPF_FS_MAGIC
}

// MountFS mounts a file system of type fstype on target the way bpftool's
// mnt_fs does: make the mount point private (bind-mounting it onto itself
// first when it is not a mount point), then mount with mode=0700. The
// returned text is bpftool's description of the step that failed. A
// failure leaves no mount behind (bpftool leaves its bind mount).
func MountFS(target, fstype string) (string, error) {
	_, step, err := MountFSUndoable(target, fstype)
	return step, err
}

// MountFSUndoable is MountFS that also returns how to remove what it
// mounted, for a caller whose next step (a pin) may fail.
func MountFSUndoable(target, fstype string) (undo func(), step string, err error) {
	// Unmount by absolute path: "." would name the directory under the
	// new mounts, not the mounts.
	abs, aerr := filepath.Abs(target)
	if aerr != nil {
		abs = target
	}
	var made []string
	undo = func() {
		for i := len(made) - 1; i >= 0; i-- {
			unix.Unmount(made[i], 0)
		}
		made = nil
	}
	bound := false
	for {
		err := unix.Mount("", target, "none", unix.MS_PRIVATE|unix.MS_REC, "")
		if err == nil {
			break
		}
		if err != unix.EINVAL || bound {
			undo()
			return func() {}, "mount --make-private " + target + " failed: ", err
		}
		if err := unix.Mount(target, target, "none", unix.MS_BIND, ""); err != nil {
			return func() {}, "mount --bind " + target + " " + target + " failed: ", err
		}
		made = append(made, abs)
		bound = true
	}
	if err := unix.Mount(fstype, target, fstype, 0, "mode=0700"); err != nil {
		undo()
		return func() {}, "mount -t " + fstype + " " + fstype + " " + target + " failed: ", err
	}
	made = append(made, abs)
	return undo, "", nil
}

// Mounts lists the mount points of file systems whose type starts with
// fstype, in /proc/mounts order (bpftool compares the first 3 bytes for
// "bpf").
func Mounts(fstypePrefix string) []string {
	data := readWhole("/proc/mounts")
	var dirs []string
	for _, line := range strings.Split(string(data), "\n") {
		fields := strings.Fields(line)
		if len(fields) < 3 || !strings.HasPrefix(fields[2], fstypePrefix) {
			continue
		}
		dirs = append(dirs, unescapeMount(fields[1]))
	}
	return dirs
}

// unescapeMount undoes the octal escapes of /proc/mounts (\040 for space).
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			v := 0
			ok := true
			for _, c := range s[i+1 : i+4] {
				if c < '0' || c > '7' {
					ok = false
					break
				}
				v = v*8 + int(c-'0')
			}
			if ok {
				b.WriteByte(byte(v))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// PinnedObjects walks every mounted bpffs, like bpftool's nftw walk that
// does not follow symlinks, and returns, for each object of type want,
// the paths that pin it, keyed by id, in walk order.
//
// Each pin costs an open, an info call and a close, which is the floor;
// the walk itself makes no allocation per file: paths are built in one
// buffer, and only the pins of wanted objects become strings. With
// workers 2, the pins of a large directory are split between two threads,
// each holding one fd at a time (10,000 pins: 60% of a listing's CPU).
func PinnedObjects(want FDType, workers int) map[uint32][]string {
	w := pinWalk{want: want, workers: max(workers, 1)}
	for _, mnt := range Mounts("bpf") {
		w.path = append(w.path[:0], mnt...)
		if mnt == "/" {
			w.path = w.path[:0]
		}
		w.walk()
	}
	return orderLikeLibbpf(w.found)
}

// pinWalk is the state of one walk: the path being visited, without a
// trailing NUL, and the pins found so far.
type pinWalk struct {
	want    FDType
	workers int
	path    []byte
	found   []pin
	files   []uint32 // regular files of the directory, not yet opened
	other   []byte   // the second worker's path buffer
}

// splitFiles is how many files in a row make a second thread worth its
// start.
const splitFiles = 256

// walk visits the directory at w.path in readdir order, as nftw does.
func (w *pinWalk) walk() {
	fd, err := openPath(w.path, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC)
	if err != nil {
		return
	}
	// The directory's entries are read in full before descending, into
	// one buffer that grows by doubling (320 KB for 10,000 pins), and the
	// fd closed: a subdirectory's walk needs none of this one's.
	ents := make([]byte, 0, 16<<10)
	for {
		if cap(ents)-len(ents) < direntRead {
			ents = slices.Grow(ents, cap(ents))
		}
		n, err := unix.ReadDirent(fd, ents[len(ents):cap(ents)])
		if err != nil || n <= 0 {
			break
		}
		ents = ents[:len(ents)+n]
	}
	unix.Close(fd)
	base := len(w.path)
	// Files in a row are opened together, before the next directory, so
	// that the pins come out in readdir order. A file is the offset of
	// its name in ents.
	files := w.files[:0]
	for at := 0; at+19 <= len(ents); {
		reclen := int(binary.NativeEndian.Uint16(ents[at+16:]))
		if reclen < 19 || at+reclen > len(ents) {
			break
		}
		typ := ents[at+18]
		name := direntName(ents, at+19)
		next := at + reclen
		if string(name) == "." || string(name) == ".." {
			at = next
			continue
		}
		switch typ {
		case unix.DT_DIR:
			w.openFiles(ents, files)
			files = files[:0]
			w.path = append(append(w.path[:base], '/'), name...)
			w.walk()
			w.path = w.path[:base]
		case unix.DT_REG:
			files = append(files, uint32(at+19))
		}
		at = next
	}
	w.openFiles(ents, files)
	w.files = files[:0]
}

// direntRead is the least room a getdents64 call is given: a few
// entries of the longest name.
const direntRead = 8 << 10

// direntName is the NUL-terminated name at ents[at:].
func direntName(ents []byte, at int) []byte {
	name := ents[at:]
	if i := bytes.IndexByte(name, 0); i >= 0 {
		name = name[:i]
	}
	return name
}

// openFiles looks at the files whose names are at offsets files of ents,
// in w.path, in order.
func (w *pinWalk) openFiles(ents []byte, files []uint32) {
	if w.workers < 2 || len(files) < splitFiles {
		w.path = w.lookAt(w.path, ents, files)
		return
	}
	half := len(files) / 2
	other := pinWalk{want: w.want, path: append(w.other[:0], w.path...)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		other.path = other.lookAt(other.path, ents, files[half:])
	}()
	w.path = w.lookAt(w.path, ents, files[:half])
	<-done
	w.found = append(w.found, other.found...)
	w.other = other.path
}

// lookAt appends to w.found the pins among the files named at offsets
// files of ents, in the directory dir, and returns dir (its buffer may
// have grown).
func (w *pinWalk) lookAt(dir []byte, ents []byte, files []uint32) []byte {
	base := len(dir)
	for _, at := range files {
		dir = append(append(dir[:base], '/'), direntName(ents, int(at))...)
		if id, ok := w.pinned(dir); ok {
			w.found = append(w.found, pin{id, string(dir)})
		}
	}
	return dir[:base]
}

// pinned opens the object at path and tells its id if it is of the
// wanted type.
func (w *pinWalk) pinned(path []byte) (uint32, bool) {
	path = append(path, 0)
	a := objAttr{pathname: ptr(path)}
	r, err := bpf(cmdObjGet, unsafe.Pointer(&a), unsafe.Sizeof(a))
	if err != nil {
		return 0, false
	}
	fd := int(r)
	defer Close(fd)
	if w.want == FDProg {
		// The kernel answers an info call with the size it filled:
		// all of ours for a program, less for a map, link or BTF,
		// whose info structs are smaller. No readlink needed.
		var raw progInfo
		size := uint32(unsafe.Sizeof(raw))
		ia := infoAttr{bpfFD: uint32(fd), infoLen: size, info: kptr{unsafe.Pointer(&raw)}}
		if _, err := bpf(cmdObjGetInfoByFD, unsafe.Pointer(&ia), unsafe.Sizeof(ia)); err != nil || ia.infoLen != size {
			return 0, false
		}
		return raw.ID, true
	}
	return pinnedIDByFD(fd, w.want)
}

// openPath opens a path held without its NUL ("" is the root).
func openPath(path []byte, flags int) (int, error) {
	if len(path) == 0 {
		return unix.Open("/", flags, 0)
	}
	return unix.Open(string(path), flags, 0)
}

// pinnedIDByFD is the id of the object behind fd if it is of type want.
func pinnedIDByFD(fd int, want FDType) (uint32, bool) {
	t, err := TypeOfFD(fd)
	if err != nil || t != want {
		return 0, false
	}
	switch want {
	case FDProg:
		pi, err := GetProgInfoLite(fd)
		if err != nil {
			return 0, false
		}
		return pi, true
	case FDMap:
		mi, err := GetMapInfo(fd)
		if err != nil {
			return 0, false
		}
		return mi.ID, true
	}
	return 0, false
}

// Dirname is POSIX dirname(3), which bpftool and libbpf apply to pin
// paths.
func Dirname(p string) string {
	for len(p) > 1 && p[len(p)-1] == '/' {
		p = p[:len(p)-1]
	}
	i := len(p) - 1
	for i >= 0 && p[i] != '/' {
		i--
	}
	if i < 0 {
		return "."
	}
	for i > 0 && p[i-1] == '/' {
		i--
	}
	if i == 0 {
		return "/"
	}
	return p[:i]
}
