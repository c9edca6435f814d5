// Package cli is bpftool's grammar: the global options, the keyword tables
// matched by prefix, batch mode, and the output context that every command
// writes through (plain text or JSON, errors, exit codes).
package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"

	"github.com/gobpftool/gobpftool/internal/jsonw"
)

// Exit statuses as the shell sees bpftool's: it returns -1 from main for a
// failure and -EINVAL from a few argument checks.
const (
	ExitFailure = 255
	ExitInvalid = 234
)

// Failure is a command's error whose message has already been written where
// bpftool writes it. Code is the process exit status.
type Failure struct{ Code int }

func (f *Failure) Error() string { return fmt.Sprintf("command failed (exit %d)", f.Code) }

var (
	// ErrFailed is a silent failure: bpftool returns -1 and prints nothing
	// (a name or tag that matches no program, for one).
	ErrFailed error = &Failure{Code: ExitFailure}
	// ErrInvalid is bpftool's -EINVAL return, exit status 234.
	ErrInvalid error = &Failure{Code: ExitInvalid}
	// errUsage means usage() ran: help was printed and the process ends
	// at once, even in the middle of a batch.
	errUsage = errors.New("usage")
)

// Context carries the global options and the output streams of one run.
type Context struct {
	Out   *bufio.Writer
	Err   io.Writer
	Stdin io.Reader
	// Stdout is what Out writes to, for a command that draws a screen
	// when it is a terminal (`prog top`).
	Stdout io.Writer

	JSON       bool
	Pretty     bool
	ShowPinned bool // -f
	NoMount    bool // -n
	Debug      bool // -d
	MapCompat  bool // -m
	UseLoader  bool // -L
	Legacy     bool // -l
	BaseBTF    string

	JW *jsonw.Writer
	// Bin is the name help and usage print for the tool.
	Bin string

	// The last command table's help, re-run by Usage as bpftool's usage()
	// does.
	lastHelp func(*Context, []string) error
	lastArgs []string
	// Object is the object keyword as typed ("p" for "p show"), which the
	// object's help echoes.
	Object string
	// stdinTaken records that a command already read standard input.
	StdinTaken bool
}

// Errorf reports an error as bpftool's p_err does and returns a failure
// with exit status 255.
func (c *Context) Errorf(format string, a ...any) error {
	c.printErr(fmt.Sprintf(format, a...))
	return ErrFailed
}

// Invalidf reports an error like Errorf with bpftool's -EINVAL status.
func (c *Context) Invalidf(format string, a ...any) error {
	c.printErr(fmt.Sprintf(format, a...))
	return ErrInvalid
}

func (c *Context) printErr(msg string) {
	if c.JSON {
		// p_err prints the message between quotes unescaped, which
		// is invalid JSON for a path with a backslash or a control
		// character in it; we escape (docs/COMPAT-NOTES.md).
		if c.JW.WantsName() {
			// Inside an open object (prog run's, once a write of
			// its output failed) bpftool writes {"error":...}
			// where a name must come: invalid. A member instead.
			c.JW.StringField("error", msg)
			return
		}
		c.JW.StartObject()
		c.JW.StringField("error", msg)
		c.JW.EndObject()
		return
	}
	c.Out.Flush()
	fmt.Fprintf(c.Err, "Error: %s\n", msg)
}

// Infof writes an informational line to stderr in plain mode only
// (bpftool's p_info).
func (c *Context) Infof(format string, a ...any) {
	if c.JSON {
		return
	}
	c.Out.Flush()
	fmt.Fprintf(c.Err, format+"\n", a...)
}

// Warnf writes to stderr in both modes, as bpftool's fprintf(stderr) does.
func (c *Context) Warnf(format string, a ...any) {
	c.Out.Flush()
	fmt.Fprintf(c.Err, format, a...)
}

// Usage prints the help of the command table being parsed and ends the
// process with status 255, as bpftool's usage() does when an argument is
// missing (NEXT_ARG running off the end).
func (c *Context) Usage() error {
	if c.lastHelp != nil {
		args := c.lastArgs
		if len(args) > 0 {
			args = args[1:]
		}
		c.lastHelp(c, args)
	}
	return errUsage
}

// Null writes JSON null when in JSON mode: bpftool's reply of success for
// commands that print nothing.
func (c *Context) Null() {
	if c.JSON {
		c.JW.Null()
	}
}

// Printf writes plain output.
func (c *Context) Printf(format string, a ...any) {
	fmt.Fprintf(c.Out, format, a...)
}
