// Package loader puts the programs and maps of a BPF ELF object into the
// kernel as bpftool's `prog load` and `prog loadall` do through libbpf. It
// reads the object with cilium/ebpf and adds libbpf's behaviour around it:
// the section table that gives programs their types, libbpf's program and
// map order, its names for global data maps, its layout of called
// functions, relaxed map definitions (-m), CO-RE failures explained in the
// verifier log, maps pinned by name or replaced by existing ones, the
// slots of prog arrays and maps of maps, autoattach, and the pinning of
// programs and maps.
//
// It is not a command: it parses no arguments and prints nothing. libbpf's
// lines ("libbpf: ...") go to the log function its caller gives, failures
// come back as errors, and the command turns those into bpftool's
// messages and exit codes. Nor does it mount bpffs: its caller does that
// between Load and the pin methods, as bpftool does.
package loader

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/btf"
	"golang.org/x/sys/unix"

	"github.com/gobpftool/gobpftool/internal/errno"
	"github.com/gobpftool/gobpftool/internal/kernel"
	"github.com/gobpftool/gobpftool/internal/userfile"
)

// Options are what one load asks for, as `prog load` parses them from its
// arguments and bpftool's global options.
type Options struct {
	// File is the path of the ELF object.
	File string
	// Type, when not nil, gives every program its type instead of the one
	// the program's own section implies (`type`).
	Type *Section
	// Replace lists kernel maps that take the place of maps of the object
	// (`map idx|name ... MAP`). Load takes its own copies of their fds; the
	// caller keeps them open until Load returns, and closes them.
	Replace []MapReplacement
	// OffloadIfindex is the device programs and maps are offloaded to
	// (`dev`, `offload_dev`), or 0.
	OffloadIfindex uint32
	// XDPMetaIfindex is the device XDP programs are bound to for XDP
	// hints only (`xdpmeta_dev`), or 0.
	XDPMetaIfindex uint32
	// Autoattach attaches each program as its section says and pins the
	// link instead of the program (`autoattach`).
	Autoattach bool
	// OnFallback, if not nil, is called with the name of each program that
	// Autoattach cannot attach, before the program is pinned instead.
	OnFallback func(program string)
	// KernelBTF is a file with the kernel BTF that CO-RE relocations are
	// resolved against instead of the running kernel's (`kernel_btf`).
	KernelBTF string
	// Relaxed lets map definitions hold fields libbpf does not know, as
	// libbpf's relaxed_maps (-m).
	Relaxed bool
	// VerifierLog asks the kernel for each program's verifier log and
	// logs it, as bpftool's -d does.
	VerifierLog bool
}

// A MapReplacement names a map of the object, by Name or, when Name is
// empty, by its Index in libbpf's map order, and the FD of the kernel map
// that is used in its place.
type MapReplacement struct {
	Index int
	Name  string
	FD    int
}

// A Program is one program of an opened object: the name of its function
// and the ELF section it is in.
type Program struct {
	Name    string
	Section string
}

var (
	// ErrOpen means the object could not be opened (libbpf's
	// bpf_object__open failed); the reasons went to the log.
	ErrOpen = errors.New("failed to open object file")
	// ErrLoad means a map or program of the object could not be created
	// or loaded (bpf_object__load failed); the reasons went to the log.
	ErrLoad = errors.New("failed to load object file")
	// ErrNoProgram means the object holds no program to pin.
	ErrNoProgram = errors.New("object file doesn't contain any bpf program")
)

// An UnknownSectionError is returned by Load when a program's section
// gives libbpf no program type and Options.Type gives none either.
type UnknownSectionError struct {
	Section string
}

// Error returns libbpf's words for the section.
func (e *UnknownSectionError) Error() string {
	return fmt.Sprintf("failed to guess program type from ELF section '%s'", e.Section)
}

// A ReplaceReason tells which rule of bpftool's map replacement failed.
type ReplaceReason int

// The ways a map replacement can fail.
const (
	// ReplaceNoSuchMap: no map of the object has the name.
	ReplaceNoSuchMap ReplaceReason = iota + 1
	// ReplaceReuseFailed: the kernel map could not be reused.
	ReplaceReuseFailed
	// ReplaceDuplicate: two replacements name the same map.
	ReplaceDuplicate
	// ReplaceUnused: the index names no map of the object.
	ReplaceUnused
)

