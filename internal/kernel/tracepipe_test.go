package kernel

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// fifo stands in for trace_pipe: a blocking file whose lines come when
// the test writes them. The writer is opened read-write so that opening
// it does not wait for a reader.
func fifo(t *testing.T) (string, *os.File) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "trace_pipe")
	if err := unix.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	w, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	return path, w
}

// TestTracePipeCancel: a library caller ends the stream with its context,
// with no signal involved, and the pipe is closed once the read under way
// returns.
func TestTracePipeCancel(t *testing.T) {
	path, w := fifo(t)
	defer w.Close()
	p, err := OpenTracePipe(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var got []string
	done := make(chan error)
	go func() {
		done <- p.Lines(ctx, func(l string) {
			got = append(got, l)
			if len(got) == 2 {
				cancel()
			}
		})
	}()
	w.WriteString("one\ntwo\n")
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) || len(got) != 2 || got[0] != "one\n" || got[1] != "two\n" {
			t.Errorf("err %v lines %q", err, got)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("cancel did not end the stream")
	}
	// The reader still waits in read(2); the next line lets it close
	// the fd, which fstat then finds gone.
	w.WriteString("three\n")
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		var st unix.Stat_t
		if unix.Fstat(p.fd, &st) == unix.EBADF {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the pipe's fd is still open")
		}
	}
}

// TestTracePipeEOF: the writer going away ends the stream with io.EOF,
// and the pipe is closed by then.
func TestTracePipeEOF(t *testing.T) {
	path, w := fifo(t)
	p, err := OpenTracePipe(path)
	if err != nil {
		t.Fatal(err)
	}
	w.WriteString("last")
	w.Close()
	var got []string
	err = p.Lines(context.Background(), func(l string) { got = append(got, l) })
	if err != io.EOF || len(got) != 1 || got[0] != "last" {
		t.Errorf("err %v lines %q", err, got)
	}
	var st unix.Stat_t
	if unix.Fstat(p.fd, &st) != unix.EBADF {
		t.Error("the pipe's fd is still open")
	}
	if _, err := OpenTracePipe(filepath.Join(t.TempDir(), "none")); !errors.Is(err, unix.ENOENT) {
		t.Errorf("open of nothing: %v", err)
	}
}
