package kernel

import "golang.org/x/sys/unix"

// StdinWasClosed reports whether fd 0 was closed when the process started
// (`<&-`). Go's runtime then opens /dev/null in its place, read-write,
// where a shell's `</dev/null` opens it read-only; so fd 0 on /dev/null
// open for both reading and writing is taken for a closed stdin. (Only
// `<>/dev/null` is mistaken for it.)
func StdinWasClosed() bool {
	fl, err := unix.FcntlInt(0, unix.F_GETFL, 0)
	if err != nil {
		return true
	}
	if fl&unix.O_ACCMODE != unix.O_RDWR {
		return false
	}
	var st, null unix.Stat_t
	if unix.Fstat(0, &st) != nil || unix.Stat("/dev/null", &null) != nil {
		return false
	}
	return st.Mode&unix.S_IFMT == unix.S_IFCHR && st.Rdev == null.Rdev
}
