// Command mangen writes docs/man: each NAME.md source there becomes the
// roff page NAME, with the prog table's synopsis and descriptions where
// the source has markers. `go generate ./...` runs it.
package main

import (
	"flag"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/gobpftool/gobpftool/internal/manpage"
)

func main() {
	dir := flag.String("out", "docs/man", "directory of the Markdown sources and the pages")
	flag.Parse()
	srcs, err := filepath.Glob(filepath.Join(*dir, "*.md"))
	if err != nil || len(srcs) == 0 {
		log.Fatalf("no Markdown sources in %s", *dir)
	}
	for _, src := range srcs {
		md, err := os.ReadFile(src)
		if err != nil {
			log.Fatal(err)
		}
		page := manpage.Generate(md, manpage.ProgPage())
		if err := os.WriteFile(strings.TrimSuffix(src, ".md"), page, 0o644); err != nil {
			log.Fatal(err)
		}
	}
}
