package cli

import (
	"errors"
	"syscall"
)

// errnoOf digs the errno out of a wrapped error, or EINVAL when there is
// none: bpftool prints negative errnos in a few messages.
func errnoOf(err error) int {
	var e syscall.Errno
	if errors.As(err, &e) {
		return int(e)
	}
	if errors.Is(err, syscall.ENOENT) {
		return int(syscall.ENOENT)
	}
	return int(syscall.EINVAL)
}