// A ReplaceError is returned by Load when Options.Replace cannot be
// applied; nothing has been created then.
type ReplaceError struct {
	Reason ReplaceReason
	Name   string // the name no map has, for ReplaceNoSuchMap
	Index  int    // the map index concerned, for the others
	Err    error  // why the map cannot be reused, for ReplaceReuseFailed
}

// Error returns bpftool's words for the failed rule.
func (e *ReplaceError) Error() string {
	switch e.Reason {
	case ReplaceNoSuchMap:
		return fmt.Sprintf("unable to find map '%s'", e.Name)
	case ReplaceReuseFailed:
		return fmt.Sprintf("unable to set up map reuse: %v", e.Err)
	case ReplaceDuplicate:
		return fmt.Sprintf("replacement for map idx %d specified more than once", e.Index)
	}
	return fmt.Sprintf("map idx '%d' not used", e.Index)
}

// Unwrap returns why a map could not be reused, or nil.
func (e *ReplaceError) Unwrap() error { return e.Err }

// Program flags of the UAPI that libbpf sets from a program's section.
const (
	bpfFSleepable       = 1 << 4 // BPF_F_SLEEPABLE
	bpfFXDPHasFrags     = 1 << 5 // BPF_F_XDP_HAS_FRAGS
	bpfFXDPDevBoundOnly = 1 << 6 // BPF_F_XDP_DEV_BOUND_ONLY
	bpfFMmapable        = 1 << 10
)

// An Object is an opened ELF object and what loading it has created in
// the kernel, to release with Close on every path.
type Object struct {
	opts  Options
	log   func(string, ...any)
	obj   *elfObject
	maps  map[string]*ebpf.Map // by spec key
	progs []*ebpf.Program      // parallel to obj.progs once loaded
	pins  []string             // pinned programs (or links), to undo
	// noBTF: the kernel refused the object's BTF, and libbpf goes on
	// without it, for maps and programs.
	noBTF bool
}

// Open reads the object at opts.File as libbpf's bpf_object__open_file:
// nothing reaches the kernel yet. log receives libbpf's lines, each as
// libbpf prints it ("libbpf: " and the message); nil discards them. The
// error wraps ErrOpen.
func Open(opts Options, log func(format string, a ...any)) (*Object, error) {
	if log == nil {
		log = func(string, ...any) {}
	}
	l := &Object{opts: opts, log: log}
	obj, err := openObject(opts.File, opts.Relaxed, l.warn)
	if err != nil {
		return nil, err
	}
	l.obj = obj
	return l, nil
}

// Programs returns the object's programs in libbpf's order.
func (l *Object) Programs() []Program {
	out := make([]Program, len(l.obj.progs))
	for i, p := range l.obj.progs {
		out[i] = Program{Name: p.name, Section: p.sec}
	}
	return out
}

// Close releases the programs and maps the object holds; what is pinned
// stays.
func (l *Object) Close() error {
	for _, p := range l.progs {
		if p != nil {
			p.Close()
		}
	}
	for _, m := range l.maps {
		m.Close()
	}
	l.progs, l.maps = nil, nil
	return nil
}

// warn writes one of libbpf's lines.
func (l *Object) warn(format string, a ...any) { l.log("libbpf: "+format, a...) }

// permHint is libbpf's pr_perm_msg: an EPERM as root may be the memlock
// limit on old kernels, so libbpf shows the limit unless it is infinite.
func (l *Object) permHint(en syscall.Errno) {
	if en != syscall.EPERM || os.Geteuid() != 0 {
		return
	}
	var lim unix.Rlimit
	if unix.Getrlimit(unix.RLIMIT_MEMLOCK, &lim) != nil || lim.Cur == unix.RLIM_INFINITY {
		return
	}
	var cur string
	switch {
	case lim.Cur < 1024:
		cur = fmt.Sprintf("%d bytes", lim.Cur)
	case lim.Cur < 1024*1024:
		cur = fmt.Sprintf("%.1f KiB", float64(lim.Cur)/1024)
	default:
		cur = fmt.Sprintf("%.1f MiB", float64(lim.Cur)/(1024*1024))
	}
	l.warn("permission error while running as root; try raising 'ulimit -l'? current value: %s\n", cur)
}

