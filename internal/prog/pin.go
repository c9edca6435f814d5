package prog

import (
	"github.com/gobpftool/gobpftool/internal/cli"
	"github.com/gobpftool/gobpftool/internal/errno"
	"github.com/gobpftool/gobpftool/internal/kernel"
)

// pin is `prog pin PROG FILE`.
func pin(c *cli.Context, args []string) error {
	if len(args) < 3 {
		c.Errorf("'%s' needs at least 3 arguments, %d found", c.Keyword(), len(args))
		return cli.ErrInvalid
	}
	fd, rest, err := parseProg(c, args)
	if err != nil {
		return err
	}
	defer kernel.Close(fd)
	if len(rest) == 0 {
		return c.Usage()
	}
	if err := pinFD(c, fd, rest[0]); err != nil {
		return err
	}
	c.Null()
	return nil
}

// mountForPinPath makes sure the directory of path is on bpffs, mounting one
// there unless the user said --nomount.
func mountForPinPath(c *cli.Context, path string) error {
	_, err := mountForPin(c, path)
	return err
}

// mountForPin is mountForPinPath that also returns how to undo the mount.
func mountForPin(c *cli.Context, path string) (undo func(), err error) {
	dir := kernel.Dirname(path)
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

// pinFD pins fd at path with bpftool's checks and messages. A pin that
// fails takes back the bpffs it mounted for itself (bpftool leaves it).
func pinFD(c *cli.Context, fd int, path string) error {
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
