package kernel

import (
	"bytes"

	"golang.org/x/sys/unix"
)

// readSmall reads up to len(buf) bytes of a /proc file with plain
// syscalls. os.Open would also register the fd with the runtime poller
// (fcntl and epoll_ctl calls), which doubles the cost of a listing that
// reads one fdinfo per program.
func readSmall(path string, buf []byte) int {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return 0
	}
	n, _ := unix.Read(fd, buf)
	unix.Close(fd)
	if n < 0 {
		return 0
	}
	return n
}

// dirNames lists a directory's entry names in readdir order, without "."
// and "..", with plain syscalls for the same reason as readSmall.
func dirNames(path string, names []string) []string {
	names, _ = dirNamesFD(path, names)
	return names
}

// dirNamesFD is dirNames that also tells which fd number it used, for a
// listing of /proc/self/fd that must not count itself.
func dirNamesFD(path string, names []string) ([]string, int) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return names, -1
	}
	defer unix.Close(fd)
	var buf [8192]byte
	for {
		n, err := unix.ReadDirent(fd, buf[:])
		if err != nil || n <= 0 {
			return names, fd
		}
		_, _, names = unix.ParseDirent(buf[:n], -1, names)
	}
}

// readWhole reads a small /proc file whole with plain syscalls.
func readWhole(path string) []byte {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil
	}
	defer unix.Close(fd)
	var data []byte
	buf := make([]byte, 16384)
	for {
		n, err := unix.Read(fd, buf)
		if n <= 0 || err != nil {
			return data
		}
		data = append(data, buf[:n]...)
	}
}

// dirEntry is a directory entry's name and d_type.
type dirEntry struct {
	name string
	typ  uint8
}

// dirEntries lists a directory in readdir order, without "." and "..",
// with the type getdents64 reports: the directory is closed before the
// caller recurses, so a walk holds one fd at a time, and no fd is
// registered with the runtime's poller.
func dirEntries(path string) []dirEntry {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil
	}
	defer unix.Close(fd)
	var ents []dirEntry
	var buf [8192]byte
	for {
		n, err := unix.Getdents(fd, buf[:])
		if err != nil || n <= 0 {
			return ents
		}
		for b := buf[:n]; len(b) >= 19; {
			// struct linux_dirent64: ino u64, off s64, reclen u16,
			// type u8, name NUL-terminated.
			reclen := int(b[16]) | int(b[17])<<8
			if reclen < 19 || reclen > len(b) {
				break
			}
			name := b[19:reclen]
			if i := bytes.IndexByte(name, 0); i >= 0 {
				name = name[:i]
			}
			if s := string(name); s != "." && s != ".." {
				ents = append(ents, dirEntry{s, b[18]})
			}
			b = b[reclen:]
		}
	}
}
