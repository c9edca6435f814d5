package progfacts_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLayers keeps the one direction of flow of docs/ARCHITECTURE.md:
// the engines never reach up to the grammar or the commands, and the
// kernel layer imports nothing of ours.
func TestLayers(t *testing.T) {
	const mod = "github.com/gobpftool/gobpftool/internal/"
	for pkg, banned := range map[string][]string{
		"progfacts": {"cli", "prog"},
		"loader":    {"cli", "prog"},
		"profiler":  {"cli", "prog"},
		"top":       {"cli", "prog"},
		"metrics":   {"cli", "prog"},
		"kernel":    {"cli", "prog", "progfacts", "loader", "profiler", "top", "metrics", "errno", "userfile"},
		"xlated":    {"cli", "prog", "kernel"},
		"jited":     {"cli", "prog", "kernel"},
		"cfg":       {"cli", "prog", "kernel"},
		"jsonw":     {"cli", "prog", "kernel"},
		"btfdump":   {"cli", "prog", "kernel"},
		"kallsyms":  {"cli", "prog", "kernel"},
	} {
		out, err := exec.Command("go", "list", "-deps", mod+pkg).Output()
		if err != nil {
			t.Fatalf("go list %s: %v", pkg, err)
		}
		deps := map[string]bool{}
		for _, d := range strings.Fields(string(out)) {
			deps[d] = true
		}
		for _, b := range banned {
			if deps[mod+b] {
				t.Errorf("internal/%s depends on internal/%s", pkg, b)
			}
		}
	}
}
