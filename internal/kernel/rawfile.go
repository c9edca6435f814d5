package kernel

import (
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
