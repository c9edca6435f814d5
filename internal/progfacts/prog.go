// Package progfacts gathers the facts of loaded BPF programs once, for
// every consumer: `prog show` renders them as bpftool's text or JSON,
// `prog top` as a screen, `prog metrics` as Prometheus series. It reads
// the kernel through internal/kernel and returns plain values; it prints
// nothing and knows nothing of the command line.
package progfacts

import (
	"time"

	"github.com/cilium/ebpf/btf"

	"github.com/gobpftool/gobpftool/internal/kernel"
)

// Prog is everything gobpftool knows of one loaded program.
type Prog struct {
	ID   uint32
	Type uint32
	// TypeName is bpftool's name for Type, or "" where the oracle's
	// libbpf has none (bpftool then prints "type N").
	TypeName string
	Tag      [8]byte
	// Name is the full name: the BTF function name where the kernel's
	// copy was cut at 15 bytes. KernelName is the kernel's copy.
	Name       string
	KernelName string
	// LoadedAt is the load time on the wall clock, as bpftool computes
	// it; zero when the kernel reports none.
	LoadedAt time.Time
	UID      uint32
	GPL      bool
	// HasMemlock is false where fdinfo has no memlock line.
	HasMemlock bool

	XlatedLen uint32
	JitedLen  uint32
	// Memlock is fdinfo's memlock in bytes.
	Memlock int64
	MapIDs  []uint32
	BTFID   uint32
	// VerifiedInsns is how many instructions the verifier processed.
	VerifiedInsns uint32

	// Run statistics, counted while BPF_ENABLE_STATS or the sysctl is on.
	RunTimeNs       uint64
	RunCnt          uint64
	RecursionMisses uint64

	// Dev is where an offloaded or device-bound program lives; nil for
	// the others.
	Dev *Device
	// Metadata are the bpf_metadata_* variables of the program's
	// .rodata, prefix stripped.
	Metadata []MetaVar

	// Pins are the paths pinning the program (Options.Pins).
	Pins []string
	// Holders are the processes holding an fd of it (Options.Holders).
	Holders []Holder
}

// TagHex returns the program tag as bpftool prints it: 16 hex digits.
func (p *Prog) TagHex() string {
	const digits = "0123456789abcdef"
	var b [16]byte
	for i, t := range p.Tag {
		b[2*i], b[2*i+1] = digits[t>>4], digits[t&15]
	}
	return string(b[:])
}

// Device is the network device of an offloaded or device-bound program.
type Device struct {
	Ifindex  uint32
	NetnsDev uint64
	NetnsIno uint64
	// Ifname is the device's name, "" when its namespace cannot be
	// entered or it is gone (bpftool then prints the numbers).
	Ifname string
}

// MetaVar is one bpf_metadata_ variable: its name without the prefix,
// its BTF type and its bytes in the map's value.
type MetaVar struct {
	Name string
	Type btf.Type
	Data []byte
}

// Holder is a process holding an fd of a program: its pid and comm.
type Holder = kernel.Holder
