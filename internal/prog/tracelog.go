package prog

import (
	"context"
	"io"
	"os/signal"
	"syscall"

	"github.com/gobpftool/gobpftool/internal/cli"
	"github.com/gobpftool/gobpftool/internal/compat"
	"github.com/gobpftool/gobpftool/internal/errno"
	"github.com/gobpftool/gobpftool/internal/kernel"
)

// tracelogMountPoint is where bpftool mounts tracefs when it finds none.
const tracelogMountPoint = "/sys/kernel/tracing"

// errTracelogStopped ends the process with status 0 when a signal stops
// the stream: bpftool calls exit(0) from its signal handler, so a batch
// stops there too, without its "processed" line.
var errTracelogStopped error = &cli.Failure{Code: 0}

// tracelog is `prog tracelog` (trace_pipe) and newer bpftool's
// `prog tracelog {stdout|stderr} PROG` (a program's BPF stream).
func tracelog(c *cli.Context, args []string) error {
	if len(args) > 0 {
		if cli.IsPrefix(args[0], "stdout") || cli.IsPrefix(args[0], "stderr") {
			return tracelogStream(c, args)
		}
		if !compat.TracelogIgnoresArgs {
			return c.Usage()
		}
	}
	return tracelogPipe(c)
}

// tracelogPipe streams trace_pipe until SIGINT, SIGTERM or SIGHUP (the
// signals bpftool handles) or SIGQUIT (handled like SIGTERM, so that no
// goroutine dump replaces the end of the output), which cancel the
// reading loop's context; in JSON mode each line is a string of one
// array that the signal closes.
func tracelogPipe(c *cli.Context) error {
	if c.JSON {
		c.JW.StartArray()
	}
	fail := func() error {
		// bpftool leaves its array open here and then trips its own
		// JSON writer's depth assertion (SIGABRT); we close it.
		if c.JSON {
			c.JW.EndArray()
		}
		return cli.ErrFailed
	}
	path, ok := tracefsPipe(c)
	if !ok {
		return fail()
	}
	pipe, err := kernel.OpenTracePipe(path)
	if err != nil {
		c.Errorf("could not open trace pipe: %s", errno.ErrText(err))
		return fail()
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGHUP, syscall.SIGINT, syscall.SIGTERM, syscall.SIGQUIT)
	defer stop()
	readCtx, stopReading := context.WithCancel(ctx)
	defer stopReading()
	writeFailed := false
	err = pipe.Lines(readCtx, func(line string) {
		if c.JSON {
			c.JW.String(line)
		} else {
			c.Out.WriteString(line)
		}
		if c.Out.Flush() != nil {
			// stdout failed (a full disk): stop; cli reports it.
			writeFailed = true
			stopReading()
		}
	})
	if writeFailed {
		return fail()
	}
	if ctx.Err() != nil {
		if c.JSON {
			c.JW.EndArray()
		}
		return errTracelogStopped
	}
	text := "Success" // errno is left untouched at end of file
	if err != io.EOF {
		text = errno.ErrText(err)
	}
	c.Errorf("failed to read content from trace pipe: %s", text)
	return fail()
}

// tracefsPipe is bpftool's get_tracefs_pipe: find tracefs, or mount it
// at /sys/kernel/tracing unless -n (then fail with no message).
func tracefsPipe(c *cli.Context) (string, bool) {
	mnt, ok := kernel.KnownTracefs()
	if !ok {
		// bpftool checks the /proc/mounts entry with its test inverted:
		// it takes an entry that is not a tracefs mount point (a path
		// with escapes) and passes over one that is, then mounts its
		// own. Kept, for the same messages and the same mounts.
		if m, found := kernel.TracefsInMounts(); found && !kernel.IsTracefs(m) {
			mnt, ok = m, true
		}
	}
	if !ok {
		if c.NoMount {
			return "", false
		}
		c.Infof("could not find tracefs, attempting to mount it now")
		mnt = tracelogMountPoint
		if step, err := kernel.MountFS(mnt, "tracefs"); err != nil {
			c.Errorf("can't mount tracefs: %s%s", step, errno.ErrText(err))
			return "", false
		}
	}
	return mnt + "/trace_pipe", true
}

// tracelogStream is newer bpftool's `tracelog {stdout|stderr} PROG`: it
// drains the program's BPF stream to our stdout or stderr.
func tracelogStream(c *cli.Context, args []string) error {
	stream, out := uint32(kernel.StreamStdout), io.Writer(c.Out)
	if !cli.IsPrefix(args[0], "stdout") {
		stream, out = kernel.StreamStderr, c.Err
	}
	kw := args[0]
	args = args[1:]
	if err := cli.ReqArgs(c, kw, args, 2); err != nil {
		return err
	}
	fd, _, err := parseProg(c, args)
	if err != nil {
		return err
	}
	defer kernel.Close(fd)
	c.Out.Flush()
	buf := make([]byte, 512)
	for {
		n, err := kernel.ProgStreamRead(fd, stream, buf)
		if err != nil {
			c.Out.Flush()
			// Newer bpftool fails here without a word; say why, since
			// kernels before 6.17 have no BPF streams at all.
			return c.Errorf("can't read BPF stream of the program: %s", errno.ErrText(err))
		}
		if n == 0 {
			return nil
		}
		out.Write(buf[:n])
	}
}
