package prog

import (
	"fmt"
	"io"
	"os"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/gobpftool/gobpftool/internal/cli"
	"github.com/gobpftool/gobpftool/internal/errno"
	"github.com/gobpftool/gobpftool/internal/kernel"
	"github.com/gobpftool/gobpftool/internal/userfile"
)

// runDefaultOutSize is bpftool's output buffer size when the user gives
// none (SZ_32K).
const runDefaultOutSize = 32 << 10

// runArgs is a parsed `prog run` command line. A file name of "-" is
// standard input for data_in/ctx_in and standard output for the outputs.
type runArgs struct {
	dataIn, dataOut string
	ctxIn, ctxOut   string
	dataSizeOut     uint32
	ctxSizeOut      uint32
	repeat          uint32
	hasDataIn       bool
	hasDataOut      bool
	hasCtxIn        bool
	hasCtxOut       bool
}

// run is `prog run PROG data_in FILE [data_out FILE [data_size_out L]]
// [ctx_in FILE [ctx_out FILE [ctx_size_out M]]] [repeat N]`.
func run(c *cli.Context, args []string) error {
	if err := cli.ReqArgs(c, c.Keyword(), args, 4); err != nil {
		return err
	}
	fd, rest, err := parseProg(c, args)
	if err != nil {
		return err
	}
	defer kernel.Close(fd)
	ra, err := parseRunArgs(c, rest)
	if err != nil {
		return err
	}
	return ra.execute(c, fd)
}

func parseRunArgs(c *cli.Context, args []string) (*runArgs, error) {
	ra := &runArgs{repeat: 1}
	// value takes the argument after a keyword, as NEXT_ARG + REQ_ARGS(1).
	value := func(kw string) (string, error) {
		args = args[1:]
		if err := cli.ReqArgs(c, kw, args, 1); err != nil {
			return "", err
		}
		v := args[0]
		args = args[1:]
		return v, nil
	}
	number := func(kw, what string) (uint32, error) {
		v, err := value(kw)
		if err != nil {
			return 0, err
		}
		// bpftool stores strtoul's result in a 32-bit field.
		n, ok := cli.ParseUint32(v)
		if !ok {
			return 0, c.Errorf("can't parse %s as %s", v, what)
		}
		return n, nil
	}
	for len(args) > 0 {
		kw := args[0]
		if err := cli.DetectCommonPrefix(c, kw, "data_in", "data_out", "data_size_out"); err != nil {
			return nil, err
		}
		if err := cli.DetectCommonPrefix(c, kw, "ctx_in", "ctx_out", "ctx_size_out"); err != nil {
			return nil, err
		}
		var err error
		switch {
		case cli.IsPrefix(kw, "data_in"):
			if ra.dataIn, err = value(kw); err == nil {
				ra.hasDataIn = true
				err = ra.checkSingleStdin(c)
			}
		case cli.IsPrefix(kw, "data_out"):
			ra.dataOut, err = value(kw)
			ra.hasDataOut = err == nil
		case cli.IsPrefix(kw, "data_size_out"):
			ra.dataSizeOut, err = number(kw, "output data size")
		case cli.IsPrefix(kw, "ctx_in"):
			if ra.ctxIn, err = value(kw); err == nil {
				ra.hasCtxIn = true
				err = ra.checkSingleStdin(c)
			}
		case cli.IsPrefix(kw, "ctx_out"):
			ra.ctxOut, err = value(kw)
			ra.hasCtxOut = err == nil
		case cli.IsPrefix(kw, "ctx_size_out"):
			ra.ctxSizeOut, err = number(kw, "output context size")
		case cli.IsPrefix(kw, "repeat"):
			ra.repeat, err = number(kw, "repeat number")
		default:
			err = c.Errorf("expected no more arguments, 'data_in', 'data_out', 'data_size_out', 'ctx_in', 'ctx_out', 'ctx_size_out' or 'repeat', got: '%s'?", kw)
		}
		if err != nil {
			return nil, err
		}
	}
	return ra, nil
}

