package cli

import "syscall"

// StrError is glibc's strerror text, which bpftool prints. Go's texts are
// glibc's lower-cased in places; the ones users meet are fixed here.
func StrError(e syscall.Errno) string {
	if s, ok := glibcText[e]; ok {
		return s
	}
	s := e.Error()
	if s == "" {
		return "Unknown error"
	}
	return string(s[0]-'a'+'A') + s[1:]
}

var glibcText = map[syscall.Errno]string{
	syscall.ENOENT:       "No such file or directory",
	syscall.EPERM:        "Operation not permitted",
	syscall.EACCES:       "Permission denied",
	syscall.EEXIST:       "File exists",
	syscall.EINVAL:       "Invalid argument",
	syscall.EBADF:        "Bad file descriptor",
	syscall.ENOTSUP:      "Operation not supported",
	syscall.E2BIG:        "Argument list too long",
	syscall.EFAULT:       "Bad address",
	syscall.ENOSPC:       "No space left on device",
	syscall.ENOMEM:       "Cannot allocate memory",
	syscall.EBUSY:        "Device or resource busy",
	syscall.ENODEV:       "No such device",
	syscall.ENOTDIR:      "Not a directory",
	syscall.EISDIR:       "Is a directory",
	syscall.ENOTTY:       "Inappropriate ioctl for device",
	syscall.ESRCH:        "No such process",
	syscall.EAGAIN:       "Resource temporarily unavailable",
	syscall.ENXIO:        "No such device or address",
	syscall.ENAMETOOLONG: "File name too long",
	syscall.ELOOP:        "Too many levels of symbolic links",
	syscall.ERANGE:       "Numerical result out of range",
	syscall.EINTR:        "Interrupted system call",
	syscall.EIO:          "Input/output error",
	syscall.EROFS:        "Read-only file system",
	syscall.ENOSYS:       "Function not implemented",
	524:                  "Unknown error 524", // ENOTSUPP, kernel-internal
}
