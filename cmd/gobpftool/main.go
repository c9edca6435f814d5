// Command gobpftool is a drop-in for `bpftool prog`.
package main

import (
	"os"

	"github.com/gobpftool/gobpftool/internal/cli"
	"github.com/gobpftool/gobpftool/internal/prog"
)

func main() {
	objects := []cli.Object{prog.Object()}
	os.Exit(cli.RunNamed(os.Args[0], os.Args[1:], objects, os.Stdin, os.Stdout, os.Stderr))
}