// checkSingleStdin refuses "-" for both inputs: standard input holds one.
func (ra *runArgs) checkSingleStdin(c *cli.Context) error {
	if ra.hasDataIn && ra.hasCtxIn && ra.dataIn == "-" && ra.ctxIn == "-" {
		return c.Errorf("cannot use standard input for both data_in and ctx_in")
	}
	return nil
}

func (ra *runArgs) execute(c *cli.Context, fd int) error {
	tr := kernel.TestRun{DataSizeOut: ra.dataSizeOut, CtxSizeOut: ra.ctxSizeOut, Repeat: ra.repeat}
	if ra.hasDataIn {
		in, out, free, err := runBuffers(c, ra.dataIn, &tr.DataSizeOut)
		if err != nil {
			return err
		}
		defer free()
		tr.DataIn, tr.DataOut = in, out
	}
	if ra.hasCtxIn {
		in, out, free, err := runBuffers(c, ra.ctxIn, &tr.CtxSizeOut)
		if err != nil {
			return err
		}
		defer free()
		tr.CtxIn, tr.CtxOut = in, out
	}

	res, err := kernel.ProgTestRun(fd, &tr)
	if err != nil {
		c.Errorf("failed to run program: %s", errno.ErrText(err))
		// bpftool returns libbpf's -errno: exit status 256-errno.
		code := cli.ExitFailure
		if errno, ok := err.(syscall.Errno); ok && errno != 0 {
			code = (256 - int(errno)) & 0xff
		}
		return &cli.Failure{Code: code}
	}

	if c.JSON {
		c.JW.StartObject()
	}
	// Like bpftool, a failure to write an output still prints the return
	// value and duration, and each failure counts one down from 0: two
	// failed outputs exit with 254.
	failed := 0
	if res.DataSizeOut != 0 && ra.hasDataOut {
		failed += writeRunOutput(c, tr.DataOut, res.DataSizeOut, ra.dataOut, "data_out")
	}
	if res.CtxSizeOut != 0 && ra.hasCtxOut {
		failed += writeRunOutput(c, tr.CtxOut, res.CtxSizeOut, ra.ctxOut, "ctx_out")
	}
	if c.JSON {
		c.JW.UintField("retval", uint64(res.Retval))
		c.JW.UintField("duration", uint64(res.Duration))
		c.JW.EndObject()
	} else {
		avg := ""
		if ra.repeat > 1 {
			avg = " (average)"
		}
		c.Printf("Return value: %d, duration%s: %dns\n", res.Retval, avg, res.Duration)
	}
	if failed > 0 {
		return &cli.Failure{Code: (256 - failed) & 0xff}
	}
	return nil
}

// runBuffers reads one input (data or context) and maps the buffer for
// its output, of *sizeOut bytes or bpftool's default when that is 0.
func runBuffers(c *cli.Context, name string, sizeOut *uint32) (in, out []byte, free func(), err error) {
	in, freeIn, err := readRunInput(c, name)
	if err != nil {
		return nil, nil, nil, err
	}
	if *sizeOut == 0 {
		*sizeOut = runDefaultOutSize
	}
	out, freeOut, err := allocRunOutput(c, *sizeOut)
	if err != nil {
		freeIn()
		return nil, nil, nil, err
	}
	return in, out, func() { freeOut(); freeIn() }, nil
}

