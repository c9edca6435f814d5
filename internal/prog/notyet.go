package prog

import "github.com/gobpftool/gobpftool/internal/cli"

// Commands whose issues are still open. They stay in the table so that
// prefixes resolve as in bpftool ("d" is dump, not detach), and fail
// plainly instead of pretending.
func notYet(name string) func(*cli.Context, []string) error {
	return func(c *cli.Context, _ []string) error {
		return c.Errorf("'prog %s' is not implemented in this version of %s", name, c.Bin)
	}
}

var (
	load     = notYet("load")
	loadall  = notYet("loadall")
	attach   = notYet("attach")
	detach   = notYet("detach")
	tracelog = notYet("tracelog")
	run      = notYet("run")
)
