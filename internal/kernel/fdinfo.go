package kernel

import (
	"bytes"
	"os"
	"strconv"
)

// FDInfo returns the value of the first line of /proc/self/fdinfo/FD that
// contains key, as bpftool's get_fdinfo: the text after the tab, without
// the newline.
func FDInfo(fd int, key string) (string, bool) {
	var b [1024]byte
	data := b[:readSmall("/proc/self/fdinfo/"+strconv.Itoa(fd), b[:])]
	for len(data) > 0 {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		if !bytes.Contains(line, []byte(key)) {
			continue
		}
		i := bytes.IndexByte(line, '\t')
		if i < 0 || i+1 >= len(line) {
			return "", false
		}
		return string(line[i+1:]), true
	}
	return "", false
}

// FDType is the kind of BPF object behind an fd, from its
// /proc/self/fd link ("anon_inode:bpf-prog").
type FDType int

const (
	FDUnknown FDType = iota
	FDProg
	FDMap
	FDLink
)

// String is bpftool's name for the kind.
func (t FDType) String() string {
	switch t {
	case FDProg:
		return "prog"
	case FDMap:
		return "map"
	case FDLink:
		return "link"
	}
	return "unknown"
}

// TypeOfFD tells which kind of BPF object fd refers to.
func TypeOfFD(fd int) (FDType, error) {
	l, err := os.Readlink("/proc/self/fd/" + strconv.Itoa(fd))
	if err != nil {
		return FDUnknown, err
	}
	return typeOfLink(l), nil
}

func typeOfLink(l string) FDType {
	switch {
	case bytesContains(l, "bpf-map"):
		return FDMap
	case bytesContains(l, "bpf-prog"):
		return FDProg
	case bytesContains(l, "bpf-link"):
		return FDLink
	}
	return FDUnknown
}

func bytesContains(s, sub string) bool {
	return len(s) >= len(sub) && bytes.Contains([]byte(s), []byte(sub))
}