// readRunInput is bpftool's get_run_data: the whole of a file or of
// standard input. A read error before the first byte ends the input
// quietly (bpftool's loop stops on a zero count before it checks the
// error), so a directory reads as empty data. The buffer is a mapping
// that doubles as it fills, so that an endless input (/dev/zero) ends
// in bpftool's reallocation error instead of the Go runtime's fatal
// out-of-memory; the caller unmaps it with free.
func readRunInput(c *cli.Context, name string) (data []byte, free func(), err error) {
	var r io.Reader
	if name == "-" {
		r = c.Stdin
	} else {
		f, err := os.Open(name)
		if err != nil {
			return nil, nil, c.Errorf("failed to open %s: %s", name, errno.ErrText(err))
		}
		defer f.Close()
		r = f
	}
	buf, err := unix.Mmap(-1, 0, 64<<10, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		return nil, nil, c.Errorf("failed to allocate memory for data_in/ctx_in: %s", errno.ErrText(err))
	}
	fail := func(err error) ([]byte, func(), error) {
		unix.Munmap(buf)
		return nil, nil, err
	}
	n := 0
	for {
		if n == len(buf) {
			if n >= userfile.DataLimit {
				// An endless input (/dev/zero, a pipe that never
				// closes) stops here, long before memory runs out.
				return fail(c.Errorf("failed to read data_in/ctx_in from %s: %s", name, errno.ErrText(&userfile.TooLargeError{Path: name, Limit: userfile.DataLimit})))
			}
			nb, err := unix.Mremap(buf, 2*len(buf), unix.MREMAP_MAYMOVE)
			if err != nil {
				return fail(c.Errorf("failed to reallocate data_in/ctx_in: %s", errno.ErrText(err)))
			}
			buf = nb
		}
		m, err := r.Read(buf[n:])
		n += m
		if err == io.EOF || (err != nil && n == 0) {
			break
		}
		if err != nil {
			return fail(c.Errorf("failed to read data_in/ctx_in from %s: %s", name, errno.ErrText(err)))
		}
	}
	// The kernel's size field is 32 bits wide, as bpftool's.
	return buf[:n], func() { unix.Munmap(buf) }, nil
}

// allocRunOutput maps a zeroed output buffer. A mapping rather than a Go
// slice: the size comes from the command line, and a refusal must be
// bpftool's error, not the Go runtime's fatal out-of-memory.
func allocRunOutput(c *cli.Context, size uint32) ([]byte, func(), error) {
	b, err := unix.Mmap(-1, 0, int(size), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		return nil, nil, c.Errorf("failed to allocate memory for output data/ctx: %s", errno.ErrText(err))
	}
	return b, func() { unix.Munmap(b) }, nil
}

// writeRunOutput writes one output as a hex dump (or a JSON array) for
// "-", raw bytes to a file otherwise; it returns 1 on failure.
func writeRunOutput(c *cli.Context, buf []byte, size uint32, name, jsonKey string) int {
	data := buf
	if uint64(size) < uint64(len(data)) {
		data = data[:size]
	}
	if name == "-" {
		if c.JSON {
			c.JW.Name(jsonKey)
			c.JW.StartArray()
			for _, b := range data {
				c.JW.Printf("%d", b)
			}
			c.JW.EndArray()
		} else {
			c.Out.Write(hexDump(data))
		}
		return 0
	}
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o666)
	if err != nil {
		c.Errorf("failed to open %s: %s", name, errno.ErrText(err))
		return 1
	}
	// bpftool writes with stdio and ignores fclose's result, so a write
	// that fits stdio's buffer fails in silence (data_out /dev/full exits
	// 0). Every failed write, and a failed close, is reported here.
	_, werr := f.Write(data)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil || len(data) != int(size) {
		if werr == nil {
			werr = syscall.EFAULT
		}
		c.Errorf("failed to write output data/ctx: %s", errno.ErrText(werr))
		return 1
	}
	return 0
}

// hexDump is bpftool's hex_print: 16 bytes a row, offset, byte pairs,
// then the printable ASCII with a gap after the eighth byte.
func hexDump(data []byte) []byte {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, (len(data)+15)/16*68)
	for i := 0; i < len(data); i += 16 {
		out = fmt.Appendf(out, "%07x\t", i)
		j := i
		for ; j < i+16 && j < len(data); j++ {
			out = append(out, digits[data[j]>>4], digits[data[j]&0xf])
			if j%2 == 1 {
				out = append(out, ' ')
			}
		}
		for ; j < i+16; j++ {
			out = append(out, ' ', ' ')
			if j%2 == 1 {
				out = append(out, ' ')
			}
		}
		out = append(out, '|', ' ')
		for j = i; j < i+16 && j < len(data); j++ {
			ch := data[j]
			if ch < ' ' || ch > '~' {
				ch = '.'
			}
			out = append(out, ch)
			if j == i+7 {
				out = append(out, ' ')
			}
		}
		out = append(out, '\n')
	}
	return out
}
