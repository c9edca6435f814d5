package progfacts

import "golang.org/x/sys/unix"

// Error is a failure to gather facts. Its text is bpftool's message for
// it ("can't get prog info: Permission denied"), so a command only prints
// it; errors.Is sees the errno it wraps.
type Error struct {
	Msg   string
	Errno unix.Errno
}

func (e *Error) Error() string { return e.Msg }

// Unwrap returns the errno, so that errors.Is(err, unix.ENOENT) works.
func (e *Error) Unwrap() error { return e.Errno }
