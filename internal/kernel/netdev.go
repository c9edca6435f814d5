package kernel

import (
	"net"

	"golang.org/x/sys/unix"
)

// IfnameInNetns names interface ifindex if the device lives in our own
// network namespace (dev and inode of its nsfs file), as bpftool's
// ifindex_to_name_ns.
func IfnameInNetns(ifindex uint32, nsDev, nsIno uint64) (string, bool) {
	var st unix.Stat_t
	if err := unix.Stat("/proc/self/ns/net", &st); err != nil {
		return "", false
	}
	if st.Dev != nsDev || st.Ino != nsIno {
		return "", false
	}
	iface, err := net.InterfaceByIndex(int(ifindex))
	if err != nil {
		return "", false
	}
	return iface.Name, true
}
