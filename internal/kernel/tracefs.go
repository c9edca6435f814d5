package kernel

import (
	"bufio"
	"os"
	"runtime"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"
)

const tracefsMagic = 0x74726163

// TracefsMountPoints are the places bpftool 7.1 looks for tracefs before
// it reads /proc/mounts, in its order ("/tracing" and "/trace" are from
// old setups).
var TracefsMountPoints = []string{
	"/sys/kernel/debug/tracing",
	"/sys/kernel/tracing",
	"/tracing",
	"/trace",
}

// IsTracefs reports whether path is on a mounted tracefs.
func IsTracefs(path string) bool {
	var st unix.Statfs_t
	if err := unix.Statfs(path, &st); err != nil {
		return false
	}
	return uint32(st.Type) == tracefsMagic
}

// KnownTracefs is the first of TracefsMountPoints that holds tracefs.
func KnownTracefs() (string, bool) {
	for _, m := range TracefsMountPoints {
		if IsTracefs(m) {
			return m, true
		}
	}
	return "", false
}

// TracefsInMounts is the mount point of the first tracefs line of
// /proc/mounts, as written there (octal escapes and all, as scanf's %s
// reads it).
func TracefsInMounts() (string, bool) {
	f, err := os.Open("/proc/mounts")
	if err != nil {
		return "", false
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		fields := strings.Fields(s.Text())
		if len(fields) >= 3 && fields[2] == "tracefs" {
			return fields[1], true
		}
	}
	return "", false
}

const cmdProgStreamReadByFD = 37

// BPF stream ids of a program (BPF_STDOUT, BPF_STDERR).
const (
	StreamStdout = 1
	StreamStderr = 2
)

// ProgStreamRead reads what the program behind fd wrote to one of its BPF
// streams (Linux 6.17 and later); 0 bytes means the stream is drained.
func ProgStreamRead(fd int, stream uint32, buf []byte) (int, error) {
	a := struct {
		buf    kptr
		bufLen uint32
		id     uint32
		progFD uint32
		_      uint32
	}{bufLen: uint32(len(buf)), id: stream, progFD: uint32(fd)}
	a.buf = ptr(buf)
	n, err := bpf(cmdProgStreamReadByFD, unsafe.Pointer(&a), unsafe.Sizeof(a))
	runtime.KeepAlive(buf)
	if err != nil {
		return 0, err
	}
	return int(n), nil
}
