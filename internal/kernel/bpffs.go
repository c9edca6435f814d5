package kernel

import (
	"path/filepath"
	"strings"

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
func PinnedObjects(want FDType) map[uint32][]string {
	var found []pin
	for _, mnt := range Mounts("bpf") {
		walkPins(mnt, want, &found)
	}
	return orderLikeLibbpf(found)
}

func walkPins(dir string, want FDType, found *[]pin) {
	// nftw visits a directory's entries in readdir order, not sorted.
	for _, e := range dirEntries(dir) {
		p := dir + "/" + e.name
		if dir == "/" {
			p = "/" + e.name
		}
		switch e.typ {
		case unix.DT_DIR:
			walkPins(p, want, found)
		case unix.DT_REG:
			id, ok := pinnedID(p, want)
			if ok {
				*found = append(*found, pin{id, p})
			}
		}
	}
}

func pinnedID(path string, want FDType) (uint32, bool) {
	fd, err := ObjGet(path)
	if err != nil {
		return 0, false
	}
	defer Close(fd)
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
