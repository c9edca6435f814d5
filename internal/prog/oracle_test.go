package prog_test

import (
	"bytes"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/gobpftool/gobpftool/internal/cli"
	"github.com/gobpftool/gobpftool/internal/prog"
	"github.com/gobpftool/gobpftool/internal/testprog"
)

// result is what a user of either tool sees.
type result struct {
	stdout, stderr string
	code           int
}

var objects = []cli.Object{{Name: "prog", Run: prog.Run}}

// ours runs gobpftool in-process.
func ours(args ...string) result {
	return oursStdin("", args...)
}

func oursStdin(stdin string, args ...string) result {
	var out, errb bytes.Buffer
	code := cli.Run(args, objects, strings.NewReader(stdin), &out, &errb)
	return result{out.String(), errb.String(), code}
}

// theirs runs Debian's bpftool, the oracle.
func theirs(t testing.TB, args ...string) result {
	return theirsStdin(t, "", args...)
}

func theirsStdin(t testing.TB, stdin string, args ...string) result {
	t.Helper()
	bin := testprog.NeedTool(t, "bpftool")
	cmd := exec.Command(bin, args...)
	cmd.Stdin = strings.NewReader(stdin)
	return runCmd(t, cmd)
}

// runCmd runs a prepared command and returns what it printed and its
// exit status; only a failure to start it fails the test.
func runCmd(t testing.TB, cmd *exec.Cmd) result {
	t.Helper()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%v: %v", cmd.Args, err)
	}
	return result{out.String(), errb.String(), code}
}

var (
	plainPids  = regexp.MustCompile(`\n\tpids [^\n]*`)
	jsonPids   = regexp.MustCompile(`,"pids":\[[^\]]*\]`)
	prettyPids = regexp.MustCompile(`(?s),\n *"pids": \[.*?\n *\]`)
)

// withoutPids removes the pids that Debian's bpftool (built without
// skeletons) cannot print; tests check them against /proc separately.
func withoutPids(s string) string {
	s = plainPids.ReplaceAllString(s, "")
	s = jsonPids.ReplaceAllString(s, "")
	return prettyPids.ReplaceAllString(s, "")
}

// sameAsOracle runs both tools with args and requires equal bytes on
// stdout and stderr and the same exit status. bpftool's own name in its
// help text is replaced by ours.
func sameAsOracle(t *testing.T, args ...string) result {
	t.Helper()
	want := theirs(t, args...)
	got := ours(args...)
	compare(t, args, want, got)
	return got
}

func compare(t *testing.T, args []string, want, got result) {
	t.Helper()
	want.stderr = oracleHelp(want.stderr, "gobpftool")
	got.stdout = withoutPids(got.stdout)
	if got != want {
		t.Errorf("%q:\n got: code %d\nstdout:\n%s\nstderr:\n%s\nwant: code %d\nstdout:\n%s\nstderr:\n%s",
			args, got.code, got.stdout, got.stderr, want.code, want.stdout, want.stderr)
	}
}

// oracleHelp rewrites bpftool's help text as ours must read: bpftool
// prints its argv[0], and testprog.OracleHelp has the rest.
func oracleHelp(s, bin string) string {
	if !strings.Contains(s, "Usage: ") {
		return s
	}
	s = bpftoolName.ReplaceAllLiteralString(s, bin+" ")
	s = strings.ReplaceAll(s, "'/usr/sbin/bpftool'", "'"+bin+"'")
	return testprog.OracleHelp(s)
}

var bpftoolName = regexp.MustCompile(`(?:/usr/sbin/)?\bbpftool `)
