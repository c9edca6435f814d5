// Package bpffs pins objects the way bpftool does: the pin's directory must
// be on a BPF file system, which is mounted there on demand unless -n.
package bpffs

import (
	"github.com/gobpftool/gobpftool/internal/cli"
	"github.com/gobpftool/gobpftool/internal/errno"
	"github.com/gobpftool/gobpftool/internal/kernel"
)

// MountForPin makes sure the directory of path is on bpffs, mounting one
// there unless the user said --nomount.
func MountForPin(c *cli.Context, path string) error {
	_, err := mountForPin(c, path)
	return err
}

// mountForPin is MountForPin that also returns how to undo the mount.
func mountForPin(c *cli.Context, path string) (undo func(), err error) {
	dir := Dirname(path)
	if kernel.IsBPFFS(dir) {
		return func() {}, nil
	}
	if c.NoMount {
		return nil, c.Errorf("no BPF file system found, not mounting it due to --nomount option")
	}
	undo, step, err := kernel.MountFSUndoable(dir, "bpf")
	if err != nil {
		return nil, c.Errorf("can't mount BPF file system to pin the object (%s): %s%s", path, step, errno.ErrText(err))
	}
	return undo, nil
}

// PinFD pins fd at path with bpftool's checks and messages. A pin that
// fails takes back the bpffs it mounted for itself (bpftool leaves it).
func PinFD(c *cli.Context, fd int, path string) error {
	undo, err := mountForPin(c, path)
	if err != nil {
		return err
	}
	if err := kernel.ObjPin(fd, path); err != nil {
		undo()
		c.Errorf("can't pin the object (%s): %s", path, errno.ErrText(err))
		// libbpf returns -errno and bpftool exits with it.
		return &cli.Failure{Code: errno.Exit(err)}
	}
	return nil
}

// Dirname is POSIX dirname(3).
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
