// Command gobpftool is a drop-in for `bpftool prog`.
package main

import (
	"os"

	"github.com/gobpftool/gobpftool/internal/cli"
	"github.com/gobpftool/gobpftool/internal/prog"
)

func main() {
	objects := []cli.Object{{Name: "prog", Run: prog.Run}}
	os.Exit(cli.RunNamed(os.Args[0], os.Args[1:], objects, cli.ProcessStdin(), os.Stdout, os.Stderr))
}
