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
	dir := Dirname(path)
	if kernel.IsBPFFS(dir) {
		return nil
	}
	if c.NoMount {
		return c.Errorf("no BPF file system found, not mounting it due to --nomount option")
	}
	if step, err := kernel.MountFS(dir, "bpf"); err != nil {
		return c.Errorf("can't mount BPF file system to pin the object (%s): %s%s", path, step, errno.ErrText(err))
	}
	return nil
}

// PinFD pins fd at path with bpftool's checks and messages.
func PinFD(c *cli.Context, fd int, path string) error {
	if err := MountForPin(c, path); err != nil {
		return err
	}
	if err := kernel.ObjPin(fd, path); err != nil {
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