// Load does what follows bpf_object__open in bpftool's load_with_options:
// program types, map replacement, then maps and programs into the kernel.
// An unknown section is an *UnknownSectionError, a replacement that
// cannot be applied a *ReplaceError; a failure to create or load wraps
// ErrLoad. ctx is checked between programs.
func (l *Object) Load(ctx context.Context) error {
	for _, p := range l.obj.progs {
		d := l.opts.Type
		if d == nil {
			if d = FindSection(p.sec); d == nil {
				return &UnknownSectionError{Section: p.sec}
			}
		}
		l.setProgType(p, d)
	}
	if err := l.setupReuse(); err != nil {
		return err
	}
	if err := l.loadObject(ctx); err != nil {
		return fmt.Errorf("%w: %w", ErrLoad, err)
	}
	return nil
}

// PinFirst pins the object's first program at path (or, with
// Options.Autoattach, attaches it and pins the link), as `prog load`. It
// returns ErrNoProgram if the object has none.
func (l *Object) PinFirst(path string) error {
	if len(l.obj.progs) == 0 {
		return ErrNoProgram
	}
	var err error
	if l.opts.Autoattach {
		err = l.autoAttach(0, path)
	} else {
		err = kernel.ObjPin(l.progs[0].FD(), path)
	}
	if err != nil {
		return err
	}
	l.pins = append(l.pins, path)
	return nil
}

// Unpin removes what PinFirst and PinAll pinned.
func (l *Object) Unpin() {
	for _, p := range l.pins {
		os.Remove(p)
	}
	l.pins = nil
}

// setProgType gives a program the type, expected attach type, flags and
// device that libbpf would load it with.
func (l *Object) setProgType(p *loadProg, d *Section) {
	ps := p.spec
	ps.Type = d.typ
	ps.AttachType = d.attach
	// Flags come from the program's own section, as libbpf keeps the
	// section's definition when `type` overrides the type.
	own := FindSection(p.sec)
	var flags uint32
	if own != nil {
		if own.flags&secSleepable != 0 {
			flags |= bpfFSleepable
		}
		if own.flags&secXDPFrags != 0 && d.typ == ebpf.XDP {
			flags |= bpfFXDPHasFrags
		}
	}
	if d.typ == ebpf.XDP && l.opts.XDPMetaIfindex != 0 {
		flags |= bpfFXDPDevBoundOnly
		ps.Ifindex = l.opts.XDPMetaIfindex
	} else {
		ps.Ifindex = l.opts.OffloadIfindex
	}
	ps.Flags = flags
	if own != nil && own.flags&secAttachBTF != 0 && ps.AttachTo == "" {
		if i := strings.IndexByte(p.sec, '/'); i >= 0 {
			ps.AttachTo = p.sec[i+1:]
		}
	}
}

