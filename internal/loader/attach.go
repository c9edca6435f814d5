package loader

import (
	"errors"
	"strings"
	"syscall"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"

	"github.com/gobpftool/gobpftool/internal/kernel"
)

// autoAttach is bpftool's auto_attach_program: attach the program as its
// section says and pin the link at path; a program libbpf cannot attach
// by itself is pinned instead, with bpftool's note.
func (l *Object) autoAttach(i int, path string) error {
	p, prog := l.obj.progs[i], l.progs[i]
	lk, err := attachBySection(p.sec, prog)
	if err != nil || lk == nil {
		if l.opts.OnFallback != nil {
			l.opts.OnFallback(p.name)
		}
		return kernel.ObjPin(prog.FD(), path)
	}
	defer lk.Close()
	fder, ok := lk.(interface{ FD() int })
	if !ok {
		return lk.Pin(path)
	}
	return l.pinFD(fder.FD(), path, func(syscall.Errno) {})
}

// attachBySection is what libbpf's attach callbacks do for the section
// kinds that name their target; nil for the others.
func attachBySection(sec string, prog *ebpf.Program) (link.Link, error) {
	kind, target, _ := strings.Cut(sec, "/")
	switch kind {
	case "kprobe", "kretprobe":
		if target == "" {
			return nil, nil
		}
		sym, off := target, uint64(0)
		if s, o, ok := strings.Cut(target, "+"); ok {
			n, ok := parseOffset(o)
			if !ok {
				return nil, syscall.EINVAL
			}
			sym, off = s, n
		}
		opts := &link.KprobeOptions{Offset: off}
		if kind == "kretprobe" {
			return link.Kretprobe(sym, prog, opts)
		}
		return link.Kprobe(sym, prog, opts)
	case "tracepoint", "tp":
		group, name, ok := strings.Cut(target, "/")
		if !ok {
			return nil, nil
		}
		return link.Tracepoint(group, name, prog, nil)
	case "raw_tracepoint", "raw_tp", "raw_tracepoint.w", "raw_tp.w":
		if target == "" {
			return nil, nil
		}
		return link.AttachRawTracepoint(link.RawTracepointOptions{Name: target, Program: prog})
	case "tp_btf", "fentry", "fexit", "fmod_ret", "fentry.s", "fexit.s", "fmod_ret.s", "freplace":
		return link.AttachTracing(link.TracingOptions{Program: prog})
	case "lsm", "lsm.s":
		return link.AttachLSM(link.LSMOptions{Program: prog})
	case "iter", "iter.s":
		return link.AttachIter(link.IterOptions{Program: prog})
	}
	return nil, errors.ErrUnsupported
}

// parseOffset reads the offset after '+' in a kprobe section: decimal, or
// hex after 0x.
func parseOffset(s string) (uint64, bool) {
	var v uint64
	base := uint64(10)
	if strings.HasPrefix(s, "0x") {
		base, s = 16, s[2:]
	}
	if s == "" {
		return 0, false
	}
	for _, ch := range s {
		d := hexDigit(byte(ch))
		if d < 0 || uint64(d) >= base {
			return 0, false
		}
		v = v*base + uint64(d)
	}
	return v, true
}

// hexDigit is the value of a hex digit, or -1.
func hexDigit(ch byte) int {
	switch {
	case ch >= '0' && ch <= '9':
		return int(ch - '0')
	case ch >= 'a' && ch <= 'f':
		return int(ch-'a') + 10
	case ch >= 'A' && ch <= 'F':
		return int(ch-'A') + 10
	}
	return -1
}
