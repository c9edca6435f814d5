package manpage

import "github.com/gobpftool/gobpftool/internal/prog"

// ProgPage is the page of `gobpftool prog`.
func ProgPage() Page {
	return Page{Prefix: "gobpftool prog", Commands: prog.Commands(), Definitions: prog.Definitions()}
}
