package manpage_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gobpftool/gobpftool/internal/cli"
	"github.com/gobpftool/gobpftool/internal/manpage"
	"github.com/gobpftool/gobpftool/internal/prog"
	"github.com/gobpftool/gobpftool/internal/testprog"
)

const manDir = "../../docs/man"

var pages = []string{"gobpftool.8", "gobpftool-prog.8"}

// The committed pages are what `go generate ./...` makes of the sources
// and the table now.
func TestPagesGenerated(t *testing.T) {
	for _, p := range pages {
		src, err := os.ReadFile(filepath.Join(manDir, p+".md"))
		if err != nil {
			t.Fatal(err)
		}
		committed, err := os.ReadFile(filepath.Join(manDir, p))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(committed, manpage.Generate(src, manpage.ProgPage())) {
			t.Errorf("docs/man/%s is stale: run go generate ./...", p)
		}
	}
}

// man-db's --warnings asks groff for every warning it has.
func TestPagesWarnNothing(t *testing.T) {
	man := testprog.NeedTool(t, "man")
	for _, p := range pages {
		cmd := exec.Command(man, "--warnings", "-l", filepath.Join(manDir, p))
		cmd.Env = append(os.Environ(), "MANWIDTH=80", "MANPAGER=cat", "PAGER=cat")
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Run(); err != nil || errb.Len() > 0 || out.Len() == 0 {
			t.Errorf("man %s: %v\n%s", p, err, errb.String())
		}
	}
}

// helpAdditions are the keywords gobpftool takes that bpftool 7.1's help
// text, which ours reproduces, does not name (newer bpftool's), by
// command.
var helpAdditions = map[string][]string{
	"load":     {"offload_dev", "xdpmeta_dev", "autoattach", "kernel_btf"},
	"loadall":  {"offload_dev", "xdpmeta_dev", "autoattach", "kernel_btf"},
	"tracelog": {"stdout", "stderr", "id", "pinned", "tag", "name"},
}

// TestHelpTableManAgree fails when `prog help`, the man page's synopsis
// and the command table disagree on a command or on a command's
// keywords. A table entry without Run is documented ahead of its
// command: the man page must have it, help must not yet.
func TestHelpTableManAgree(t *testing.T) {
	var out, errb bytes.Buffer
	cli.Run([]string{"prog", "help"}, []cli.Object{prog.Object()}, strings.NewReader(""), &out, &errb)
	help, helpLists := synopsis(strings.Split(errb.String(), "\n"), "gobpftool prog ")
	roff, err := os.ReadFile(filepath.Join(manDir, "gobpftool-prog.8"))
	if err != nil {
		t.Fatal(err)
	}
	man, manLists := synopsis(roffSynopsis(string(roff)), "gobpftool prog ")

	var built, all []string
	for _, c := range prog.Commands() {
		all = append(all, c.Name)
		kws := cli.Keywords(c.Args)
		same(t, "keywords of "+c.Name+" in the man page and in the table's grammar", man[c.Name], kws)
		if c.Run != nil {
			built = append(built, c.Name)
			same(t, "keywords of "+c.Name+" in help (and our additions) and in the table's grammar",
				append(help[c.Name], helpAdditions[c.Name]...), kws)
		}
	}
	same(t, "commands of help and of the table (with Run)", keys(help), built)
	same(t, "commands of the man page and of the table", keys(man), all)
	for name, list := range manLists {
		same(t, name+" lists of help and of the man page", helpLists[name], list)
	}
	if len(manLists) != 3 {
		t.Errorf("the man page defines %d word lists, want TYPE, ATTACH_TYPE and METRIC", len(manLists))
	}
}

func keys(m map[string][]string) []string {
	var k []string
	for c := range m {
		k = append(k, c)
	}
	return k
}

func same(t *testing.T, what string, a, b []string) {
	t.Helper()
	a, b = set(a), set(b)
	if !slices.Equal(a, b) {
		var onlyA, onlyB []string
		for _, w := range a {
			if !slices.Contains(b, w) {
				onlyA = append(onlyA, w)
			}
		}
		for _, w := range b {
			if !slices.Contains(a, w) {
				onlyB = append(onlyB, w)
			}
		}
		t.Errorf("%s differ: only in the first %q, only in the second %q", what, onlyA, onlyB)
	}
}

func set(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return slices.Compact(s)
}

var (
	word     = regexp.MustCompile(`\b[a-z][a-z0-9_/]*`)
	listLine = regexp.MustCompile(`^\s*([A-Z_]+) := \{(.*)\}\s*$`)
	progRef  = regexp.MustCompile(`\bPROG\b`)
	mapRef   = regexp.MustCompile(`\bMAP\b`)
)

// synopsis reads usage lines as help prints them: the keywords of each
// command (first word after prefix, or the braced alternatives there),
// with PROG and MAP expanded by their := lines, and the word lists of
// the other NAME := { ... } lines.
func synopsis(lines []string, prefix string) (cmds, lists map[string][]string) {
	cmds, lists = map[string][]string{}, map[string][]string{}
	var usage []string
	var def string
	defs := map[string]string{}
	for _, l := range lines {
		l = strings.TrimSuffix(strings.TrimSpace(strings.TrimPrefix(l, "Usage:")), `\`)
		switch {
		case strings.HasPrefix(l, prefix):
			usage = append(usage, strings.TrimPrefix(l, prefix))
		case strings.Contains(l, ":="):
			def = l
		case def != "" && l != "":
			def += " " + l
		case len(usage) > 0 && def == "" && l != "":
			usage[len(usage)-1] += " " + l // a continuation line
		}
		if def != "" && strings.HasSuffix(def, "}") {
			if m := listLine.FindStringSubmatch(def); m != nil {
				defs[m[1]] = m[2]
			}
			def = ""
		}
	}
	for name, d := range defs {
		if name != "PROG" && name != "MAP" && name != "OPTIONS" {
			lists[strings.TrimSuffix(name, "S")] = word.FindAllString(d, -1)
		}
	}
	for _, u := range usage {
		head := strings.Fields(u)[0]
		if head == "{" {
			head = u[:strings.Index(u, "}")]
		}
		names := word.FindAllString(head, -1)
		kws := word.FindAllString(u, -1)
		if progRef.MatchString(u) {
			kws = append(kws, word.FindAllString(defs["PROG"], -1)...)
		}
		if mapRef.MatchString(u) {
			kws = append(kws, word.FindAllString(defs["MAP"], -1)...)
		}
		kws = slices.DeleteFunc(kws, func(w string) bool { return slices.Contains(names, w) })
		for _, n := range names {
			cmds[n] = append(cmds[n], kws...)
		}
	}
	return cmds, lists
}

// roffSynopsis is the SYNOPSIS section of a page as text lines.
func roffSynopsis(roff string) []string {
	_, s, _ := strings.Cut(roff, ".SH SYNOPSIS\n")
	s, _, _ = strings.Cut(s, "\n.SH ")
	s = regexp.MustCompile(`\\f[BIRP]`).ReplaceAllString(s, "")
	s = strings.NewReplacer(`\-`, "-", `\\`, `\`, `\[`, "[", `\]`, "]", `\|`, "|").Replace(s)
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		if l != ".br" && !strings.HasPrefix(l, ".") {
			lines = append(lines, l)
		}
	}
	return lines
}
