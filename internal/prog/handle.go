package prog

import (
	"syscall"

	"github.com/gobpftool/gobpftool/internal/cli"
	"github.com/gobpftool/gobpftool/internal/errno"
	"github.com/gobpftool/gobpftool/internal/kernel"
	"github.com/gobpftool/gobpftool/internal/progfacts"
)

// maxProgFullName bounds a `name` handle, as bpftool's MAX_PROG_FULL_NAME.
const maxProgFullName = 128

// parseProgs resolves a PROG handle (id, tag, name, pinned) at the head of
// args into open fds: one for id and pinned, every match for tag and name
// (possibly none, which bpftool reports with no message).
func parseProgs(c *cli.Context, args []string) (fds []int, rest []string, err error) {
	return parseProgsIn(c, args, nil)
}

// parseProgsIn is parseProgs for a command with a session prepared for a
// walk (progfacts.Options.Walk): a tag or a name is then looked for among
// every program's name and tag as the bpf_prog iterator reads them, and
// only the programs that may match are opened.
func parseProgsIn(c *cli.Context, args []string, facts *progfacts.Session) (fds []int, rest []string, err error) {
	if len(args) == 0 {
		return nil, nil, c.Usage()
	}
	kw := args[0]
	switch {
	case cli.IsPrefix(kw, "id"):
		if args, err = next(c, args); err != nil {
			return nil, nil, err
		}
		if len(args) == 0 {
			return nil, nil, c.Usage()
		}
		id, ok := cli.ParseUint32(args[0])
		if !ok {
			return nil, nil, c.Errorf("can't parse %s as ID", args[0])
		}
		fd, err := kernel.ProgFDByID(id)
		if err != nil {
			return nil, nil, c.Errorf("get by id (%d): %s", id, errno.ErrText(err))
		}
		return []int{fd}, args[1:], nil
	case cli.IsPrefix(kw, "tag"):
		if len(args) < 2 {
			return nil, nil, c.Usage()
		}
		tag, ok := parseTag(args[1])
		if !ok {
			return nil, nil, c.Errorf("can't parse tag")
		}
		fds, err := progsByNameTag(c, facts, func(_ string, t [8]byte) bool { return t == tag },
			func(pi *kernel.ProgInfo, fd int) bool { return pi.Tag == tag })
		return fds, args[2:], err
	case cli.IsPrefix(kw, "name"):
		if len(args) < 2 {
			return nil, nil, c.Usage()
		}
		name := args[1]
		if len(name) > maxProgFullName-1 {
			return nil, nil, c.Errorf("can't parse name")
		}
		// A kernel name of 15 bytes is cut: the full name, from BTF, may
		// be anything, and is read for those programs.
		maybe := func(kernelName string, _ [8]byte) bool {
			return kernelName == name || len(kernelName) >= progfacts.KernelNameLen
		}
		fds, err := progsByNameTag(c, facts, maybe, func(pi *kernel.ProgInfo, fd int) bool {
			return progfacts.FullName(pi, fd) == name
		})
		return fds, args[2:], err
	case cli.IsPrefix(kw, "pinned"):
		if len(args) < 2 {
			return nil, nil, c.Usage()
		}
		fd, err := openPinned(c, args[1], kernel.FDProg)
		if err != nil {
			return nil, nil, err
		}
		return []int{fd}, args[2:], nil
	}
	return nil, nil, c.Errorf("expected 'id', 'tag', 'name' or 'pinned', got: '%s'?", kw)
}

// parseProg resolves a handle that must name exactly one program.
func parseProg(c *cli.Context, args []string) (int, []string, error) {
	fds, rest, err := parseProgs(c, args)
	if err != nil {
		return -1, nil, err
	}
	if len(fds) != 1 {
		if len(fds) > 1 {
			closeAll(fds)
			return -1, nil, c.Errorf("several programs match this handle")
		}
		return -1, nil, cli.ErrFailed
	}
	return fds[0], rest, nil
}

func closeAll(fds []int) {
	for _, fd := range fds {
		kernel.Close(fd)
	}
}

// parseTag reads 8 bytes as sscanf("%02hhx" x 8) does: each byte from at
// most two hex digits after optional blanks; anything may follow.
func parseTag(s string) ([8]byte, bool) {
	var tag [8]byte
	i := 0
	for n := 0; n < 8; n++ {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\v' || s[i] == '\f' || s[i] == '\r') {
			i++
		}
		digits := 0
		var v byte
		for digits < 2 && i < len(s) {
			d := hexVal(s[i])
			if d < 0 {
				break
			}
			v = v<<4 | byte(d)
			i++
			digits++
		}
		if digits == 0 {
			return tag, false
		}
		tag[n] = v
	}
	return tag, true
}

