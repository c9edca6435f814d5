package kernel

import (
	"strconv"

	"golang.org/x/sys/unix"
)

// FreeFDs is how many more files this process may open now: the fd
// numbers below the soft RLIMIT_NOFILE (which the Go runtime raises to
// the hard limit at start) that are not in use. A command sizes its
// concurrency by it, so that a low `ulimit -n` makes it slower, not
// wrong.
func FreeFDs() int {
	var rl unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &rl); err != nil || rl.Cur > 1<<20 {
		return 1 << 20
	}
	names, self := dirNamesFD("/proc/self/fd", nil)
	free := int(rl.Cur)
	for _, n := range names {
		// fds inherited above the limit take no number below it.
		if fd, err := strconv.Atoi(n); err == nil && fd != self && uint64(fd) < rl.Cur {
			free--
		}
	}
	return free
}
