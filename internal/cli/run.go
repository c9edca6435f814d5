package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"

	"github.com/gobpftool/gobpftool/internal/errno"
	"github.com/gobpftool/gobpftool/internal/jsonw"
	"github.com/gobpftool/gobpftool/internal/kernel"
	"github.com/gobpftool/gobpftool/internal/userfile"
)

// Object is a top-level object keyword (prog) and its entry point.
type Object = Command

// Run executes one gobpftool command line (without the program name) and
// returns the process exit status. objects are the object keywords this
// build has, in bpftool's table order.
func Run(args []string, objects []Object, stdin io.Reader, stdout, stderr io.Writer) int {
	return RunNamed("gobpftool", args, objects, stdin, stdout, stderr)
}

// RunNamed is Run for a tool invoked as bin (argv[0]), the name that help
// and usage print, as bpftool prints its own argv[0].
func RunNamed(bin string, args []string, objects []Object, stdin io.Reader, stdout, stderr io.Writer) int {
	out := bufio.NewWriterSize(stdout, 64<<10)
	c := &Context{Out: out, Err: stderr, Stdin: stdin, Bin: bin, Stdout: stdout}
	code := 0
	if len(args) > 0 && args[0] == completeCommand {
		complete(out, args[1:], objects)
	} else {
		code = run(c, args, objects)
	}
	// bufio.Writer keeps its first write error and refuses every write
	// after it, so the last flush reports any write that failed on the way.
	if err := out.Flush(); err != nil {
		return writeFailed(c, err, code)
	}
	return code
}

// writeFailed reports a failed write to stdout, which bpftool passes over
// in silence (exit 0 for `prog show >/dev/full`). A closed pipe stays
// quiet, as for a C program killed by SIGPIPE: on the process's own
// stdout Go's runtime raises SIGPIPE itself before we get here, unless
// the command took SIGPIPE to end cleanly (top), whose code stands.
func writeFailed(c *Context, err error, code int) int {
	if errors.Is(err, syscall.EPIPE) {
		return code
	}
	fmt.Fprintf(c.Err, "Error: can't write to stdout: %s\n", errno.ErrText(err))
	return ExitFailure
}

func run(c *Context, args []string, objects []Object) int {
	out := c.Out
	top := topTable(objects)
	help := topHelp(objects)

	g := newGetopt(append([]string{c.Bin}, args...))
	versionRequested := false
	for {
		opt := g.next()
		if opt == -1 {
			break
		}
		switch opt {
		case 'V':
			versionRequested = true
		case 'h':
			// bpftool returns from main here without closing the
			// JSON writer: "null" has no newline after it.
			help(c, nil)
			return 0
		case 'p':
			c.Pretty = true
			c.enableJSON(out)
		case 'j':
			c.enableJSON(out)
		case 'f':
			c.ShowPinned = true
		case 'm':
			c.MapCompat = true
		case 'n':
			c.NoMount = true
		case 'd':
			c.Debug = true
		case 'L':
			c.UseLoader = true
		case 'l':
			c.Legacy = true
		case 'B':
			if _, err := userfile.LoadBTF(g.optarg); err != nil {
				var be *userfile.BTFError
				errors.As(err, &be)
				io.WriteString(c.Err, be.Warning)
				// bpftool's message carries a stray newline of its own.
				c.Errorf("failed to parse base BTF at '%s': %d\n", g.optarg, be.Code)
				return ExitFailure
			}
			c.BaseBTF = g.optarg
		default:
			c.Errorf("unrecognized option '%s'", g.blamed())
			if c.JSON {
				c.JW.End()
				return ExitFailure
			}
			help(c, nil)
			return ExitFailure
		}
	}
	rest := g.argv[g.optind:]
	if versionRequested {
		// Like -h, -V skips the JSON writer's closing newline.
		version(c, rest)
		return 0
	}
	if len(rest) > 0 && rest[0] == completionCommand {
		// The script is never JSON: -j only changes how an error reads.
		err := completion(c, rest[1:])
		if err != nil && c.JSON {
			c.JW.End()
		}
		return ExitCode(err)
	}
	err := Select(c, top, rest, help)
	if c.JSON {
		c.JW.End()
	}
	return ExitCode(err)
}

func (c *Context) enableJSON(out io.Writer) {
	if !c.JSON {
		c.JW = jsonw.New(out, false)
		c.JSON = true
	}
	c.JW.SetPretty(c.Pretty)
}

// ExitCode maps a command's error to the process exit status.
func ExitCode(err error) int {
	if err == nil {
		return 0
	}
	var f *Failure
	if errors.As(err, &f) {
		return f.Code
	}
	return ExitFailure
}

func topTable(objects []Object) []Command {
	t := []Command{
		{Name: "help", Run: func(c *Context, a []string) error { return topHelp(objects)(c, a) }},
		{Name: "batch", Run: func(c *Context, a []string) error { return batch(c, a, objects) }},
	}
	for _, o := range objects {
		o := o
		t = append(t, Command{Name: o.Name, Run: func(c *Context, a []string) error {
			c.Object = c.lastArgs[0]
			return o.Run(c, a)
		}})
	}
	return append(t, Command{Name: "version", Run: version})
}

func topHelp(objects []Object) func(*Context, []string) error {
	return func(c *Context, _ []string) error {
		if c.JSON {
			c.JW.Null()
			return nil
		}
		names := make([]string, len(objects))
		for i, o := range objects {
			names[i] = o.Name
		}
		c.Out.Flush()
		b := c.Bin
		io.WriteString(c.Err, "Usage: "+b+" [OPTIONS] OBJECT { COMMAND | help }\n"+
			"       "+b+" batch file FILE\n"+
			"       "+b+" version\n"+
			"\n"+
			"       OBJECT := { "+strings.Join(names, " | ")+" }\n"+
			"       "+HelpSpecOptions+" | {-l|--legacy} |\n"+
			"                    {-V|--version} }\n")
		return nil
	}
}

// HelpSpecOptions is the OPTIONS line every help text shares.
const HelpSpecOptions = "OPTIONS := { {-j|--json} [{-p|--pretty}] | {-d|--debug}"

// DefaultStdin is the process's standard input, for main.
var DefaultStdin io.Reader = os.Stdin

// ProcessStdin is the process's standard input as bpftool would read it:
// when fd 0 was closed at start (`<&-`, which Go's runtime quietly
// replaces with /dev/null) every read fails with EBADF, so that
// `batch file -` reports it as bpftool does rather than reading nothing.
func ProcessStdin() io.Reader {
	if kernel.StdinWasClosed() {
		return closedFD{}
	}
	return os.Stdin
}

type closedFD struct{}

func (closedFD) Read([]byte) (int, error) {
	return 0, &os.PathError{Op: "read", Path: "/dev/stdin", Err: syscall.EBADF}
}
