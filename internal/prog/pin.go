package prog

import (
	"github.com/gobpftool/gobpftool/internal/bpffs"
	"github.com/gobpftool/gobpftool/internal/cli"
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
	if err := bpffs.PinFD(c, fd, rest[0]); err != nil {
		return err
	}
	c.Null()
	return nil
}