// progsByNameTag opens every loaded program that match accepts. Where
// facts can read the bpf_prog iterator, keep picks the candidates from it
// by kernel name and tag (a superset of the matches), and only those are
// opened and matched.
func progsByNameTag(c *cli.Context, facts *progfacts.Session, keep func(string, [8]byte) bool,
	match func(*kernel.ProgInfo, int) bool) ([]int, error) {
	next := kernel.ProgGetNextID
	if facts != nil {
		if candidates, ok := facts.MatchingIDs(keep); ok {
			next = func(uint32) (uint32, error) {
				if len(candidates) == 0 {
					return 0, syscall.ENOENT
				}
				id := candidates[0]
				candidates = candidates[1:]
				return id, nil
			}
		}
	}
	return openMatching(c, "prog", next, kernel.ProgFDByID, func(fd int) (bool, error) {
		pi, err := kernel.GetProgInfo(fd)
		if err != nil {
			return false, err
		}
		return match(pi, fd), nil
	})
}

// openMatching walks the ids of one kind of object (bpftool's
// prog_fd_by_nametag and map_fd_by_name), opens each and keeps the fds
// that match accepts; errors are bpftool's, naming the kind. An object gone
// between the id walk and the open cannot match and is passed over.
func openMatching(c *cli.Context, kind string, next func(uint32) (uint32, error),
	open func(uint32) (int, error), match func(fd int) (bool, error)) ([]int, error) {
	var fds []int
	var id uint32
	for {
		nid, err := next(id)
		if err != nil {
			if err == syscall.ENOENT {
				return fds, nil
			}
			closeAll(fds)
			return nil, c.Errorf("%s", errno.ErrText(err))
		}
		id = nid
		fd, err := open(id)
		if err != nil {
			if err == syscall.ENOENT {
				continue
			}
			closeAll(fds)
			return nil, c.Errorf("can't get %s by id (%d): %s", kind, id, errno.ErrText(err))
		}
		ok, err := match(fd)
		if err != nil {
			kernel.Close(fd)
			closeAll(fds)
			return nil, c.Errorf("can't get %s info (%d): %s", kind, id, errno.ErrText(err))
		}
		if !ok {
			kernel.Close(fd)
			continue
		}
		fds = append(fds, fd)
	}
}

// parseMapFD is bpftool's map_parse_fd: a MAP handle that must name one
// map.
func parseMapFD(c *cli.Context, args []string) (int, []string, error) {
	kw := args[0]
	switch {
	case cli.IsPrefix(kw, "id"):
		args = args[1:]
		id, ok := cli.ParseUint32(args[0])
		if !ok {
			return -1, nil, c.Errorf("can't parse %s as ID", args[0])
		}
		fd, err := kernel.MapFDByID(id)
		if err != nil {
			return -1, nil, c.Errorf("get map by id (%d): %s", id, errno.ErrText(err))
		}
		return fd, args[1:], nil
	case cli.IsPrefix(kw, "name"):
		args = args[1:]
		name := args[0]
		if len(name) > 15 {
			return -1, nil, c.Errorf("can't parse name")
		}
		fds, err := mapsByName(c, name)
		if err != nil {
			return -1, nil, err
		}
		if len(fds) != 1 {
			if len(fds) > 1 {
				closeAll(fds)
				return -1, nil, c.Errorf("several maps match this handle")
			}
			return -1, nil, cli.ErrFailed
		}
		return fds[0], args[1:], nil
	case cli.IsPrefix(kw, "pinned"):
		args = args[1:]
		fd, err := openPinned(c, args[0], kernel.FDMap)
		if err != nil {
			return -1, nil, err
		}
		return fd, args[1:], nil
	}
	return -1, nil, c.Errorf("expected 'id', 'name' or 'pinned', got: '%s'?", kw)
}

// mapsByName opens every map whose kernel name is name.
func mapsByName(c *cli.Context, name string) ([]int, error) {
	return openMatching(c, "map", kernel.MapGetNextID, kernel.MapFDByID, func(fd int) (bool, error) {
		mi, err := kernel.GetMapInfo(fd)
		if err != nil {
			return false, err
		}
		return mi.Name == name, nil
	})
}

// openPinned opens a pinned object of the wanted kind, with bpftool's
// errors for a path off bpffs and for an object of another kind.
func openPinned(c *cli.Context, path string, want kernel.FDType) (int, error) {
	fd, err := kernel.ObjGet(path)
	if err != nil {
		if err == syscall.EACCES {
			// bpftool's dirname() cuts its copy of the path in place
			// before the message is printed, so on EACCES the
			// directory shows, on bpffs or off it.
			dir := kernel.Dirname(path)
			if !kernel.IsBPFFS(dir) {
				return -1, c.Errorf("bpf obj get (%s): directory not in bpf file system (bpffs)", dir)
			}
			return -1, c.Errorf("bpf obj get (%s): %s", dir, errno.ErrText(err))
		}
		return -1, c.Errorf("bpf obj get (%s): %s", path, errno.ErrText(err))
	}
	t, err := kernel.TypeOfFD(fd)
	if err != nil {
		kernel.Close(fd)
		return -1, c.Errorf("can't read link type: %s", errno.ErrText(err))
	}
	if t != want {
		kernel.Close(fd)
		return -1, c.Errorf("incorrect object type: %s", t)
	}
	return fd, nil
}

// hexVal is the value of a hex digit, or -1.
var hexVal = cli.HexDigit
