package cli_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gobpftool/gobpftool/internal/cli"
	"github.com/gobpftool/gobpftool/internal/prog"
	"github.com/gobpftool/gobpftool/internal/testprog"
)

var update = flag.Bool("update", false, "capture golden files from Debian's bpftool")

// grammarCase is one command line and what bpftool printed for it.
type grammarCase struct {
	Args   []string          `json:"args"`
	Stdin  string            `json:"stdin,omitempty"`
	Files  map[string]string `json:"files,omitempty"`
	Stdout string            `json:"stdout"`
	Stderr string            `json:"stderr"`
	Code   int               `json:"code"`
}

// grammarCases need no kernel: options, keywords, help, batch parsing.
// "FILE:name" in an argument is replaced by a file with that content.
var grammarCases = []grammarCase{
	{Args: []string{}},
	{Args: []string{""}},
	{Args: []string{"help"}},
	{Args: []string{"h"}},
	{Args: []string{"-h"}},
	{Args: []string{"--help"}},
	{Args: []string{"-j"}},
	{Args: []string{"-j", "-h"}},
	{Args: []string{"-h", "-j"}},
	{Args: []string{"-p", "help"}},
	{Args: []string{"--he"}},
	{Args: []string{"prog", "help"}},
	{Args: []string{"p", "help"}},
	{Args: []string{"pr", "h"}},
	{Args: []string{"prog", "hel", "extra"}},
	{Args: []string{"-j", "prog", "help"}},
	{Args: []string{"-p", "prog", "help"}},
	{Args: []string{"prog", "bogus"}},
	{Args: []string{"-j", "prog", "bogus"}},
	{Args: []string{"bogus"}},
	{Args: []string{"-j", "bogus"}},
	{Args: []string{"-x"}},
	{Args: []string{"-jx"}},
	{Args: []string{"-xj"}},
	{Args: []string{"prog", "-x"}},
	{Args: []string{"prog", "help", "-jx"}},
	{Args: []string{"--bogus"}},
	{Args: []string{"--json=1"}},
	{Args: []string{"--b"}},
	{Args: []string{"-B"}},
	{Args: []string{"--base-btf"}},
	{Args: []string{"-j", "--bogus", "prog"}},
	{Args: []string{"prog", "help", "--", "-j"}},
	{Args: []string{"--", "-j", "prog", "help"}},
	{Args: []string{"-", "prog"}},
	{Args: []string{"prog", "pin"}},
	{Args: []string{"prog", "pi", "id"}},
	{Args: []string{"-j", "prog", "pin", "id"}},
	{Args: []string{"batch"}},
	{Args: []string{"batch", "file"}},
	{Args: []string{"batch", "fil", "a", "b"}},
	{Args: []string{"batch", "bogus", "x"}},
	{Args: []string{"batch", "file", "/nonexistent"}},
	{Args: []string{"-j", "batch", "file", "/nonexistent"}},
	{Args: []string{"batch", "file", "FILE:plain"}, Files: map[string]string{"plain": "prog help\n# a comment\n\n  p   h  # trailing comment\nhelp\n"}},
	{Args: []string{"-j", "batch", "file", "FILE:plain"}, Files: map[string]string{"plain": "prog help\n# a comment\n\nprog help\n"}},
	{Args: []string{"-p", "batch", "file", "FILE:plain"}, Files: map[string]string{"plain": "prog help\nprog help\n"}},
	{Args: []string{"-j", "batch", "file", "FILE:q"}, Files: map[string]string{"q": "prog 'help' \"he\"lp\nhelp \"a b\\\\c\" 'x\"y' 'it''s'\n"}},
	{Args: []string{"-j", "batch", "file", "FILE:apos"}, Files: map[string]string{"apos": "prog help \"it's\"\n"}},
	{Args: []string{"batch", "file", "FILE:cont"}, Files: map[string]string{"cont": "prog \\\nhelp\nprog help \\\n# comment\n"}},
	{Args: []string{"batch", "file", "FILE:cont"}, Files: map[string]string{"cont": "prog help \\\n"}},
	{Args: []string{"batch", "file", "FILE:uq"}, Files: map[string]string{"uq": "prog help\nprog 'help\nprog help\n"}},
	{Args: []string{"-j", "batch", "file", "FILE:uq"}, Files: map[string]string{"uq": "prog help\nprog \"help\n"}},
	{Args: []string{"batch", "file", "FILE:fail"}, Files: map[string]string{"fail": "prog help\nprog bogus\nprog help\n"}},
	{Args: []string{"-j", "batch", "file", "FILE:fail"}, Files: map[string]string{"fail": "prog help\nprog bogus\nprog help\n"}},
	{Args: []string{"batch", "file", "FILE:usage"}, Files: map[string]string{"usage": "prog help\nprog pin id\nprog help\n"}},
	{Args: []string{"-j", "batch", "file", "FILE:usage"}, Files: map[string]string{"usage": "prog help\nprog show id\n"}},
	{Args: []string{"batch", "file", "FILE:nested"}, Files: map[string]string{"nested": "batch file /nonexistent\n"}},
	{Args: []string{"batch", "file", "-"}, Stdin: "prog help\nhelp\n"},
	{Args: []string{"-j", "batch", "file", "-"}, Stdin: "p h\n"},
	{Args: []string{"batch", "file", "FILE:empty"}, Files: map[string]string{"empty": ""}},
	{Args: []string{"batch", "file", "/"}},
	{Args: []string{"-j", "batch", "file", "/"}},
	{Args: []string{"batch", "file", "FILE:nul"}, Files: map[string]string{"nul": "prog help\x00 bogus\nprog bogus\x00x\n"}},
	{Args: []string{"-j", "batch", "file", "FILE:nul"}, Files: map[string]string{"nul": "prog help\x00 bogus\nprog help \x00\nprog help\n"}},
	{Args: []string{"batch", "file", "FILE:nulcont"}, Files: map[string]string{"nulcont": "prog \\\n\x00help\n"}},
	{Args: []string{"batch", "file", "FILE:nulcont2"}, Files: map[string]string{"nulcont2": "prog \\\x00\nhelp\n"}},
}

