package cli_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/gobpftool/gobpftool/internal/cli"
)

// A table shaped like prog's, with no kernel behind it.
var fakeObjects = []cli.Object{{Name: "prog", Run: fakeProg, Args: cli.Table(fakeCommands)}}

func fakeProg(c *cli.Context, args []string) error {
	return cli.Select(c, fakeCommands, args, func(*cli.Context, []string) error { return nil })
}

var fakeCommands = []cli.Command{
	{Name: "show", Run: func(*cli.Context, []string) error { return nil }, Args: cli.Opt(cli.Kw("id", cli.Number("ID")))},
	{Name: "profile", Run: func(*cli.Context, []string) error { return nil }, Args: cli.Seq(
		cli.Kw("id", cli.Number("ID")),
		cli.Opt(cli.Kw("duration", cli.Number("D"))),
		cli.Repeat(cli.Words("METRIC", func() []string { return []string{"cycles", "instructions"} })))},
	{Name: "run", Run: func(*cli.Context, []string) error { return nil }, Args: cli.AnyOrder(
		cli.Kw("data_in", cli.File("FILE")), cli.Kw("repeat", cli.Number("N")))},
	{Name: "top", Args: cli.Kw("count", cli.Number("N"))},
}

func completeLine(line string) string {
	var out, errb bytes.Buffer
	cli.Run(append([]string{"__complete"}, strings.Split(line, " ")...), fakeObjects, strings.NewReader(""), &out, &errb)
	return strings.ReplaceAll(strings.TrimSuffix(out.String(), "\n"), "\n", " ")
}

func TestComplete(t *testing.T) {
	for _, c := range []struct{ line, want string }{
		{"", "help batch prog version completion"},
		{"p", "prog"},
		{"prog ", "show profile run top"},
		{"prog p", "profile"},
		{"p sh ", "id"}, // keywords match by prefix, as the grammar does
		{"prog show id 3 ", ""},
		{"-j prog -p show ", "id"},
		{"-B base.btf prog show ", "id"},
		{"--base-btf base.btf prog show ", "id"},
		{"--base-btf=base.btf prog show ", "id"},
		{"-jB base.btf prog show ", "id"},
		{"-B ", ":files"},
		{"--b", "--bpffs --base-btf"},
		{"-- prog show ", "id"},
		{"prog profile id 1 ", "cycles instructions duration"},
		{"prog profile id 1 duration ", ""},
		{"prog profile id 1 duration 3 c", "cycles"},
		{"prog profile id 1 cycles ", "cycles instructions"},
		{"prog run ", "data_in repeat"},
		{"prog run data_in ", ":files"},
		{"prog run data_in x ", "repeat"},
		{"prog run repeat 3 data_in x ", ""},
		{"prog top ", "count"},
		{"batch ", "file"},
		{"completion ", "bash zsh fish"},
	} {
		if got := completeLine(c.line); got != c.want {
			t.Errorf("%q: got %q, want %q", c.line, got, c.want)
		}
	}
}

// The entry point is hidden and only the first word: elsewhere it is an
// unknown word as before, and a command without Run is not selected.
func TestCompleteHidden(t *testing.T) {
	for _, args := range [][]string{{"prog", "__complete"}, {"-j", "__complete"}, {"prog", "top"}, {"completio"}} {
		var out, errb bytes.Buffer
		if code := cli.Run(args, fakeObjects, strings.NewReader(""), &out, &errb); code == 0 {
			t.Errorf("%q: exit 0, stdout %q", args, out.String())
		}
	}
	var out, errb bytes.Buffer
	cli.Run([]string{"help"}, fakeObjects, strings.NewReader(""), &out, &errb)
	if strings.Contains(errb.String(), "complet") {
		t.Errorf("help names completion:\n%s", errb.String())
	}
}

func TestCompletionScripts(t *testing.T) {
	for _, sh := range []string{"bash", "zsh", "fish"} {
		var out, errb bytes.Buffer
		code := cli.Run([]string{"completion", sh}, fakeObjects, strings.NewReader(""), &out, &errb)
		if code != 0 || !strings.Contains(out.String(), "__complete") {
			t.Errorf("completion %s: exit %d, stdout %q, stderr %q", sh, code, out.String(), errb.String())
		}
	}
	// -j changes nothing in a script (no JSON writer's newline after it).
	var plain, js, errb bytes.Buffer
	cli.Run([]string{"completion", "bash"}, fakeObjects, strings.NewReader(""), &plain, &errb)
	cli.Run([]string{"-j", "completion", "bash"}, fakeObjects, strings.NewReader(""), &js, &errb)
	if plain.String() != js.String() {
		t.Errorf("-j completion bash differs from completion bash")
	}
	var out bytes.Buffer
	if code := cli.Run([]string{"completion", "tcsh"}, fakeObjects, strings.NewReader(""), &out, &errb); code == 0 {
		t.Error("completion tcsh: exit 0")
	}
}
