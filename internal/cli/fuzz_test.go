package cli

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

// FuzzGrammar feeds arbitrary command lines (NUL-separated words) and
// batch files through option parsing, keyword selection and batch mode,
// with an object table that touches no kernel. Nothing may panic and the
// exit status is always one bpftool could return.
func FuzzGrammar(f *testing.F) {
	for _, s := range []string{"", "-j\x00prog\x00show", "-xj", "--b\x00x", "batch\x00file\x00-",
		"-p\x00batch\x00file\x00-\x00--", "prog\x00'a", "--base-btf"} {
		f.Add(s, "prog help\nprog 'x\n")
	}
	objects := []Object{{Name: "prog", Run: func(c *Context, a []string) error {
		return Select(c, []Command{
			{Name: "show", Run: func(c *Context, a []string) error {
				if len(a) > 0 {
					return BadArg(c, a[0])
				}
				return nil
			}},
			{Name: "help", Run: func(c *Context, _ []string) error { c.Null(); return nil }},
		}, a, func(c *Context, _ []string) error { return nil })
	}}}
	f.Fuzz(func(t *testing.T, argv, batch string) {
		var args []string
		if argv != "" {
			args = strings.Split(argv, "\x00")
		}
		for i, a := range args {
			// -B reads a file; keep the fuzzer off the file system.
			if strings.HasPrefix(a, "-B") || strings.HasPrefix(a, "--ba") {
				args[i] = "-j"
			}
			if IsPrefix(a, "batch") && i+2 < len(args) && args[i+2] != "-" {
				args[i+2] = "-"
			}
		}
		var out bytes.Buffer
		code := Run(args, objects, strings.NewReader(batch), &out, io.Discard)
		if code != 0 && code != ExitFailure && code != ExitInvalid {
			t.Fatalf("exit %d for %q", code, args)
		}
	})
}