// loadObject is bpf_object__load: maps in order, then programs in order,
// each failure reported as libbpf reports it.
func (l *Object) loadObject(ctx context.Context) (err error) {
	obj := l.obj
	defer func() {
		if err == nil {
			return
		}
		// libbpf unpins the maps it pinned by name during a failed load.
		for _, m := range obj.maps {
			if m.autoPinned {
				os.Remove(m.pinPath)
			}
		}
	}()
	if obj.btf != nil && !l.loadIntoKernel(obj.btf) {
		l.noBTF = true
	}
	l.maps = map[string]*ebpf.Map{}
	for _, m := range obj.maps {
		em, err := l.createMap(m)
		if err != nil {
			en := errno.Of(err)
			l.warn("map '%s': failed to create: %s(%d)\n", m.name, errno.Libbpf(-int(en)), -int(en))
			l.permHint(en)
			l.warn("failed to load object '%s'\n", obj.path)
			return err
		}
		l.maps[m.key] = em
	}
	if err := l.fillSlots(false); err != nil {
		l.warn("failed to load object '%s'\n", obj.path)
		return err
	}
	popts := ebpf.ProgramOptions{}
	if l.opts.VerifierLog {
		// log_level 1 + 2 + 4 as bpftool asks with -d (not stable UAPI).
		popts.LogLevel = ebpf.LogLevelBranch | ebpf.LogLevelInstruction | ebpf.LogLevelStats
	}
	// libbpf reads kernel_btf FILE only for an object with CO-RE
	// relocations.
	if l.opts.KernelBTF != "" && hasCORE(obj) {
		spec, err := userfile.LoadBTF(l.opts.KernelBTF)
		if err != nil {
			var be *userfile.BTFError
			errors.As(err, &be)
			if be.Warning != "" {
				l.warn("%s", strings.TrimPrefix(be.Warning, "libbpf: "))
			}
			l.warn("failed to parse target BTF: %d\n", be.Code)
			l.warn("failed to load object '%s'\n", obj.path)
			return err
		}
		popts.KernelTypes = spec
	}
	var rodata []*loadMap
	for _, m := range obj.maps {
		if m.rodata {
			rodata = append(rodata, m)
		}
	}
	// One by one in libbpf's order, stopping at the first failure: the
	// kernel then hands out ids in the order bpftool's would have.
	l.progs = make([]*ebpf.Program, len(obj.progs))
	for i, p := range obj.progs {
		if err := ctx.Err(); err != nil {
			return err
		}
		if obj.badLines[p.sec] {
			// The kernel's check_btf_line on what libbpf would pass.
			l.warn("prog '%s': BPF program load failed: %s\n", p.name, errno.Libbpf(int(syscall.EINVAL)))
			l.warn("prog '%s': failed to load: %d\n", p.name, -int(syscall.EINVAL))
			l.warn("failed to load object '%s'\n", obj.path)
			return syscall.EINVAL
		}
		prog, err := l.loadProgram(p, popts)
		if err != nil {
			l.reportLoadFailure(p, err)
			l.warn("failed to load object '%s'\n", obj.path)
			return err
		}
		l.progs[i] = prog
		if l.opts.VerifierLog && prog.VerifierLog != "" {
			l.warn("prog '%s': -- BEGIN PROG LOAD LOG --\n%s-- END PROG LOAD LOG --\n", p.name, prog.VerifierLog)
		}
		for _, m := range rodata {
			if err := kernel.ProgBindMap(prog.FD(), l.maps[m.key].FD()); err != nil {
				l.warn("prog '%s': failed to bind map '%s': %s\n", p.name, m.key, errno.Libbpf(int(errno.Of(err))))
			}
		}
		if lean, err := withoutBTFHandle(prog); err == nil {
			l.progs[i] = lean
		}
	}
	if err := l.fillSlots(true); err != nil {
		l.warn("failed to load object '%s'\n", obj.path)
		return err
	}
	return nil
}

// withoutBTFHandle keeps prog through a duplicate of its fd and closes
// the original: cilium/ebpf keeps each program's BTF handle open as long
// as the program, two fds a program where libbpf holds one, which made
// loadall of a few hundred programs fail under `ulimit -n 1024` where
// bpftool loads them.
func withoutBTFHandle(prog *ebpf.Program) (*ebpf.Program, error) {
	fd, err := kernel.DupFD(prog.FD())
	if err != nil {
		return nil, err
	}
	lean, err := ebpf.NewProgramFromFD(fd)
	if err != nil {
		kernel.Close(fd)
		return nil, err
	}
	prog.Close()
	return lean, nil
}

// loadProgram points the program's map loads at the maps just created and
// loads it.
func (l *Object) loadProgram(p *loadProg, popts ebpf.ProgramOptions) (*ebpf.Program, error) {
	ps := p.spec.Copy()
	ps.Instructions = libbpfLayout(ps.Instructions)
	if l.noBTF {
		for i := range ps.Instructions {
			ps.Instructions[i] = btf.WithFuncMetadata(ps.Instructions[i], nil).WithSource(nil)
		}
	}
	for i := range ps.Instructions {
		ins := &ps.Instructions[i]
		if !ins.IsLoadFromMap() || ins.Reference() == "" {
			continue
		}
		m := l.maps[ins.Reference()]
		if m == nil {
			return nil, fmt.Errorf("map %s: %w", ins.Reference(), syscall.EINVAL)
		}
		if err := ins.AssociateMap(m); err != nil {
			return nil, err
		}
	}
	return ebpf.NewProgramWithOptions(ps, popts)
}

