package kernel

import (
	"bufio"
	"context"
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// TracePipe is an open tracefs trace_pipe, the kernel's stream of trace
// lines (bpf_printk among them). Reading a line consumes it for every
// reader on the system.
type TracePipe struct {
	fd int
}

// OpenTracePipe opens the trace_pipe file at path.
func OpenTracePipe(path string) (*TracePipe, error) {
	// A plain blocking fd read from a goroutine, as bpftool's getline
	// blocks, rather than Go's poller on a tracefs file.
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	return &TracePipe{fd: fd}, nil
}

// Lines calls line with each line of the pipe, its line end included,
// until ctx is done (it returns ctx.Err()) or a read fails (io.EOF at the
// end of the file, else the errno). It may be called once: the pipe is
// closed when the read under way returns, which after cancellation is
// when the next line arrives, so that its fd number is never reused
// under a read.
func (p *TracePipe) Lines(ctx context.Context, line func(string)) error {
	type chunk struct {
		line string
		err  error
	}
	lines := make(chan chunk)
	stop := make(chan struct{})
	exited := make(chan struct{})
	defer close(stop)
	go func() {
		defer close(exited)
		defer unix.Close(p.fd)
		buf := bufio.NewReader(fdReader(p.fd))
		for {
			s, err := buf.ReadString('\n')
			if s != "" {
				select {
				case lines <- chunk{line: s}:
				case <-stop:
					return
				}
			}
			if err != nil {
				select {
				case lines <- chunk{err: err}:
				case <-stop:
				}
				return
			}
		}
	}()
	for {
		select {
		case ch := <-lines:
			if ch.err != nil {
				<-exited // the reader has returned: nothing outlives a failed read
				return ch.err
			}
			line(ch.line)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// fdReader reads a raw blocking fd, outside Go's poller.
type fdReader int

func (fd fdReader) Read(p []byte) (int, error) {
	for {
		n, err := unix.Read(int(fd), p)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return 0, err
		}
		if n == 0 {
			return 0, io.EOF
		}
		return n, nil
	}
}
