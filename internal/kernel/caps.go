package kernel

import "golang.org/x/sys/unix"

// CanReadPrograms reports whether this process has the capabilities to
// walk every program and read its facts: CAP_BPF with CAP_PERFMON, or
// CAP_SYS_ADMIN.
func CanReadPrograms() bool {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return false
	}
	has := func(c uint) bool { return data[c/32].Effective&(1<<(c%32)) != 0 }
	return has(unix.CAP_SYS_ADMIN) || (has(unix.CAP_BPF) && has(unix.CAP_PERFMON))
}
