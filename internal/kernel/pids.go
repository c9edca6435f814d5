package kernel

import (
	"bytes"
	"os"
	"slices"
	"strconv"

	"golang.org/x/sys/unix"
)

// Holder is a process that holds an fd of a BPF object: its tgid and the
// comm of its thread group leader, as bpftool's pid iterator reports them.
type Holder struct {
	PID  int
	Comm string
}

// Holders maps object ids of one kind to the processes holding them, each
// process once, in pid order.
type Holders map[uint32][]Holder

// OwnFDs is the set of this process's open fds at one moment. A command
// that scans for holders while it opens objects itself passes the set taken
// before it opened any: our own fds count only if they were already there
// (a program that embeds gobpftool holds objects of its own).
type OwnFDs map[int]bool

// SnapshotOwnFDs lists this process's open fds, less the one used to list
// them (the next open would reuse its number).
func SnapshotOwnFDs() OwnFDs {
	names, dir := dirNamesFD("/proc/self/fd", nil)
	if dir < 0 {
		return nil
	}
	own := OwnFDs{}
	for _, n := range names {
		if fd, err := strconv.Atoi(n); err == nil && fd != dir {
			own[fd] = true
		}
	}
	return own
}

// FindHolders scans /proc for every process's fds of the given kind.
// bpftool gets the same answer from a task_file BPF iterator; /proc gives
// it without loading a program, and reading only the fdinfo of fds whose
// link names the kind keeps it to a few syscalls per object. Of this
// process's fds only those in own count (all of them when own is nil).
func FindHolders(kind FDType, own OwnFDs) Holders {
	h := Holders{}
	self := os.Getpid()
	names := dirNames("/proc", nil)
	pids := make([]int, 0, len(names))
	for _, n := range names {
		if pid, err := strconv.Atoi(n); err == nil {
			pids = append(pids, pid)
		}
	}
	slices.Sort(pids)
	idKey := []byte("prog_id:")
	if kind == FDMap {
		idKey = []byte("map_id:")
	} else if kind == FDLink {
		idKey = []byte("link_id:")
	}
	var fds []string
	var linkBuf [64]byte
	var infoBuf [1024]byte
	for _, pid := range pids {
		base := "/proc/" + strconv.Itoa(pid)
		fds = dirNames(base+"/fd", fds[:0])
		var comm string
		seen := map[uint32]bool{}
		for _, fd := range fds {
			if pid == self && own != nil {
				if n, err := strconv.Atoi(fd); err != nil || !own[n] {
					continue
				}
			}
			n, err := unix.Readlink(base+"/fd/"+fd, linkBuf[:])
			if err != nil || typeOfLink(string(linkBuf[:n])) != kind {
				continue
			}
			id, ok := readFDInfoID(base+"/fdinfo/"+fd, idKey, infoBuf[:])
			if !ok || seen[id] {
				continue
			}
			seen[id] = true
			if comm == "" {
				comm = readComm(base)
			}
			h[id] = append(h[id], Holder{PID: pid, Comm: comm})
		}
	}
	return h
}

func readFDInfoID(path string, key, buf []byte) (uint32, bool) {
	data := buf[:readSmall(path, buf)]
	i := bytes.Index(data, key)
	if i < 0 {
		return 0, false
	}
	data = data[i+len(key):]
	for len(data) > 0 && (data[0] == '\t' || data[0] == ' ') {
		data = data[1:]
	}
	var v uint64
	j := 0
	for j < len(data) && data[j] >= '0' && data[j] <= '9' {
		v = v*10 + uint64(data[j]-'0')
		j++
	}
	return uint32(v), j > 0
}

func readComm(base string) string {
	var b [64]byte
	n := readSmall(base+"/comm", b[:])
	return string(bytes.TrimSuffix(b[:n], []byte("\n")))
}