const goldenPath = "testdata/grammar.json"

// materialize writes a case's files and returns its argument list.
func materialize(t *testing.T, c grammarCase) []string {
	dir := t.TempDir()
	args := make([]string, len(c.Args))
	for i, a := range c.Args {
		if name, ok := strings.CutPrefix(a, "FILE:"); ok {
			p := filepath.Join(dir, name)
			os.WriteFile(p, []byte(c.Files[name]), 0o644)
			a = p
		}
		args[i] = a
	}
	return args
}

var tmpPath = regexp.MustCompile(`/tmp/[^ '"\n]*/[0-9]+/`)

// normalize hides where a test's temporary files live.
func normalize(s string) string { return tmpPath.ReplaceAllString(s, "TMP/") }

func TestGrammarGolden(t *testing.T) {
	if *update {
		capture(t)
	}
	raw, err := os.ReadFile(goldenPath)
	if err != nil {
		t.Fatal(err)
	}
	var cases []grammarCase
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	objects := []cli.Object{{Name: "prog", Run: prog.Run}}
	for _, c := range cases {
		args := materialize(t, c)
		var out, errb bytes.Buffer
		code := cli.RunNamed("bpftool", args, objects, strings.NewReader(c.Stdin), &out, &errb)
		got := grammarCase{Stdout: normalize(out.String()), Stderr: normalize(errb.String()), Code: code}
		want := grammarCase{Stdout: c.Stdout, Stderr: c.Stderr, Code: c.Code}
		// Our additions to help: testprog.OracleHelp.
		want.Stderr = testprog.OracleHelp(want.Stderr)
		// The oracle writes a backslash in a JSON string as \n; we
		// write valid JSON (README.md, differences from bpftool).
		want.Stdout = strings.ReplaceAll(want.Stdout, `"a b\n\nc"`, `"a b\\\\c"`)
		if isJSON(c.Args) && out.Len() > 0 && !json.Valid(out.Bytes()) {
			t.Errorf("%q: invalid JSON %q", c.Args, out.String())
		}
		if got.Stdout != want.Stdout || got.Stderr != want.Stderr || got.Code != want.Code {
			t.Errorf("%q:\ngot  code %d stdout %q\n     stderr %q\nwant code %d stdout %q\n     stderr %q",
				c.Args, got.Code, got.Stdout, got.Stderr, want.Code, want.Stdout, want.Stderr)
		}
	}
}

// isJSON reports whether a command line asks for JSON output.
func isJSON(args []string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		if a == "--json" || a == "--pretty" || (strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "--") && strings.ContainsAny(a, "jp")) {
			return true
		}
	}
	return false
}

// capture runs Debian's bpftool (as "bpftool", its argv[0] in the golden
// text) on every case and stores its bytes.
func capture(t *testing.T) {
	if _, err := exec.LookPath("bpftool"); err != nil {
		t.Fatal("capturing golden files needs Debian's bpftool")
	}
	var out []grammarCase
	for _, c := range grammarCases {
		args := materialize(t, c)
		cmd := exec.Command("bpftool", args...)
		cmd.Path, _ = exec.LookPath("bpftool")
		cmd.Args = append([]string{"bpftool"}, args...)
		cmd.Stdin = strings.NewReader(c.Stdin)
		var so, se bytes.Buffer
		cmd.Stdout, cmd.Stderr = &so, &se
		err := cmd.Run()
		c.Code = 0
		if ee, ok := err.(*exec.ExitError); ok {
			c.Code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		c.Stdout, c.Stderr = normalize(so.String()), normalize(se.String())
		out = append(out, c)
	}
	b, _ := json.MarshalIndent(out, "", "  ")
	if err := os.WriteFile(goldenPath, append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}