// reportLoadFailure prints libbpf's lines for a program the kernel
// refused: the error, the verifier log, the error code.
func (l *Object) reportLoadFailure(p *loadProg, err error) {
	en := errno.Of(err)
	var ve *ebpf.VerifierError
	if !errors.As(err, &ve) && !errors.As(err, new(syscall.Errno)) {
		// cilium/ebpf gave up before asking the kernel (a CO-RE or
		// attach target it cannot resolve).
		if def := FindSection(p.sec); def != nil && def.flags&secAttachBTF != 0 &&
			(errors.Is(err, ebpf.ErrNotSupported) || errors.Is(err, btf.ErrNotFound)) {
			// libbpf's find_kernel_btf_id ends with -ESRCH.
			_, target, _ := strings.Cut(p.sec, "/")
			l.warn("prog '%s': failed to find kernel BTF type ID of '%s': %d\n", p.name, target, -int(syscall.ESRCH))
			l.warn("prog '%s': failed to prepare load attributes: %d\n", p.name, -int(syscall.ESRCH))
			l.warn("prog '%s': failed to load: %d\n", p.name, -int(syscall.ESRCH))
			return
		}
		l.warn("prog '%s': failed to prepare load attributes: %v\n", p.name, err)
		l.warn("prog '%s': failed to load: %d\n", p.name, -int(en))
		return
	}
	l.warn("prog '%s': BPF program load failed: %s\n", p.name, errno.Libbpf(int(en)))
	l.permHint(en)
	// cilium/ebpf loads the program's BTF first; a failure there (EMFILE,
	// for one) carries the kernel's BTF log, which is no verifier log.
	btfLoad := strings.HasPrefix(err.Error(), "load BTF:")
	if ve != nil && len(ve.Log) > 0 && !btfLoad {
		log := fixupVerifierLog(ve.Log, libbpfLayout(p.spec.Instructions), l.obj.spec.Types)
		l.warn("prog '%s': -- BEGIN PROG LOAD LOG --\n%s\n-- END PROG LOAD LOG --\n", p.name, strings.Join(log, "\n"))
	}
	l.warn("prog '%s': failed to load: %d\n", p.name, -int(en))
}

// PinAll pins every program at dir/NAME, as bpf_object__pin_programs (or,
// with Options.Autoattach, bpftool's attaching variant); on the first
// failure it removes what it pinned.
func (l *Object) PinAll(dir string) error {
	for i, p := range l.obj.progs {
		path := dir + "/" + p.name
		var err error
		if len(path) >= unix.PathMax {
			err = syscall.ENAMETOOLONG
		} else if l.opts.Autoattach {
			err = l.autoAttach(i, path)
		} else {
			err = l.pinFD(l.progs[i].FD(), path, func(en syscall.Errno) {
				l.warn("prog '%s': failed to pin at '%s': %s\n", p.name, path, errno.Libbpf(-int(en)))
			})
		}
		if err != nil {
			l.Unpin()
			return err
		}
		l.pins = append(l.pins, path)
	}
	return nil
}

// pinFD pins as libbpf's bpf_*__pin: make the parent directory, check it
// is on bpffs, pin; onPinErr reports a failure of the pin itself.
func (l *Object) pinFD(fd int, path string, onPinErr func(syscall.Errno)) error {
	dir := kernel.Dirname(path)
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		l.warn("failed to mkdir %s: %s\n", path, errno.Libbpf(int(errno.Of(err))))
		return err
	}
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		l.warn("failed to statfs %s: %s\n", dir, errno.Libbpf(int(errno.Of(err))))
		return err
	}
	if st.Type != unix.BPF_FS_MAGIC {
		l.warn("specified path %s is not on BPF FS\n", path)
		return syscall.EINVAL
	}
	if err := kernel.ObjPin(fd, path); err != nil {
		onPinErr(errno.Of(err))
		return err
	}
	return nil
}

// hasCORE tells whether any program of obj has a CO-RE relocation.
func hasCORE(obj *elfObject) bool {
	for _, p := range obj.progs {
		for i := range p.spec.Instructions {
			if btf.CORERelocationMetadata(&p.spec.Instructions[i]) != nil {
				return true
			}
		}
	}
	return false
}
