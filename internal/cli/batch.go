package cli

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"strings"
	"syscall"

	"github.com/gobpftool/gobpftool/internal/errno"
)

// bpftool's fixed buffers: a batch line (with its continuations) and the
// words of one command.
const (
	batchLineMax = 65536
	batchArgsMax = 4096
)

func batch(c *Context, args []string, objects []Object) error {
	switch {
	case len(args) < 2:
		return c.Errorf("too few parameters for batch")
	case len(args) > 2:
		return c.Errorf("too many parameters for batch")
	case !IsPrefix(args[0], "file"):
		return c.Errorf("expected 'file', got: %s", args[0])
	}
	var r io.Reader
	if args[1] == "-" {
		r = c.Stdin
		c.StdinTaken = true
	} else {
		f, err := os.Open(args[1])
		if err != nil {
			return c.Errorf("Can't open file (%s): %s", args[1], errno.ErrText(err))
		}
		defer f.Close()
		r = f
	}
	br := bufio.NewReaderSize(r, batchLineMax)
	if c.JSON {
		c.JW.StartArray()
	}
	err := runBatch(c, br, objects)
	if errors.Is(err, errUsage) {
		return err
	}
	if c.JSON {
		c.JW.EndArray()
	}
	return err
}

func runBatch(c *Context, br *bufio.Reader, objects []Object) error {
	top := topTable(objects)
	help := topHelp(objects)
	lines := 0
	for {
		line, ok, tooLong, rerr := readBatchLine(br)
		if rerr != nil {
			// fgets failing on a directory or a closed fd: bpftool
			// reports errno where it would print the count.
			return c.Errorf("reading batch file failed: %s", errno.ErrText(rerr))
		}
		if !ok {
			break
		}
		if tooLong {
			return c.Errorf("reading batch file failed: %s", syscall.E2BIG.Error())
		}
		line = cutComment(line)
		for strings.HasSuffix(line, "\\\n") {
			cont, ok, _, _ := readBatchLine(br)
			if !ok || cont == "" {
				return c.Errorf("missing continuation line on command %d", lines)
			}
			cont = cutComment(cont)
			if len(line)+len(cont)+1 > batchLineMax {
				return c.Errorf("command %d is too long", lines)
			}
			line = line[:len(line)-2] + cont
		}
		words, err := splitBatchLine(c, line, lines)
		if err != nil {
			return err
		}
		if len(words) == 0 {
			continue
		}
		if c.JSON {
			c.JW.StartObject()
			c.JW.Name("command")
			c.JW.StartArray()
			for _, w := range words {
				c.JW.String(w)
			}
			c.JW.EndArray()
			c.JW.Name("output")
		}
		err = Select(c, top, words, help)
		if errors.Is(err, errUsage) {
			return err
		}
		if c.JSON {
			c.JW.EndObject()
		}
		if err != nil {
			return err
		}
		lines++
	}
	if !c.JSON {
		c.Printf("processed %d commands\n", lines)
	}
	return nil
}

// readBatchLine reads like fgets into a 64 KiB buffer: a line with its
// newline, or the last bytes of the file; err is a read error before any
// byte of the line. bpftool's string functions then see the line only up
// to a NUL byte in it, so it is cut there.
func readBatchLine(br *bufio.Reader) (line string, ok, tooLong bool, err error) {
	b, rerr := br.ReadSlice('\n')
	if len(b) == 0 && rerr != nil {
		if rerr == io.EOF {
			rerr = nil
		}
		return "", false, false, rerr
	}
	// A line with no newline within the limit is too long, NUL bytes or
	// not: bpftool's fgets would go on to read the rest as lines of
	// their own, forever on /dev/zero.
	if len(b) >= batchLineMax-1 || errors.Is(rerr, bufio.ErrBufferFull) {
		return string(b), true, true, nil
	}
	// fgets gives bpftool a C string: the line ends at a NUL.
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return string(b[:i]), true, false, nil
	}
	return string(b), true, false, nil
}

func cutComment(s string) string {
	if i := strings.IndexByte(s, '#'); i >= 0 {
		return s[:i]
	}
	return s
}

// splitBatchLine splits a batch line into words the way bpftool's
// make_args does: blanks separate words, a word that starts with a quote
// runs to the same quote, with no escapes.
func splitBatchLine(c *Context, line string, cmdNb int) ([]string, error) {
	const ws = " \t\r\n"
	var words []string
	i := 0
	for i < len(line) {
		for i < len(line) && strings.IndexByte(ws, line[i]) >= 0 {
			i++
		}
		if i >= len(line) {
			break
		}
		if len(words) >= batchArgsMax-1 {
			return nil, c.Errorf("too many arguments to command %d", cmdNb)
		}
		if q := line[i]; q == '\'' || q == '"' {
			end := strings.IndexByte(line[i+1:], q)
			if end < 0 {
				return nil, c.Errorf("unterminated quoted string in command %d", cmdNb)
			}
			words = append(words, line[i+1:i+1+end])
			i += end + 2
			continue
		}
		j := i
		for j < len(line) && strings.IndexByte(ws, line[j]) < 0 {
			j++
		}
		words = append(words, line[i:j])
		i = j + 1
	}
	return words, nil
}
