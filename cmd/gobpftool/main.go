// Command gobpftool is a drop-in for `bpftool prog`.
//
// The Go runtime's cgroup-aware GOMAXPROCS keeps two cgroup files open
// for the life of the process and re-reads them from a goroutine: fds a
// low `ulimit -n` cannot spare (bpftool lists every program with 5), for
// a tool that runs two worker threads at most.
//
//go:debug containermaxprocs=0
//go:debug updatemaxprocs=0
package main

import (
	"os"

	"github.com/gobpftool/gobpftool/internal/cli"
	"github.com/gobpftool/gobpftool/internal/prog"
)

func main() {
	objects := []cli.Object{prog.Object()}
	os.Exit(cli.RunNamed(os.Args[0], os.Args[1:], objects, cli.ProcessStdin(), os.Stdout, os.Stderr))
}
